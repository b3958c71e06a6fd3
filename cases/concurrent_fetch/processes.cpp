// concurrent_fetch/processes.cpp — N fetches that each block for 1u, one worker process per fetch
// (fetch_workers.hpp). Blocking waits in separate processes overlap, so the span is about 1u, not
// N·u. Claims: procs-overlap-io.
// Run: conkit run concurrent_fetch.processes  (argv: the `run:` line of its .expect)
#include <string>
#include <thread>

#include <conkit/facts.hpp>

#include "case_args.hpp"
#include "fetch_workers.hpp"
#include "sanitized.hpp"
#include "task_span.hpp"

namespace cc = conkit::cases;

int main(int argc, char** argv) {
  if (cc::is_worker(argc, argv))
    return cc::fetch_worker(argv, [] {
      std::this_thread::sleep_for(conkit::unit());  // a blocking "I/O" wait in this process only
      return true;
    });
  const int n = cc::begin_tasks(argc, argv, "processes");
  if (n > 10 && cc::sanitizer_name())  // see sanitized.hpp; n = 2 runs everywhere
    conkit::skip(std::string("n > 10 processes under ") + cc::sanitizer_name() +
                 ": their start-up cost (3.5-7.5u for n = 50 under TSan here) would be graded, not the model");
  return cc::run_fetch_workers(n);
}
