// worker_join/processes.cpp — article 003's multiprocessing example in C++: N worker processes
// (Boost.Process v2 re-executing this program) print "Task i started...", block for 1u, print
// "Task i completed!", and are waited for. The waits overlap: all start before any completes and
// the span is about 1u plus the spawn stagger, not N·u. Claims: procs-overlap-io.
// As in the article, each worker starts as soon as it is spawned (no start gate); the workers
// send their inner stamps back for span_ms.
// Run: conkit run worker_join.processes  (argv: the `run:` line of its .expect)
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <conkit/facts.hpp>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "case_args.hpp"
#include "task_span.hpp"
#include "worker.hpp"
#include "worker_pipes.hpp"

namespace cc = conkit::cases;

// argv: <self> --worker task I STAMP_FD
int task_worker(char** argv) {
  const std::string id = argv[3];
  const auto start = conkit::now_ns();
  conkit::say("Task " + id + " started...");
  conkit::fact("tid", ::syscall(SYS_gettid));
  conkit::fact("pid", ::getpid());
  std::this_thread::sleep_for(conkit::unit());  // a blocking operation
  conkit::say("Task " + id + " completed!");
  cc::send_stamps(std::stoi(argv[4]), start, conkit::now_ns());
  return 0;
}

int main(int argc, char** argv) {
  if (cc::is_worker(argc, argv)) return task_worker(argv);
  const int n = cc::begin_tasks(argc, argv, "processes");

  boost::asio::io_context ctx;
  cc::stamp_channel stamps;
  std::vector<cc::bp::process> workers;
  for (int i = 0; i < n; ++i)
    workers.push_back(cc::spawn_worker(ctx, {"task", std::to_string(i), stamps.arg()}, stamps.pass()));
  int failed = 0;
  for (auto& w : workers) failed += w.wait() != 0;
  cc::task_span span;
  for (auto [start, end] : stamps.collect()) span.add(start, end);
  conkit::fact("span_ms", span.ms());
  if (failed) {
    std::fprintf(stderr, "%d of %d workers failed\n", failed, n);
    return 1;
  }
  conkit::say("All tasks joined.");
}
