// loopback_fetch/threads.cpp — N real fetches over TCP from a local server that answers each after
// 1u, one std::jthread per fetch with a blocking socket. The blocked threads overlap, so the span
// is about 1u, not N·u. Claims: threads-overlap-io.
// The threads start their fetch together once all exist (a latch): creation cost stays out.
// Run: conkit run loopback_fetch.threads  (argv: the `run:` line of its .expect)
#include <conkit/facts.hpp>

#include "case_args.hpp"
#include "delay_server.hpp"
#include "fetch_threads.hpp"
#include "task_span.hpp"

int main(int argc, char** argv) {
  const int n = conkit::cases::begin_tasks(argc, argv, "threads");

  conkit::cases::reserve_descriptors(2 * n + 16);  // client and server sockets; see delay_server.hpp
  conkit::cases::delay_server server(conkit::unit());
  return conkit::cases::run_fetch_threads(n, [&] {
    return conkit::cases::fetch_blocking(server.port()) == "data\n";  // blocks this thread ~1u
  });
}
