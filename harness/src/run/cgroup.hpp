// run/cgroup.hpp — the cgroups one case runs in (private to the runner).
//
// CaseCgroup makes, for one run, a cgroup per resource it can limit on this machine: cgroup v2
// where the unified hierarchy has the controller (memory.max, pids.max, cpu.stat, cgroup.kill),
// else the cgroup v1 hierarchy of that controller (memory.limit_in_bytes, pids.max, cpuacct.usage),
// each as a child of the cgroup conkit itself is in. conkit-init joins them before it forks, so
// every process of the case is born inside. Nothing is made when conkit may not (not root, no
// delegation): the runner then falls back to rlimits and /proc polling.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace conkit::detail {

struct CgroupLimits {
  std::uint64_t memory_bytes = 0;  // 0: none
  std::uint64_t processes = 0;     // 0: none
};

class CaseCgroup {
 public:
  CaseCgroup() = default;
  CaseCgroup(CaseCgroup&&) noexcept;
  CaseCgroup& operator=(CaseCgroup&&) noexcept;
  CaseCgroup(const CaseCgroup&) = delete;
  CaseCgroup& operator=(const CaseCgroup&) = delete;
  ~CaseCgroup();  // kills what is left and removes the directories

  // Makes the cgroups; `why_not` says what could not be made (empty if all could).
  static CaseCgroup create(const CgroupLimits& limits, std::string& why_not);

  std::vector<std::string> dirs() const;   // for conkit-init --cgroup
  bool limits_memory() const { return !memory_.empty(); }
  bool limits_processes() const { return !pids_.empty(); }
  bool measures_cpu() const { return !cpu_.empty(); }
  std::string memory_mechanism() const;    // "cgroup v2 memory.max", "cgroup v1 memory"
  std::string pids_mechanism() const;
  std::string cpu_mechanism() const;

  std::optional<std::uint64_t> memory_peak() const;
  std::optional<std::uint64_t> memory_now() const;
  bool oom_killed() const;                  // the kernel's OOM killer acted inside the limit
  std::optional<std::uint64_t> pids_peak() const;
  std::optional<std::uint64_t> pids_now() const;
  bool pids_limit_hit() const;              // a fork failed at pids.max
  std::optional<double> cpu_ms() const;     // CPU time used by every process of the case so far

  // SIGKILLs every process in the cgroups (cgroup.kill where the kernel has it). True if any
  // process was found.
  bool kill_all() const;
  bool empty() const;                       // no process left in any of them

 private:
  void remove();
  std::string memory_, pids_, cpu_, kill_;  // directories (empty: not used)
  bool memory_v2_ = false, pids_v2_ = false, cpu_v2_ = false;
  std::vector<std::string> made_;           // every directory made, for removal
};

}  // namespace conkit::detail
