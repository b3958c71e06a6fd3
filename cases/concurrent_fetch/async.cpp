// concurrent_fetch/async.cpp — article 003's asyncio example in C++: N fetches that each wait 1u,
// run as C++20 coroutines on one io_context thread. The waits overlap, so the span is about 1u,
// not N·u, and every task body runs on the same thread.
// Claims: async-concurrent-io, async-single-thread (with --n 1000: async-cheap-scale).
// --sequential awaits each fetch before starting the next: the same lines in another order and a
// span of N·u; a meta test checks that this variant FAILS the same expected file.
// Run: conkit run concurrent_fetch.async  (argv: the `run:` line of its .expect)
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <conkit/facts.hpp>
#include <vector>

#include "await_all.hpp"
#include "case_args.hpp"
#include "task_span.hpp"

namespace asio = boost::asio;

// What the fetches leave behind. Their tid facts are written after the loop ends, so that with
// --n 1000 the only output inside the measured span is the lines themselves.
struct fetch_record {
  conkit::cases::task_span span;
  std::vector<long> tids;  // the thread that ran each fetch's body
};

asio::awaitable<void> fetch_data(fetch_record& rec) {
  const auto start = conkit::now_ns();
  conkit::say("Fetching data...");
  rec.tids.push_back(::syscall(SYS_gettid));
  asio::steady_timer io(co_await asio::this_coro::executor, conkit::unit());
  co_await io.async_wait(asio::use_awaitable);  // the simulated I/O: other tasks run meanwhile
  conkit::say("Data fetched!");
  rec.span.add(start, conkit::now_ns());
}

asio::awaitable<void> fetch_all(int n, bool sequential, fetch_record& rec) {
  conkit::say("Starting async tasks...");
  if (sequential) {
    for (int i = 0; i < n; ++i) co_await fetch_data(rec);
  } else {
    // Like asyncio.create_task() for each, then await them all.
    co_await conkit::cases::await_all(n, [&](int) { return fetch_data(rec); });
  }
  conkit::say("Async tasks completed!");
}

int main(int argc, char** argv) {
  const int n = conkit::cases::begin_tasks(argc, argv, "async");
  const bool sequential = conkit::cases::has_flag(argc, argv, "--sequential");
  conkit::fact("variant", sequential ? "sequential" : "concurrent");

  fetch_record rec;
  asio::io_context loop;
  asio::co_spawn(loop, fetch_all(n, sequential, rec), conkit::cases::rethrow);
  loop.run();  // the only thread that runs the tasks
  for (long tid : rec.tids) {
    conkit::fact("tid", tid);
    conkit::fact("pid", ::getpid());
  }
  conkit::fact("span_ms", rec.span.ms());
}
