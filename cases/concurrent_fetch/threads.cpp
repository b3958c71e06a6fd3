// concurrent_fetch/threads.cpp — N fetches that each block for 1u, one std::jthread per fetch.
// Blocking waits on separate threads overlap, so the span is about 1u, not N·u.
// Claims: threads-overlap-io (and, compared with async at --n 1000, async-cheap-scale).
// The threads start their fetch together once all exist (a latch), so thread creation cost stays
// out of the span (spawn_overhead measures it).
// Run: conkit run concurrent_fetch.threads  (argv: the `run:` line of its .expect)
#include <conkit/facts.hpp>
#include <string>
#include <thread>

#include "case_args.hpp"
#include "fetch_threads.hpp"
#include "sanitized.hpp"
#include "task_span.hpp"

int main(int argc, char** argv) {
  const int n = conkit::cases::begin_tasks(argc, argv, "threads");
  if (n > 100 && conkit::cases::sanitizer_name())  // see sanitized.hpp; n = 2 runs everywhere
    conkit::skip(std::string("n > 100 threads under ") + conkit::cases::sanitizer_name() +
                 ": their start-up cost (1.5-1.8u for n = 1000 under TSan here) would be graded, not the model");

  return conkit::cases::run_fetch_threads(n, [] {
    std::this_thread::sleep_for(conkit::unit());  // a blocking "I/O" wait: only this thread waits
    return true;
  });
}
