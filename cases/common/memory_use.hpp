// memory_use.hpp — how much memory a process holds, for cases that price an idle unit of concurrency.
//
// rss_kib(): this process's resident set (/proc/self/statm), for a before/after delta around K
// coroutines or threads left waiting. pss_kib(pid): another process's proportional set size
// (/proc/<pid>/smaps_rollup: shared pages split among the processes mapping them), which is the fair
// price of one more child process; it falls back to the RSS (VmRSS) where smaps_rollup is missing.
// Both return -1 when the process cannot be read.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace conkit::cases {

inline long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = -1;
  if (!(statm >> size >> resident)) return -1;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

namespace detail {
// The value in kB of the first "<key>:   123 kB" line of a /proc file, or -1.
inline long proc_kib(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  return -1;
}
}  // namespace detail

inline long pss_kib(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  const long pss = detail::proc_kib(dir + "/smaps_rollup", "Pss");
  return pss >= 0 ? pss : detail::proc_kib(dir + "/status", "VmRSS");
}

}  // namespace conkit::cases
