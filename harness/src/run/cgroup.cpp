// run/cgroup.cpp — see cgroup.hpp.
#include "run/cgroup.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <set>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace conkit::detail {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) return false;
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

std::optional<std::uint64_t> read_number(const std::string& path) {
  auto t = read_text(path);
  if (!t) return std::nullopt;
  try {
    return std::stoull(*t);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The value after `key ` in a flat keyed file (memory.events, pids.events, cpu.stat, oom_control).
std::optional<std::uint64_t> keyed(const std::string& path, const std::string& key) {
  auto t = read_text(path);
  if (!t) return std::nullopt;
  std::istringstream in(*t);
  std::string k;
  std::uint64_t v = 0;
  while (in >> k >> v)
    if (k == key) return v;
  return std::nullopt;
}

// Where each hierarchy is mounted: "" for the unified (v2) one, else the v1 controller's name.
struct Hierarchy {
  std::string mount, own;  // mount point; conkit's own cgroup path in it
};

std::optional<Hierarchy> find_hierarchy(const std::string& controller) {
  std::ifstream mounts("/proc/mounts");
  std::string dev, dir, type, opts, rest;
  std::string mount;
  while (mounts >> dev >> dir >> type >> opts && std::getline(mounts, rest)) {
    if (controller.empty() && type == "cgroup2") mount = dir;
    if (!controller.empty() && type == "cgroup") {
      std::istringstream o(opts);
      for (std::string opt; std::getline(o, opt, ',');)
        if (opt == controller) mount = dir;
    }
    if (!mount.empty()) break;
  }
  if (mount.empty()) return std::nullopt;
  std::ifstream self("/proc/self/cgroup");
  for (std::string line; std::getline(self, line);) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    bool match = controller.empty() ? ctrls.empty() : false;
    std::istringstream c(ctrls);
    for (std::string one; !controller.empty() && std::getline(c, one, ',');)
      if (one == controller) match = true;
    if (match) return Hierarchy{mount, path == "/" ? "" : path};
  }
  return std::nullopt;
}

std::string unique_name() {
  static std::atomic<unsigned> counter{0};
  return "conkit-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

// The conkit that made "conkit-PID-N", or 0 if `name` is not such a name.
pid_t maker_of(const std::string& name) {
  unsigned long pid = 0, n = 0;
  char rest = 0;
  if (std::sscanf(name.c_str(), "conkit-%lu-%lu%c", &pid, &n, &rest) != 2) return 0;
  return static_cast<pid_t>(pid);
}

// Removes the cgroups a conkit that is gone left in `parent`: a SIGKILLed conkit cannot remove
// its own (the kernel removes none), and each would stay until reboot. Only empty ones go (rmdir
// fails on a cgroup with a process in it), only of a pid that no longer exists, and only after
// 2 s: a live conkit in another PID namespace fills its cgroup within milliseconds of making it.
// Once per directory per process, at its first case.
void remove_stale_siblings(const std::string& parent) {
  static std::mutex mutex;
  static std::set<std::string> swept;
  {
    std::lock_guard lock(mutex);
    if (!swept.insert(parent).second) return;
  }
  DIR* dir = ::opendir(parent.c_str());
  if (!dir) return;
  const std::time_t now = std::time(nullptr);
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    const pid_t maker = maker_of(name);
    if (maker <= 0 || maker == ::getpid() || ::kill(maker, 0) == 0 || errno != ESRCH) continue;
    const std::string path = parent + "/" + name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || now - st.st_mtime < 2) continue;
    ::rmdir(path.c_str());
  }
  ::closedir(dir);
}

}  // namespace

CaseCgroup::CaseCgroup(CaseCgroup&& o) noexcept { *this = std::move(o); }
CaseCgroup& CaseCgroup::operator=(CaseCgroup&& o) noexcept {
  if (this != &o) {
    remove();
    memory_ = std::exchange(o.memory_, {});
    pids_ = std::exchange(o.pids_, {});
    cpu_ = std::exchange(o.cpu_, {});
    kill_ = std::exchange(o.kill_, {});
    memory_v2_ = o.memory_v2_;
    pids_v2_ = o.pids_v2_;
    cpu_v2_ = o.cpu_v2_;
    made_ = std::exchange(o.made_, {});
  }
  return *this;
}
CaseCgroup::~CaseCgroup() { remove(); }

CaseCgroup CaseCgroup::create(const CgroupLimits& limits, std::string& why_not) {
  CaseCgroup g;
  const std::string name = unique_name();
  auto make = [&](const std::optional<Hierarchy>& h) -> std::string {
    if (!h) return {};
    remove_stale_siblings(h->mount + h->own);
    const std::string dir = h->mount + h->own + "/" + name;
    if (::mkdir(dir.c_str(), 0755) != 0) return {};
    g.made_.push_back(dir);
    return dir;
  };
  std::vector<std::string> missing;
  // The unified hierarchy: cgroup.kill and cpu.stat work without any controller enabled.
  const std::string v2 = make(find_hierarchy(""));
  if (!v2.empty()) {
    if (exists(v2 + "/cgroup.kill")) g.kill_ = v2;
    g.cpu_ = v2;
    g.cpu_v2_ = true;
    if (limits.memory_bytes && exists(v2 + "/memory.max") &&
        write_text(v2 + "/memory.max", std::to_string(limits.memory_bytes))) {
      if (exists(v2 + "/memory.swap.max")) write_text(v2 + "/memory.swap.max", "0");
      g.memory_ = v2;
      g.memory_v2_ = true;
    }
    if (limits.processes && exists(v2 + "/pids.max") && write_text(v2 + "/pids.max", std::to_string(limits.processes))) {
      g.pids_ = v2;
      g.pids_v2_ = true;
    }
  }
  if (limits.memory_bytes && g.memory_.empty()) {
    const std::string v1 = make(find_hierarchy("memory"));
    if (!v1.empty() && write_text(v1 + "/memory.limit_in_bytes", std::to_string(limits.memory_bytes))) {
      // With swap accounting, swap counts too: the limit cannot be dodged by swapping out.
      if (exists(v1 + "/memory.memsw.limit_in_bytes"))
        write_text(v1 + "/memory.memsw.limit_in_bytes", std::to_string(limits.memory_bytes));
      g.memory_ = v1;
    } else {
      missing.push_back("memory");
    }
  }
  if (limits.processes && g.pids_.empty()) {
    const std::string v1 = make(find_hierarchy("pids"));
    if (!v1.empty() && write_text(v1 + "/pids.max", std::to_string(limits.processes))) g.pids_ = v1;
    else missing.push_back("pids");
  }
  if (g.cpu_.empty()) {
    const std::string v1 = make(find_hierarchy("cpuacct"));
    if (!v1.empty() && exists(v1 + "/cpuacct.usage")) g.cpu_ = v1;
    else missing.push_back("cpu accounting");
  }
  for (const auto& m : missing) why_not += (why_not.empty() ? "no cgroup for " : ", ") + m;
  return g;
}

std::vector<std::string> CaseCgroup::dirs() const { return made_; }

std::string CaseCgroup::memory_mechanism() const { return memory_v2_ ? "cgroup v2 memory.max" : "cgroup v1 memory"; }
std::string CaseCgroup::pids_mechanism() const { return pids_v2_ ? "cgroup v2 pids.max" : "cgroup v1 pids"; }
std::string CaseCgroup::cpu_mechanism() const { return cpu_v2_ ? "cgroup v2 cpu.stat" : "cgroup v1 cpuacct"; }

std::optional<std::uint64_t> CaseCgroup::memory_peak() const {
  if (memory_.empty()) return std::nullopt;
  return read_number(memory_ + (memory_v2_ ? "/memory.peak" : "/memory.max_usage_in_bytes"));
}
std::optional<std::uint64_t> CaseCgroup::memory_now() const {
  if (memory_.empty()) return std::nullopt;
  return read_number(memory_ + (memory_v2_ ? "/memory.current" : "/memory.usage_in_bytes"));
}
bool CaseCgroup::oom_killed() const {
  if (memory_.empty()) return false;
  auto n = keyed(memory_ + (memory_v2_ ? "/memory.events" : "/memory.oom_control"), "oom_kill");
  return n && *n > 0;
}
std::optional<std::uint64_t> CaseCgroup::pids_peak() const {
  if (pids_.empty()) return std::nullopt;
  return read_number(pids_ + "/pids.peak");
}
std::optional<std::uint64_t> CaseCgroup::pids_now() const {
  if (pids_.empty()) return std::nullopt;
  return read_number(pids_ + "/pids.current");
}
bool CaseCgroup::pids_limit_hit() const {
  if (pids_.empty()) return false;
  auto n = keyed(pids_ + "/pids.events", "max");
  return n && *n > 0;
}
std::optional<double> CaseCgroup::cpu_ms() const {
  if (cpu_.empty()) return std::nullopt;
  if (cpu_v2_) {
    auto us = keyed(cpu_ + "/cpu.stat", "usage_usec");
    if (us) return static_cast<double>(*us) / 1e3;
    return std::nullopt;
  }
  auto ns = read_number(cpu_ + "/cpuacct.usage");
  if (ns) return static_cast<double>(*ns) / 1e6;
  return std::nullopt;
}

bool CaseCgroup::kill_all() const {
  bool any = false;
  if (!kill_.empty() && !empty()) {
    any = true;
    write_text(kill_ + "/cgroup.kill", "1");
  }
  for (const auto& dir : made_) {
    auto procs = read_text(dir + "/cgroup.procs");
    if (!procs) continue;
    std::istringstream in(*procs);
    for (long pid; in >> pid;) {
      any = true;
      ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
  }
  return any;
}

bool CaseCgroup::empty() const {
  for (const auto& dir : made_) {
    auto procs = read_text(dir + "/cgroup.procs");
    if (procs && procs->find_first_not_of(" \n") != std::string::npos) return false;
  }
  return true;
}

void CaseCgroup::remove() {
  if (made_.empty()) return;
  // The runner reaps every process before this; a SIGKILLed process may take a moment to leave.
  for (int i = 0; i < 200 && !empty(); ++i) {
    kill_all();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) ::rmdir(it->c_str());
  made_.clear();
}

}  // namespace conkit::detail
