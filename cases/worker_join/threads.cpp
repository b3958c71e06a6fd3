// worker_join/threads.cpp — article 003's threading example in C++: N std::jthreads print
// "Task i started...", block for 1u, print "Task i completed!", and are joined. The blocking
// waits overlap: all start before any completes, and the span is about 1u, not N·u.
// Claims: threads-overlap-io.
// Run: conkit run worker_join.threads  (argv: the `run:` line of its .expect)
#include <sys/syscall.h>
#include <unistd.h>

#include <conkit/facts.hpp>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "case_args.hpp"
#include "task_span.hpp"

int main(int argc, char** argv) {
  const int n = conkit::cases::begin_tasks(argc, argv, "threads");

  std::vector<std::int64_t> starts(n), ends(n);  // slot i is written by thread i only
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < n; ++i)
      threads.emplace_back([&, i] {
        starts[i] = conkit::now_ns();
        conkit::say("Task " + std::to_string(i) + " started...");
        conkit::fact("tid", ::syscall(SYS_gettid));
        conkit::fact("pid", ::getpid());
        std::this_thread::sleep_for(conkit::unit());  // a blocking operation
        conkit::say("Task " + std::to_string(i) + " completed!");
        ends[i] = conkit::now_ns();
      });
  }  // join every thread; the join makes the slots visible here
  conkit::cases::task_span span;
  for (int i = 0; i < n; ++i) span.add(starts[i], ends[i]);
  conkit::fact("span_ms", span.ms());
  conkit::say("All tasks joined.");
}
