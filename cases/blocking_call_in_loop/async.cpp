// blocking_call_in_loop / async — N coroutines on one io_context each wait 1u. Awaited (a
// steady_timer), the waits overlap: all N end after about 1u and the loop stays free. Blocking
// (std::this_thread::sleep_for inside the coroutine), each wait holds the only loop thread: they run
// one after another (about N·u) and a ticker that asks to wake every u/10 is late by all of them.
// Evidence for: async-blocking-stalls.
// Run: conkit run blocking_call_in_loop.async.blocking  (argv: the `run:` line of its .expect)
#include <await_all.hpp>
#include <case_args.hpp>
#include <loop_ticker.hpp>

namespace asio = boost::asio;
using namespace conkit::cases;

struct tasks_state {
  int running;
  std::int64_t first_start = 0, last_end = 0;
};

asio::awaitable<void> task(int i, bool blocking, tasks_state& state, tick_stats& ticks) {
  conkit::say("task " + std::to_string(i) + " waiting");
  if (state.first_start == 0) state.first_start = conkit::now_ns();
  if (blocking) {
    std::this_thread::sleep_for(conkit::unit());  // the mistake this case shows
  } else {
    asio::steady_timer timer(co_await asio::this_coro::executor, conkit::unit());
    co_await timer.async_wait(asio::use_awaitable);
  }
  state.last_end = conkit::now_ns();
  conkit::say("task " + std::to_string(i) + " done");
  if (--state.running == 0) ticks.stop = true;
}

int main(int argc, char** argv) {
  const std::string variant = string_arg(argc, argv, "--variant", "awaited");
  if (variant != "blocking" && variant != "awaited") return std::fprintf(stderr, "unknown variant\n"), 2;
  const int n = int_arg(argc, argv, "--n", 3);
  asio::io_context ctx;
  tick_stats ticks;
  tasks_state state{n};
  asio::co_spawn(ctx, tick(conkit::unit() / 10, ticks), conkit::cases::rethrow);
  for (int i = 0; i < n; ++i) asio::co_spawn(ctx, task(i, variant == "blocking", state, ticks), conkit::cases::rethrow);
  ctx.run();
  conkit::fact("unit_ms", conkit::unit().count());
  conkit::fact("model", "async");
  conkit::fact("variant", variant);
  conkit::fact("n", n);
  conkit::fact("span_ms", static_cast<double>(state.last_end - state.first_start) / 1e6);
  conkit::fact("loop_lag_ms", ticks.max_lag_ms);
  conkit::say("done");
}
