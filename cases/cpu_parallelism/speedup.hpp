// speedup.hpp — the measurement every cpu_parallelism case shares: the same CPU work run on this
// thread one task after another (the baseline), then by the model under test; speedup = seq / par.
//
// Flags: --workers W (tasks, default 2); --work-u K (CPU time of all W tasks together, in units,
// calibrated; default 2); --reps R (default 3); --max-foreign-load S (default 0.10; 1 keeps every
// repetition, to study what load does to the speedup). Each repetition runs the baseline and then
// the model back to back, so a burst of load from elsewhere tends to hit both; the best time of each
// over the R repetitions is kept. A repetition during which other processes used more than S of
// the cores (foreign_load.hpp) is dropped and reported; after two dropped ones the case stops, and
// if it kept none it SKIPs: a busy machine cannot decide a speedup.
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

struct speedup_setup {
  int workers;
  int cores;
  int reps;
  std::uint64_t rounds_per_task;
  double max_foreign_load;
};

// The default of --max-foreign-load: a quiet machine measures 0-4% here (clock-tick rounding), one
// compiler job on two cores about 50%.
constexpr double disturbed_share = 0.10;

inline speedup_setup read_speedup_setup(int argc, char** argv) {
  const int workers = std::max(1, int_arg(argc, argv, "--workers", 2));
  const double work_u = number_arg(argc, argv, "--work-u", 2.0);
  const auto total = std::chrono::duration_cast<std::chrono::nanoseconds>(work_u * unit());
  return {workers, usable_cores(), std::max(1, int_arg(argc, argv, "--reps", 3)),
          rounds_for(total) / static_cast<std::uint64_t>(workers),
          number_arg(argc, argv, "--max-foreign-load", disturbed_share)};
}

// run_model(workers, rounds) runs `workers` tasks of `rounds` each and returns each task's inner
// time in ms. Writes the cpu_parallelism facts and prints a short summary ending in "done".
// run_model(workers, rounds) runs `workers` tasks of `rounds` each and returns each task's inner
// time in ms. Writes the cpu_parallelism facts and prints a short summary ending in "done"; when
// every repetition was disturbed by foreign load, the speedup cannot be decided here: SKIP.
template <class RunModel>
int report_speedup(const char* model, const speedup_setup& s, RunModel run_model) {
  double seq_ms = std::numeric_limits<double>::max(), par_ms = seq_ms, kept_load = 0, least_load = 1;
  std::vector<double> best_tasks;
  int kept = 0, dropped = 0;
  while (kept < s.reps && dropped < 2) {  // two dropped repetitions: the load is not a passing burst
    const foreign_load load;
    const std::int64_t t0 = now_ns();
    for (int w = 0; w < s.workers; ++w) spin(s.rounds_per_task);
    const std::int64_t t1 = now_ns();
    std::vector<double> tasks = run_model(s.workers, s.rounds_per_task);
    const std::int64_t t2 = now_ns();
    const double share = load.share();
    least_load = std::min(least_load, share);
    if (share > s.max_foreign_load) {
      say("repetition dropped: other processes used " + std::to_string(share * 100) + "% of the cores");
      ++dropped;
      continue;
    }
    ++kept;
    kept_load = std::max(kept_load, share);
    seq_ms = std::min(seq_ms, ms_between(t0, t1));
    if (ms_between(t1, t2) < par_ms) par_ms = ms_between(t1, t2), best_tasks = std::move(tasks);
  }
  fact("unit_ms", unit().count());
  fact("model", model);
  fact("workers", s.workers);
  fact("cores", s.cores);
  if (kept == 0) {
    fact("foreign_load", least_load);
    skip("machine busy: other processes used >= " + std::to_string(static_cast<int>(least_load * 100)) +
         "% of the cores in every repetition");
  }
  fact("foreign_load", kept_load);
  fact("seq_ms", seq_ms);
  fact("par_ms", par_ms);
  fact("speedup", seq_ms / par_ms);
  for (double t : best_tasks) fact("task_ms", t);
  say("sequential: " + std::to_string(seq_ms) + " ms");
  say(std::string(model) + " x" + std::to_string(s.workers) + ": " + std::to_string(par_ms) + " ms");
  say("speedup: " + std::to_string(seq_ms / par_ms));
  say("done");
  return 0;
}

}  // namespace conkit::cases
