// loopback_fetch/processes.cpp — N real fetches over TCP from a local server that answers each
// after 1u, one worker process per fetch (Boost.Process v2 re-executing this program), each doing
// a blocking fetch. The blocked processes overlap, so the span is about 1u, not N·u.
// Claims: procs-overlap-io.
// The server runs on a thread of this parent process; the workers start their fetch together
// once all are spawned (a start gate), and send their inner stamps back for span_ms.
// Run: conkit check --expect expected/loopback_fetch/processes.expect --unit 100ms --
//        build/cases/case_loopback_fetch_processes [--n N]
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <conkit/facts.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "case_args.hpp"
#include "delay_server.hpp"
#include "task_span.hpp"
#include "worker.hpp"
#include "worker_pipes.hpp"

namespace cc = conkit::cases;

// argv: <self> --worker fetch PORT GATE_FD STAMP_FD
int fetch_worker(char** argv) {
  cc::wait_at_gate(std::stoi(argv[4]));
  const auto start = conkit::now_ns();
  conkit::say("Fetching data...");
  conkit::fact("tid", ::syscall(SYS_gettid));
  conkit::fact("pid", ::getpid());
  const bool ok = cc::fetch_blocking(static_cast<unsigned short>(std::stoi(argv[3]))) == "data\n";
  conkit::say("Data fetched!");
  cc::send_stamps(std::stoi(argv[5]), start, conkit::now_ns());
  return ok ? 0 : 1;
}

int main(int argc, char** argv) {
  if (cc::is_worker(argc, argv)) return fetch_worker(argv);
  const int n = cc::int_arg(argc, argv, "--n", 2);
  conkit::fact("model", "processes");
  conkit::fact("unit_ms", conkit::unit().count());
  conkit::fact("n", n);

  cc::delay_server server(conkit::unit());
  conkit::say("Starting process tasks...");
  boost::asio::io_context ctx;  // for spawning only; the server has its own
  cc::start_gate gate;
  cc::stamp_channel stamps;
  const std::string port = std::to_string(server.port());
  std::vector<cc::bp::process> workers;
  for (int i = 0; i < n; ++i)
    workers.push_back(cc::spawn_worker(ctx, {"fetch", port, gate.arg(), stamps.arg()}, gate.pass(), stamps.pass()));
  gate.open();
  int failed = 0;
  for (auto& w : workers) failed += w.wait() != 0;
  cc::task_span span;
  for (auto [start, end] : stamps.collect()) span.add(start, end);
  conkit::fact("span_ms", span.ms());
  if (failed) {
    std::fprintf(stderr, "%d of %d workers failed\n", failed, n);
    return 1;
  }
  conkit::say("Process tasks completed!");
}
