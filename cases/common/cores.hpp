// cores.hpp — how many cores this process may really use: CPU affinity, bounded by a cgroup v2
// CPU quota (cpu.max). `nproc` alone over-counts inside a quota-limited container.
#pragma once

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

namespace conkit::cases {

inline int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  std::ifstream max("/sys/fs/cgroup/cpu.max");
  std::string quota, period;
  if (max >> quota >> period && quota != "max") {
    const double limit = std::stod(quota) / std::stod(period);
    cores = std::max(1, std::min(cores, static_cast<int>(std::floor(limit))));
  }
  return cores;
}

}  // namespace conkit::cases
