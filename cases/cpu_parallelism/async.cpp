// cpu_parallelism / async — W CPU-bound coroutines on one io_context thread run one after another:
// together they take the sum of their times, so the speedup over the same work done in a row is ~1
// at every W of the sweep (speedup.hpp). The work is a fixed total (not per core): one thread.
// Evidence for: async-no-parallelism.
// Run: conkit run cpu_parallelism.async  (argv: the `run:` line of its .expect)
#include "await_all.hpp"
#include "speedup.hpp"

namespace asio = boost::asio;
using namespace conkit::cases;

asio::awaitable<void> task(std::uint64_t rounds, double& ms) {
  const std::int64_t t0 = conkit::now_ns();
  spin(rounds);  // no await inside: nothing else on the loop can run until it ends
  ms = ms_between(t0, conkit::now_ns());
  co_return;
}

int main(int argc, char** argv) {
  const speedup_setup setup = read_speedup_setup(argc, argv);
  return report_speedup("async", setup, /*per_core=*/false, [](int workers, std::uint64_t rounds) {
    asio::io_context ctx;
    std::vector<double> ms(static_cast<std::size_t>(workers));
    for (double& slot : ms)
      asio::co_spawn(ctx, task(rounds, slot), rethrow);
    ctx.run();
    return ms;
  });
}
