// cpu_parallelism / threads — W std::jthreads split the same CPU work; native threads run on all
// usable cores at once, so the speedup over the work done in a row approaches min(W, cores) at
// every W of the sweep (speedup.hpp).
// Evidence for: threads-gil-cpu (the native side: no global lock).
// Run: conkit run cpu_parallelism.threads  (argv: the `run:` line of its .expect)
#include "speedup.hpp"

using namespace conkit::cases;

int main(int argc, char** argv) {
  const speedup_setup setup = read_speedup_setup(argc, argv);
  if (setup.cores < 2) conkit::skip("needs >= 2 usable cores");
  return report_speedup("threads", setup, /*per_core=*/true, [](int workers, std::uint64_t rounds) {
    std::vector<double> ms(static_cast<std::size_t>(workers));
    {
      std::vector<std::jthread> threads;
      for (double& slot : ms)
        threads.emplace_back([&slot, rounds] {
          const std::int64_t t0 = conkit::now_ns();
          spin(rounds);
          slot = ms_between(t0, conkit::now_ns());
        });
    }  // the jthreads join here: par_ms includes creating and joining them
    return ms;
  });
}
