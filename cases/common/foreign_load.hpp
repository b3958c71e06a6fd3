// foreign_load.hpp — how much of this process's cores other processes used during a window.
//
// A speedup measured while something else keeps the cores busy says more about that load than about
// the model, so cases that grade a CPU speedup measure the foreign load alongside: the time the cores
// in our affinity mask spent busy (/proc/stat, steal included) minus the CPU time this process and
// its waited-for children used (getrusage). /proc/stat counts clock ticks (10 ms), so a window of a
// few hundred ms is good to a few percent: compare the share against a threshold well above that.
//
//   conkit::cases::foreign_load load;   // opens the window
//   ... measured work ...
//   double share = load.share();        // 0: the cores were ours alone; 1: others used them all
#pragma once

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include <conkit/facts.hpp>

namespace conkit::cases {

class foreign_load {
 public:
  foreign_load() : t0_(now_ns()), busy0_(busy_ms()), own0_(own_ms()) {}

  // Share of the cores' capacity since construction that went to other processes, in [0, 1].
  double share() const {
    const double wall = static_cast<double>(now_ns() - t0_) / 1e6;
    const double foreign = (busy_ms() - busy0_) - (own_ms() - own0_);
    return std::clamp(foreign / (wall * cores()), 0.0, 1.0);
  }

 private:
  static int cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    return sched_getaffinity(0, sizeof set, &set) == 0 ? std::max(1, CPU_COUNT(&set)) : 1;
  }

  static double own_ms() {
    rusage self{}, children{};
    ::getrusage(RUSAGE_SELF, &self);
    ::getrusage(RUSAGE_CHILDREN, &children);
    auto ms = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) * 1e3 + static_cast<double>(tv.tv_usec) / 1e3; };
    return ms(self.ru_utime) + ms(self.ru_stime) + ms(children.ru_utime) + ms(children.ru_stime);
  }

  // Busy time of the cores we may run on: user nice system (idle iowait) irq softirq steal.
  static double busy_ms() {
    cpu_set_t set;
    CPU_ZERO(&set);
    const bool masked = sched_getaffinity(0, sizeof set, &set) == 0;
    std::ifstream stat("/proc/stat");
    double ticks = 0;
    for (std::string line; std::getline(stat, line);) {
      if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] == ' ') continue;  // per-core lines only
      std::istringstream fields(line.substr(3));
      int cpu = 0;
      double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
      fields >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
      if (!masked || CPU_ISSET(cpu, &set)) ticks += user + nice + system + irq + softirq + steal;
    }
    return ticks * 1e3 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

  std::int64_t t0_;
  double busy0_, own0_;
};

}  // namespace conkit::cases
