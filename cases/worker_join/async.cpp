// worker_join/async.cpp — article 003's worker example as C++20 coroutines on one io_context
// thread: N tasks print "Task i started...", wait 1u on a steady_timer, print "Task i completed!",
// and are awaited together. The waits overlap on one thread: all start before any completes and
// the span is about 1u, not N·u. Claims: async-concurrent-io, async-single-thread.
// Run: conkit run worker_join.async  (argv: the `run:` line of its .expect)
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <conkit/facts.hpp>
#include <string>

#include "await_all.hpp"
#include "case_args.hpp"
#include "task_span.hpp"

namespace asio = boost::asio;

asio::awaitable<void> task(int i, conkit::cases::task_span& span) {
  const auto start = conkit::now_ns();
  conkit::say("Task " + std::to_string(i) + " started...");
  conkit::fact("tid", ::syscall(SYS_gettid));
  conkit::fact("pid", ::getpid());
  asio::steady_timer wait(co_await asio::this_coro::executor, conkit::unit());
  co_await wait.async_wait(asio::use_awaitable);  // other tasks run meanwhile
  conkit::say("Task " + std::to_string(i) + " completed!");
  span.add(start, conkit::now_ns());
}

asio::awaitable<void> join_all(int n, conkit::cases::task_span& span) {
  co_await conkit::cases::await_all(n, [&](int i) { return task(i, span); });
  conkit::say("All tasks joined.");
}

int main(int argc, char** argv) {
  const int n = conkit::cases::begin_tasks(argc, argv, "async");

  conkit::cases::task_span span;
  asio::io_context loop;
  asio::co_spawn(loop, join_all(n, span), conkit::cases::rethrow);
  loop.run();  // the only thread that runs the tasks
  conkit::fact("span_ms", span.ms());
}
