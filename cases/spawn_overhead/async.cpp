// spawn_overhead / async — what one coroutine costs: the time to co_spawn and finish one, and the
// memory one holds while K of them wait at once, each on its own steady_timer.
// Evidence for: async-cheap-scale (with the threads and processes cases of this scenario).
// Run: conkit run spawn_overhead.async  (argv: the `run:` line of its .expect)
#include <boost/asio/as_tuple.hpp>

#include "await_all.hpp"
#include "overhead.hpp"

namespace asio = boost::asio;
using namespace conkit::cases;

asio::awaitable<void> wait_until_cancelled(std::vector<asio::steady_timer*>& waiting) {
  asio::steady_timer timer(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  waiting.push_back(&timer);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));  // ends when main cancels it
}

asio::awaitable<void> finish_at_once() { co_return; }

int main(int argc, char** argv) {
  // 10,000: the "thousands of waiting tasks" the articles promise; a few MB in all.
  const int units = int_arg(argc, argv, "--units", 10000);
  asio::io_context ctx;
  std::vector<asio::steady_timer*> waiting;
  waiting.reserve(static_cast<std::size_t>(units));
  const long before = rss_kib();
  for (int i = 0; i < units; ++i) asio::co_spawn(ctx, wait_until_cancelled(waiting), rethrow);
  ctx.poll();  // runs every coroutine up to its wait, and no further
  const long idle = rss_kib() - before;
  if (waiting.size() != static_cast<std::size_t>(units)) throw std::runtime_error("not all coroutines waiting");
  for (asio::steady_timer* timer : waiting) timer->cancel();
  ctx.run();

  ctx.restart();
  const std::int64_t t0 = conkit::now_ns();
  for (int i = 0; i < units; ++i) asio::co_spawn(ctx, finish_at_once(), rethrow);
  ctx.run();
  return report_overhead("async", units, t0, conkit::now_ns(), idle);
}
