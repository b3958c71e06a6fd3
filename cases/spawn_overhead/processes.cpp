// spawn_overhead / processes — what one worker process costs: the time to spawn (Boost.Process v2,
// fork + exec of this program) and reap one, and the memory one holds while K of them block reading
// their stdin pipe at once: the sum of the children's PSS (shared pages split among sharers).
// Evidence for: procs-high-overhead, async-cheap-scale (with the other models of this scenario).
// Run: conkit run spawn_overhead.processes  (argv: the `run:` line of its .expect)
#include <sanitized.hpp>
#include <worker.hpp>

#include "overhead.hpp"

namespace asio = boost::asio;
using namespace conkit::cases;

int idle_worker() {  // says it is up, then blocks until the parent closes its stdin
  char c = 'r';
  if (::write(STDOUT_FILENO, &c, 1) != 1) return 1;
  while (::read(STDIN_FILENO, &c, 1) > 0) {}
  return 0;
}

int main(int argc, char** argv) {
  if (is_worker(argc, argv)) return std::string_view(argv[2]) == "idle" ? idle_worker() : 0;
  // 50: at ~0.7 ms per spawn both phases stay near 100 ms, yet one slow spawn is averaged out.
  // A process under a sanitizer starts its runtime first (TSan: tens of ms, 16 MiB): 10 keep that
  // run short.
  const int units = int_arg(argc, argv, "--units", sanitizer_name() ? 10 : 50);
  asio::io_context ctx;
  std::vector<asio::writable_pipe> ins;
  std::vector<asio::readable_pipe> outs;
  ins.reserve(static_cast<std::size_t>(units));  // bound pipes must not move
  outs.reserve(static_cast<std::size_t>(units));
  std::vector<bp::process> procs;
  for (int i = 0; i < units; ++i) {
    ins.emplace_back(ctx);
    outs.emplace_back(ctx);
    procs.push_back(spawn_worker(ctx, {"idle"}, bp::process_stdio{ins.back(), outs.back(), {}}));
  }
  long idle = 0;
  for (int i = 0; i < units; ++i) {
    char up = 0;
    asio::read(outs[i], asio::buffer(&up, 1));  // the worker is up and about to block on stdin
    idle += pss_kib(procs[i].id());
  }
  for (auto& in : ins) in.close();
  for (auto& p : procs) if (p.wait() != 0) throw std::runtime_error("idle worker failed");
  procs.clear();

  const std::int64_t t0 = conkit::now_ns();
  for (int i = 0; i < units; ++i) procs.push_back(spawn_worker(ctx, {"exit"}));
  for (auto& p : procs) if (p.wait() != 0) throw std::runtime_error("worker failed");
  return report_overhead("processes", units, t0, conkit::now_ns(), idle);
}
