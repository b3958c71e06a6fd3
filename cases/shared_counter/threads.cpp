// shared_counter under threads: W std::jthreads add 1 to one shared int I times each, then the
// main thread reads it. Threads share memory, so the main thread sees their writes; without
// synchronization the increments race and updates are lost.
//   --variant racy    a plain load and a plain store per increment (a data race on `counter`)
//   --variant mutex   the same load and store, under a std::mutex
//   --variant atomic  std::atomic_ref<int>(counter).fetch_add(1)
// The workers start together: each counts down a std::latch and spins until every other worker
// has too, so at release all of them are on a CPU at once. That forces overlapping runs without
// touching the counter's own synchronization. The default I keeps each worker counting for tens
// of ms: on a busy 2-core machine the threads may not get a core each at first.
// Claims: threads-share-memory, threads-race.
// Run: conkit run shared_counter.threads.racy  (argv: the `run:` line of its .expect)
#include <atomic>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <conkit/facts.hpp>

#include "case_args.hpp"
#include "counter_report.hpp"

namespace {
// A plain int on purpose: all three variants update the very same variable.
alignas(std::atomic_ref<int>::required_alignment) int counter = 0;
std::mutex counter_lock;

// Compiler barriers around the read-modify-write keep one plain load and one plain store per
// iteration (-O2 may not fold the loop into `counter += I`), and a few empty steps widen the
// window between them: a thread preempted there (two threads sharing a busy core) holds a stale
// value, as a thread running in parallel on another core does.
inline void add_one_unguarded() {
  asm volatile("" ::: "memory");
  const int seen = counter;  // plain load
  for (int step = 0; step < 16; ++step) asm volatile("" : "+r"(step));  // opaque: not unrolled away
  counter = seen + 1;  // plain store
}

// One loop per variant, chosen before the threads start.
void count_racy(int iterations) {
  for (int i = 0; i < iterations; ++i) add_one_unguarded();
}
void count_mutex(int iterations) {
  for (int i = 0; i < iterations; ++i) {
    std::lock_guard hold(counter_lock);  // the same read-modify-write, under the lock
    add_one_unguarded();
  }
}
void count_atomic(int iterations) {
  for (int i = 0; i < iterations; ++i) std::atomic_ref<int>(counter).fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

int main(int argc, char** argv) {
  std::string variant = "racy";
  int workers = 2, iterations = 4'000'000;
  conkit::cases::choice_arg(argc, argv, "--variant", variant, {"racy", "mutex", "atomic"});
  conkit::cases::range_arg(argc, argv, "--workers", workers, 1, 64);
  conkit::cases::range_arg(argc, argv, "--iterations", iterations, 1, 100'000'000);

  const auto count = variant == "mutex"    ? count_mutex
                    : variant == "atomic" ? count_atomic
                                          : count_racy;
  conkit::say("Counting with " + std::to_string(workers) + " threads, variant " + variant + "...");
  std::latch start(workers);
  {
    std::vector<std::jthread> pool;
    for (int w = 0; w < workers; ++w)
      pool.emplace_back([&] {
        start.count_down();
        while (!start.try_wait()) {}  // spin: a blocking wait would wake up late
        count(iterations);
      });
  }  // joined: every write happens-before the read below
  conkit::cases::report_counter("threads", variant, workers, iterations, counter);
  conkit::say("done");
}
