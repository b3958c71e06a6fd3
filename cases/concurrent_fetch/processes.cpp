// concurrent_fetch/processes.cpp — N fetches that each block for 1u, one worker process per fetch
// (Boost.Process v2 re-executing this program). Blocking waits in separate processes overlap, so
// the span is about 1u, not N·u. Claims: procs-overlap-io.
// The workers start their fetch together once all are spawned (a start gate), so spawn cost stays
// out of the span (spawn_overhead measures it); they send their inner stamps back for span_ms.
// Run: conkit check --expect expected/concurrent_fetch/processes.expect --unit 100ms --
//        build/cases/case_concurrent_fetch_processes [--n N]
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <conkit/facts.hpp>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "case_args.hpp"
#include "sanitized.hpp"
#include "task_span.hpp"
#include "worker.hpp"
#include "worker_pipes.hpp"

namespace cc = conkit::cases;

// argv: <self> --worker fetch GATE_FD STAMP_FD
int fetch_worker(char** argv) {
  cc::wait_at_gate(std::stoi(argv[3]));
  const auto start = conkit::now_ns();
  conkit::say("Fetching data...");
  conkit::fact("tid", ::syscall(SYS_gettid));
  conkit::fact("pid", ::getpid());
  std::this_thread::sleep_for(conkit::unit());  // a blocking "I/O" wait in this process only
  conkit::say("Data fetched!");
  cc::send_stamps(std::stoi(argv[4]), start, conkit::now_ns());
  return 0;
}

int main(int argc, char** argv) {
  if (cc::is_worker(argc, argv)) return fetch_worker(argv);
  const int n = cc::int_arg(argc, argv, "--n", 2);
  conkit::fact("model", "processes");
  conkit::fact("unit_ms", conkit::unit().count());
  conkit::fact("n", n);
  if (n > 10 && cc::sanitizer_name())  // see sanitized.hpp; n = 2 runs everywhere
    conkit::skip(std::string("n > 10 processes under ") + cc::sanitizer_name() +
                 ": their start-up cost (3.5-7.5u for n = 50 under TSan here) would be graded, not the model");

  conkit::say("Starting process tasks...");
  boost::asio::io_context ctx;
  cc::start_gate gate;
  cc::stamp_channel stamps;
  std::vector<cc::bp::process> workers;
  for (int i = 0; i < n; ++i)
    workers.push_back(cc::spawn_worker(ctx, {"fetch", gate.arg(), stamps.arg()}, gate.pass(), stamps.pass()));
  gate.open();
  int failed = 0;
  for (auto& w : workers) failed += w.wait() != 0;
  cc::task_span span;
  for (auto [start, end] : stamps.collect()) span.add(start, end);
  conkit::fact("span_ms", span.ms());
  if (failed) {
    std::fprintf(stderr, "%d of %d workers failed\n", failed, n);
    return 1;
  }
  conkit::say("Process tasks completed!");
}
