// speedup.hpp — the measurement every native cpu_parallelism case shares: a sweep over the number of
// tasks W, each point compared with the same CPU work done on this thread in a row; speedup = seq / par.
//
// The sweep (sweep_widths): W = 1, 2, 4, ... below the usable cores, the usable cores, and twice
// that (the plateau: more tasks than cores cannot go faster). Each point's work is `work_u` units
// of CPU per core the point can use, min(W, cores), split evenly into W tasks, so its ideal parallel
// time is about work_u at every W and every machine width: a fixed total split 64 ways would leave
// each task a few ms, and start-up, not parallelism, would decide the figure. A model that runs on
// one thread (async) gets the fixed total work_u instead (`per_core = false`): its ideal speedup is
// 1 at every W, and its sweep must not cost W times more on a wide machine. The baseline is
// measured once per repetition on work_u and scaled by the point's work (spin() is pure register
// arithmetic: its time is linear in the rounds).
//
// Flags: --workers W (one point only; default: the sweep); --work-u K (default 1, processes under a
// sanitizer 2: see processes.cpp); --reps R (default 3); --max-foreign-load S (default 0.10; 1
// keeps every repetition, to study what load does to the speedup). A repetition runs the baseline
// and then every point back to back, so a burst of load from elsewhere tends to hit all of them;
// the best time of each over the R repetitions is kept. A repetition during which other processes
// used more than S of the cores (foreign_load.hpp) is dropped and reported; after two dropped ones
// the case stops, and if it kept none it SKIPs: a busy machine cannot decide a speedup.
//
// Facts (docs/facts.md): `sweep_points`, then per point, in sweep order, `sweep_workers`, `sweep_speedup`,
// `sweep_efficiency` (speedup / min(W, cores)) and `sweep_par_ms`; for the point the claims read,
// W = usable cores (or the one --workers point), `workers`, `seq_ms`, `par_ms`, `speedup` and one
// `task_ms` per task. Why the figure separates the models on a noisy machine: it is a ratio of two
// times measured back to back on the same rounds, kept only from repetitions that other processes
// left alone, and the models differ by a factor min(W, cores), not by a few percent.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <case_args.hpp>
#include <conkit/cores.hpp>
#include <cpu_work.hpp>
#include <foreign_load.hpp>
#include <conkit/facts.hpp>

namespace conkit::cases {

// W = 1, 2, 4, ... below `cores`, then `cores` and 2·cores: 1 2 4 on two cores, 1 2 3 6 on three.
inline std::vector<int> sweep_widths(int cores) {
  std::vector<int> ws;
  for (int w = 1; w < cores; w *= 2) ws.push_back(w);
  ws.push_back(cores);
  ws.push_back(2 * cores);
  return ws;
}

struct speedup_setup {
  std::vector<int> widths;  // the W of each point
  int claimed;              // the W the claims read: the usable cores, or the one --workers point
  int cores;
  int reps;
  std::uint64_t rounds_per_core;  // work_u of CPU time, calibrated
  double max_foreign_load;
};

// The default of --max-foreign-load: a quiet machine measures 0-4% here (clock-tick rounding), one
// compiler job on two cores about 50%.
constexpr double disturbed_share = 0.10;

inline speedup_setup read_speedup_setup(int argc, char** argv, double default_work_u = 1.0) {
  const int cores = usable_cores();
  const int one = int_arg(argc, argv, "--workers", 0);
  const double work_u = number_arg(argc, argv, "--work-u", default_work_u);
  const auto per_core = std::chrono::duration_cast<std::chrono::nanoseconds>(work_u * unit());
  return {one > 0 ? std::vector<int>{one} : sweep_widths(cores), one > 0 ? one : cores, cores,
          std::max(1, int_arg(argc, argv, "--reps", 3)), rounds_for(per_core),
          number_arg(argc, argv, "--max-foreign-load", disturbed_share)};
}

// run_model(workers, rounds) runs `workers` tasks of `rounds` each and returns each task's inner
// time in ms. Writes the cpu_parallelism facts and prints one line per point and "done"; when every
// repetition was disturbed by foreign load, the speedup cannot be decided here: SKIP.
template <class RunModel>
int report_speedup(const char* model, const speedup_setup& s, bool per_core, RunModel run_model) {
  struct point {
    int workers;
    double scale;  // the point's work in units of the baseline's
    std::uint64_t rounds_per_task;
    double par_ms = std::numeric_limits<double>::max();
    std::vector<double> tasks = {};  // from the fastest repetition
  };
  std::vector<point> points;
  for (int w : s.widths) {
    const double scale = per_core ? std::min(w, s.cores) : 1;
    point p{w, scale, static_cast<std::uint64_t>(scale * static_cast<double>(s.rounds_per_core)) / static_cast<std::uint64_t>(w)};
    points.push_back(std::move(p));
  }
  double seq_ms = std::numeric_limits<double>::max(), kept_load = 0, least_load = 1;
  int kept = 0, dropped = 0;
  while (kept < s.reps && dropped < 2) {  // two dropped repetitions: the load is not a passing burst
    const foreign_load load;
    const std::int64_t t0 = now_ns();
    spin(s.rounds_per_core);
    const double rep_seq_ms = ms_between(t0, now_ns());
    std::vector<std::pair<double, std::vector<double>>> rep;  // par_ms, task times per point
    for (const point& p : points) {
      const std::int64_t t1 = now_ns();
      std::vector<double> tasks = run_model(p.workers, p.rounds_per_task);
      rep.emplace_back(ms_between(t1, now_ns()), std::move(tasks));
    }
    const double share = load.share();
    least_load = std::min(least_load, share);
    if (share > s.max_foreign_load) {
      say("repetition dropped: other processes used " + std::to_string(share * 100) + "% of the cores");
      ++dropped;
      continue;
    }
    ++kept;
    kept_load = std::max(kept_load, share);
    seq_ms = std::min(seq_ms, rep_seq_ms);
    for (std::size_t i = 0; i < points.size(); ++i)
      if (rep[i].first < points[i].par_ms) points[i].par_ms = rep[i].first, points[i].tasks = std::move(rep[i].second);
  }
  fact("unit_ms", unit().count());
  fact("model", model);
  fact("workers", s.claimed);
  fact("cores", s.cores);
  if (kept == 0) {
    fact("foreign_load", least_load);
    skip("machine busy: other processes used >= " + std::to_string(static_cast<int>(least_load * 100)) +
         "% of the cores in every repetition");
  }
  fact("foreign_load", kept_load);
  fact("baseline_ms", seq_ms);
  fact("sweep_points", static_cast<int>(points.size()));
  say("sequential: " + std::to_string(seq_ms) + " ms per core's share");
  bool claimed_written = false;
  for (const point& p : points) {
    const double speedup = seq_ms * p.scale / p.par_ms, ideal = std::min(p.workers, s.cores);
    fact("sweep_workers", p.workers);
    fact("sweep_speedup", speedup);
    fact("sweep_efficiency", speedup / ideal);
    fact("sweep_par_ms", p.par_ms);
    say(std::string(model) + " x" + std::to_string(p.workers) + ": " + std::to_string(p.par_ms) + " ms, speedup " +
        std::to_string(speedup));
    if (p.workers != s.claimed || claimed_written) continue;
    claimed_written = true;
    fact("seq_ms", seq_ms * p.scale);
    fact("par_ms", p.par_ms);
    fact("speedup", speedup);
    for (double t : p.tasks) fact("task_ms", t);
  }
  say("done");
  return 0;
}

}  // namespace conkit::cases
