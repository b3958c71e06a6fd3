// loopback_fetch/processes.cpp — N real fetches over TCP from a local server that answers each
// after 1u, one worker process per fetch (fetch_workers.hpp), each doing a blocking fetch. The
// blocked processes overlap, so the span is about 1u, not N·u. The server runs on a thread of this
// parent process. Claims: procs-overlap-io.
// Run: conkit run loopback_fetch.processes  (argv: the `run:` line of its .expect)
#include <string>

#include <conkit/facts.hpp>

#include "case_args.hpp"
#include "delay_server.hpp"
#include "fetch_workers.hpp"
#include "task_span.hpp"

namespace cc = conkit::cases;

int main(int argc, char** argv) {
  if (cc::is_worker(argc, argv))
    return cc::fetch_worker(argv, [argv] {
      return cc::fetch_blocking(static_cast<unsigned short>(std::stoi(cc::fetch_arg(argv, 0)))) == "data\n";
    });
  const int n = cc::begin_tasks(argc, argv, "processes");
  cc::reserve_descriptors(n + 16);  // the server's sockets (each worker has its own table)
  cc::delay_server server(conkit::unit());
  return cc::run_fetch_workers(n, {std::to_string(server.port())});
}
