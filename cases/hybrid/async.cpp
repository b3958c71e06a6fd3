// hybrid / async — article 003's "combine them": an io_context keeps a ticker (every u/10) while
// about 3u of CPU work runs. Variant pool: the work runs in worker processes (Boost.Process v2) and
// the loop awaits their exit asynchronously, so the ticker stays on time. Variant inline: the same
// work runs on the loop itself, and the ticker is late by about the work's whole length.
// Evidence for: combine-async-procs.
// Run: conkit run hybrid.async.pool  (argv: the `run:` line of its .expect)
#include <await_all.hpp>
#include <case_args.hpp>
#include <cpu_work.hpp>
#include <loop_ticker.hpp>
#include <worker.hpp>

namespace asio = boost::asio;
using namespace conkit::cases;

struct work_order {
  bool pool;
  int workers;
  std::uint64_t rounds;
};

asio::awaitable<void> work(asio::io_context& ctx, work_order order, double& work_ms, tick_stats& ticks) {
  conkit::say("work started");
  const std::int64_t t0 = conkit::now_ns();
  if (order.pool) {
    const std::string share = std::to_string(order.rounds / static_cast<std::uint64_t>(order.workers));
    std::vector<bp::process> procs;
    for (int w = 0; w < order.workers; ++w) procs.push_back(spawn_worker(ctx, {"spin", share}));
    for (auto& p : procs)  // the loop is free while it waits
      if (co_await p.async_wait(asio::use_awaitable) != 0) throw std::runtime_error("worker failed");
  } else {
    spin(order.rounds);  // on the loop thread: nothing else runs until it ends
  }
  work_ms = ms_between(t0, conkit::now_ns());
  conkit::say("work finished");
  ticks.stop = true;
}

int main(int argc, char** argv) {
  if (is_worker(argc, argv)) {  // argv: self --worker spin ROUNDS
    spin(std::stoull(argv[3]));
    return 0;
  }
  const std::string variant = string_arg(argc, argv, "--variant", "pool");
  if (variant != "pool" && variant != "inline") return std::fprintf(stderr, "unknown variant\n"), 2;
  const double work_u = number_arg(argc, argv, "--work-u", 3.0);  // CPU time of the work, in units
  const work_order order{variant == "pool", int_arg(argc, argv, "--workers", 2),
                         rounds_for(std::chrono::duration_cast<std::chrono::nanoseconds>(work_u * conkit::unit()))};
  asio::io_context ctx;
  tick_stats ticks;
  double work_ms = 0;
  asio::co_spawn(ctx, tick(conkit::unit() / 10, ticks), conkit::cases::rethrow);
  asio::co_spawn(ctx, work(ctx, order, work_ms, ticks), conkit::cases::rethrow);
  ctx.run();
  conkit::fact("unit_ms", conkit::unit().count());
  conkit::fact("model", "async");
  conkit::fact("variant", variant);
  conkit::fact("work_ms", work_ms);
  conkit::fact("max_tick_lag_ms", ticks.max_lag_ms);
  conkit::fact("ticks", ticks.ticks);
  conkit::say("done");
}
