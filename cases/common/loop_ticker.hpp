// loop_ticker.hpp — how responsive an event loop stays: a coroutine that asks to wake every
// `period` and records how late each wake-up came (its lag). A loop that is never blocked wakes it
// within the scheduler's latency; a loop stalled by a blocking call or inline CPU work wakes it only
// when the stall ends, so the largest lag is about the length of the longest stall.
//
//   conkit::cases::tick_stats ticks;
//   asio::co_spawn(ctx, conkit::cases::tick(conkit::unit() / 10, ticks), rethrow);
//   ...                      // the work under test; when it is over:
//   ticks.stop = true;       // the ticker ends at its next wake-up
//
// Thread safety: the ticker and whoever sets `stop` run on the same io_context thread.
#pragma once

#include <algorithm>
#include <chrono>

#include <boost/asio.hpp>

namespace conkit::cases {

struct tick_stats {
  int ticks = 0;
  double max_lag_ms = 0;
  bool stop = false;
};

inline boost::asio::awaitable<void> tick(std::chrono::nanoseconds period, tick_stats& stats) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (!stats.stop) {
    timer.expires_after(period);
    co_await timer.async_wait(boost::asio::use_awaitable);
    const std::chrono::duration<double, std::milli> lag = std::chrono::steady_clock::now() - timer.expiry();
    stats.max_lag_ms = std::max(stats.max_lag_ms, lag.count());
    ++stats.ticks;
  }
}

}  // namespace conkit::cases
