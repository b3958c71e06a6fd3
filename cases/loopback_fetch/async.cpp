// loopback_fetch/async.cpp — N real fetches over TCP from a local server that answers each after
// 1u, as C++20 coroutines with Asio sockets on one io_context thread. The network waits overlap,
// so the span is about 1u, not N·u, and every fetch body runs on the same thread.
// Claims: async-concurrent-io, async-single-thread. Beside concurrent_fetch (a timer wait) it is
// the caveat "a real fetch, not a timer": the same span over a socket to a server that answers
// after 1u. Why the span separates the models on a noisy machine: overlapped waits end after about
// 1u, waits in turn after N·u; load adds milliseconds (wake-up latency), the difference is units.
// Run: conkit run loopback_fetch.async  (argv: the `run:` line of its .expect)
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <conkit/facts.hpp>
#include <stdexcept>
#include <string>

#include "await_all.hpp"
#include "case_args.hpp"
#include "delay_server.hpp"
#include "sanitized.hpp"
#include "task_span.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;

asio::awaitable<void> fetch_data(unsigned short port, conkit::cases::task_span& span) {
  const auto start = conkit::now_ns();
  conkit::say("Fetching data...");
  conkit::fact("tid", ::syscall(SYS_gettid));  // the thread that runs this task's body
  conkit::fact("pid", ::getpid());
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
  co_await asio::async_write(socket, asio::buffer(std::string_view("GET\n")), asio::use_awaitable);
  std::string reply;  // arrives after 1u: other tasks run meanwhile
  co_await asio::async_read_until(socket, asio::dynamic_buffer(reply), '\n', asio::use_awaitable);
  if (reply != "data\n") throw std::runtime_error("unexpected reply: " + reply);
  conkit::say("Data fetched!");
  span.add(start, conkit::now_ns());
}

asio::awaitable<void> fetch_all(int n, unsigned short port, conkit::cases::task_span& span) {
  conkit::say("Starting async tasks...");
  co_await conkit::cases::await_all(n, [&](int) { return fetch_data(port, span); });
  conkit::say("Async tasks completed!");
}

int main(int argc, char** argv) {
  const int n = conkit::cases::begin_tasks(argc, argv, "async");
  if (n > 10 && conkit::cases::sanitizer_name())  // see sanitized.hpp; n = 2 runs everywhere
    conkit::skip(std::string("n > 10 connections under ") + conkit::cases::sanitizer_name() +
                 ": starting them delays the first request (to 1.6u for n = 100 under TSan here)");

  conkit::cases::reserve_descriptors(2 * n + 16);  // client and server sockets; see delay_server.hpp
  conkit::cases::delay_server server(conkit::unit());
  conkit::cases::task_span span;
  asio::io_context loop;
  asio::co_spawn(loop, fetch_all(n, server.port(), span), conkit::cases::rethrow);
  loop.run();  // the only thread that runs the fetches (the server has its own)
  conkit::fact("span_ms", span.ms());
}
