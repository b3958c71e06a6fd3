// fetch_workers.hpp — the process model of the fetch scenarios (concurrent_fetch, loopback_fetch):
// N worker processes (Boost.Process v2 re-executing this program), one fetch each. The workers
// start their fetch together once all are spawned (a start gate), so spawn cost stays out of the
// span (spawn_overhead measures it), and send their inner stamps back for `span_ms`. The two
// scenarios differ only in the fetch: a timer wait, or a real request to a local server.
//
//   if (is_worker(argc, argv)) return fetch_worker(argv, [&] { ...; return ok; });
//   return run_fetch_workers(n, {port});   // extra worker arguments follow GATE_FD STAMP_FD
//
// Worker argv: <self> --worker fetch GATE_FD STAMP_FD EXTRA...; fetch_arg(argv, 0) is EXTRA[0].
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <conkit/facts.hpp>

#include "task_span.hpp"
#include "worker.hpp"
#include "worker_pipes.hpp"

namespace conkit::cases {

inline const char* fetch_arg(char** argv, int i) { return argv[5 + i]; }

// The worker: waits at the gate, then says, stamps and runs fetch() (true: it got its answer).
template <class Fetch>
int fetch_worker(char** argv, Fetch fetch) {
  wait_at_gate(std::stoi(argv[3]));
  const auto start = now_ns();
  say("Fetching data...");
  fact("tid", ::syscall(SYS_gettid));
  fact("pid", ::getpid());
  const bool ok = fetch();
  say("Data fetched!");
  send_stamps(std::stoi(argv[4]), start, now_ns());
  return ok ? 0 : 1;
}

// The parent: spawns n workers, opens the gate, reaps them all; writes span_ms; exit code 1 if a
// worker failed.
inline int run_fetch_workers(int n, const std::vector<std::string>& extra = {}) {
  say("Starting process tasks...");
  boost::asio::io_context ctx;  // for spawning only
  start_gate gate;
  stamp_channel stamps;
  std::vector<bp::process> workers;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> args{"fetch", gate.arg(), stamps.arg()};
    args.insert(args.end(), extra.begin(), extra.end());
    workers.push_back(spawn_worker(ctx, std::move(args), gate.pass(), stamps.pass()));
  }
  gate.open();
  int failed = 0;
  for (auto& w : workers) failed += w.wait() != 0;
  task_span span;
  for (auto [start, end] : stamps.collect()) span.add(start, end);
  fact("span_ms", span.ms());
  if (failed) {
    std::fprintf(stderr, "%d of %d workers failed\n", failed, n);
    return 1;
  }
  say("Process tasks completed!");
  return 0;
}

}  // namespace conkit::cases
