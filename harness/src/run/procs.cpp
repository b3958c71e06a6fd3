// run/procs.cpp — see procs.hpp.
#include "run/procs.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <conkit/paths.hpp>

namespace conkit::detail {
namespace {

bool read_stat(pid_t pid, ProcInfo& p) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  FILE* f = std::fopen(path, "re");
  if (!f) return false;
  char buf[1024];
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* close_paren = std::strrchr(buf, ')');  // comm may contain spaces and parens
  if (!close_paren) return false;
  int ppid = 0, pgrp = 0;
  char state = 0;
  if (std::sscanf(close_paren + 1, " %c %d %d", &state, &ppid, &pgrp) != 3) return false;
  // Field 24 (rss, in pages) counts from the state field (3): skip 20 more fields.
  const char* q = close_paren + 1;
  long rss_pages = 0;
  for (int field = 2; field < 23 && q; ++field) q = std::strchr(q + 1, ' ');
  if (q) rss_pages = std::strtol(q + 1, nullptr, 10);
  p.pid = pid;
  p.ppid = ppid;
  p.pgid = pgrp;
  p.state = state;
  p.rss_bytes = rss_pages > 0 ? static_cast<std::uint64_t>(rss_pages) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
  return true;
}

}  // namespace

std::vector<ProcInfo> all_processes() {
  std::vector<ProcInfo> out;
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    ProcInfo p;
    if (read_stat(static_cast<pid_t>(pid), p) && p.state != 'Z' && p.state != 'X') out.push_back(p);
  }
  ::closedir(dir);
  return out;
}

namespace {

// The children of every thread of `pid`, from /proc/<pid>/task/<tid>/children; false where the
// kernel has no such file (built without CONFIG_PROC_CHILDREN). A process that is gone has none.
bool children_of(pid_t pid, std::vector<pid_t>& out) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/task", static_cast<int>(pid));
  DIR* tasks = ::opendir(path);
  if (!tasks) return true;  // gone (or going): nothing to find under it
  bool have_file = true;
  while (dirent* t = ::readdir(tasks)) {
    if (t->d_name[0] == '.') continue;
    char file[320];
    std::snprintf(file, sizeof file, "/proc/%d/task/%s/children", static_cast<int>(pid), t->d_name);
    FILE* f = std::fopen(file, "re");
    if (!f) {
      if (errno == ENOENT && ::access(path, F_OK) == 0) have_file = false;
      continue;
    }
    long child = 0;
    while (std::fscanf(f, "%ld", &child) == 1) out.push_back(static_cast<pid_t>(child));
    std::fclose(f);
  }
  ::closedir(tasks);
  return have_file;
}

// descendants() by one pass over all of /proc: for kernels without the children files.
std::vector<ProcInfo> descendants_from_all(pid_t root) {
  std::multimap<pid_t, ProcInfo> by_parent;
  for (const auto& p : all_processes()) by_parent.emplace(p.ppid, p);
  std::vector<ProcInfo> out;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    pid_t parent = todo.back();
    todo.pop_back();
    auto [lo, hi] = by_parent.equal_range(parent);
    for (auto it = lo; it != hi; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second.pid);
    }
  }
  return out;
}

}  // namespace

// Every process of a PID namespace descends from its pid 1 (orphans come to pid 1 or to a
// subreaper inside), and none can join from outside without privileges over it: the members are
// pid 1's descendants. Walking them reads the case's own processes only, not all of /proc (a
// scan of every process on the machine cost ~1 ms per run on a quiet machine with ~190 of them).
std::vector<ProcInfo> namespace_members(pid_t init) { return descendants(init); }

std::vector<ProcInfo> descendants(pid_t root) {
  std::vector<ProcInfo> out;
  std::vector<pid_t> todo{root};
  std::set<pid_t> seen{root};  // a pid reused mid-walk must not loop
  while (!todo.empty()) {
    pid_t parent = todo.back();
    todo.pop_back();
    std::vector<pid_t> kids;
    if (!children_of(parent, kids)) return descendants_from_all(root);
    for (pid_t k : kids) {
      ProcInfo p;
      if (!seen.insert(k).second || !read_stat(k, p)) continue;
      if (p.state != 'Z' && p.state != 'X') out.push_back(p);
      todo.push_back(k);
    }
  }
  return out;
}

std::string command_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  for (char& c : raw)
    if (c == '\0') c = ' ';
  if (!raw.empty()) return raw;
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return "[" + name + "]";
}

}  // namespace conkit::detail

namespace conkit::detail {

std::string find_init_program(const std::string& configured) {
  auto usable = [](const std::filesystem::path& p) { return !p.empty() && ::access(p.c_str(), X_OK) == 0; };
  if (!configured.empty()) return usable(configured) ? configured : std::string();
  if (const char* env = std::getenv("CONKIT_INIT"); env && *env) return usable(env) ? env : std::string();
  // Found from where this program is, like the manifest (conkit/paths.hpp): nothing of the build
  // tree is baked in. bin/conkit-init beside bin/conkit (installed, and build/bin); a
  // ../libexec/conkit/ layout; and a build tree's tests (build/tests/x -> build/bin/conkit-init).
  const std::filesystem::path dir = program_dir();
  if (dir.empty()) return {};
  for (const auto& c : {dir / "conkit-init", dir / ".." / "libexec" / "conkit" / "conkit-init", dir / ".." / "bin" / "conkit-init"})
    if (usable(c)) return c.lexically_normal().string();
  return {};
}

}  // namespace conkit::detail
