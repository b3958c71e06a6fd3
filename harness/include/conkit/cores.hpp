// conkit/cores.hpp — how many cores this process may really use: CPU affinity, bounded by a
// cgroup v2 CPU quota (cpu.max); `nproc` alone over-counts inside a quota-limited container.
// Header-only, part of conkit::facts (the helpers for case programs, like conkit_facts.py's
// usable_cores()); `conkit verify`'s calibration counts cores with it too.
#pragma once

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

namespace conkit {

inline int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  std::ifstream max("/sys/fs/cgroup/cpu.max");
  std::string quota, period;
  if (max >> quota >> period && quota != "max")
    cores = std::min(cores, static_cast<int>(std::floor(std::stod(quota) / std::stod(period))));
  return std::max(1, cores);
}

}  // namespace conkit
