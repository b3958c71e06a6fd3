// spawn_overhead / threads — what one std::jthread costs: the time to create and join one, and the
// memory one holds while K of them are blocked on a std::latch at once (touched stack, TLS, kernel
// task; the 8 MB stack reservation is address space, not memory).
// Evidence for: async-cheap-scale, threads-low-overhead (with the other models of this scenario).
// Run: conkit run spawn_overhead.threads  (argv: the `run:` line of its .expect)
#include <latch>

#include "overhead.hpp"

using namespace conkit::cases;

int main(int argc, char** argv) {
  // 1,000: enough to average out one slow creation; far below the thread limits here.
  const int units = int_arg(argc, argv, "--units", 1000);
  std::vector<std::jthread> threads;
  threads.reserve(static_cast<std::size_t>(units));
  std::latch ready(units), gate(1);
  const long before = rss_kib();
  for (int i = 0; i < units; ++i) threads.emplace_back([&] { ready.count_down(); gate.wait(); });
  ready.wait();  // every thread is up and about to block on the gate
  const long idle = rss_kib() - before;
  gate.count_down();
  threads.clear();  // joins

  const std::int64_t t0 = conkit::now_ns();
  for (int i = 0; i < units; ++i) threads.emplace_back([] {});
  threads.clear();
  return report_overhead("threads", units, t0, conkit::now_ns(), idle);
}
