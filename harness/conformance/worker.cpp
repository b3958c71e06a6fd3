// conkit_conformance_worker — the child program of the process-pool conformance suite. Reads framed
// jobs (conkit/conformance/job.hpp) on stdin until EOF and writes one framed answer per job on
// stdout. With --once it exits after the first answer (for pools that start a process per job).
// Exit code 0 at EOF (or after the one job), 2 on a broken frame or an unknown job.
//
// Run: conkit_conformance_worker [--once]   (started by a process pool, framed jobs on stdin)
#include <cstdio>
#include <exception>
#include <string_view>

#include <conkit/conformance/job.hpp>

int main(int argc, char** argv) {
  namespace job = conkit::conformance::job;
  const bool once = argc > 1 && std::string_view(argv[1]) == "--once";
  for (bool first = true; first || !once; first = false) {
    auto request = job::framed_read(0);
    if (!request) return 0;  // EOF between jobs: the pool is done with us
    try {
      if (!job::framed_write(1, job::perform(*request))) return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "conkit_conformance_worker: %s\n", e.what());
      return 2;
    }
  }
  return 0;
}
