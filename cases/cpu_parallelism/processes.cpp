// cpu_parallelism / processes — W worker processes (Boost.Process v2) split the same CPU work and
// run on all usable cores at once, at every W of the sweep (speedup.hpp); the parent's time runs
// from the first spawn to the last exit, so it includes the spawn cost. Each worker prints its
// inner task time on its stdout pipe.
// Evidence for: procs-parallel-cpu.
// Run: conkit run cpu_parallelism.processes  (argv: the `run:` line of its .expect)
#include "speedup.hpp"
#include <sanitized.hpp>
#include <worker.hpp>

namespace asio = boost::asio;
using namespace conkit::cases;

int spin_worker(char** argv) {  // argv: self --worker spin ROUNDS
  const std::int64_t t0 = conkit::now_ns();
  spin(std::stoull(argv[3]));
  conkit::say(std::to_string(ms_between(t0, conkit::now_ns())));
  return 0;
}

int main(int argc, char** argv) {
  if (is_worker(argc, argv)) return spin_worker(argv);
  // A sanitized worker starts its runtime first (TSan: about 10 ms of CPU each), inside the timed
  // window: twice the work keeps that start-up as small a part of it as in the default build.
  const speedup_setup setup = read_speedup_setup(argc, argv, sanitizer_name() ? 2.0 : 1.0);
  if (setup.cores < 2) conkit::skip("needs >= 2 usable cores");
  return report_speedup("processes", setup, /*per_core=*/true, [](int workers, std::uint64_t rounds) {
    asio::io_context ctx;
    std::vector<asio::readable_pipe> outs;
    std::vector<bp::process> procs;
    outs.reserve(static_cast<std::size_t>(workers));  // the pipes must not move once bound
    for (int w = 0; w < workers; ++w) {
      outs.emplace_back(ctx);
      procs.push_back(spawn_worker(ctx, {"spin", std::to_string(rounds)}, bp::process_stdio{{}, outs.back(), {}}));
    }
    std::vector<double> ms;
    for (int w = 0; w < workers; ++w) {
      std::string text;
      boost::system::error_code eof;
      asio::read(outs[w], asio::dynamic_buffer(text), eof);  // until the worker closes its stdout
      if (procs[w].wait() != 0 || text.empty()) throw std::runtime_error("worker failed");
      ms.push_back(std::stod(text));
    }
    return ms;
  });
}
