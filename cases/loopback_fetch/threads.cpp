// loopback_fetch/threads.cpp — N real fetches over TCP from a local server that answers each after
// 1u, one std::jthread per fetch with a blocking socket. The blocked threads overlap, so the span
// is about 1u, not N·u. Claims: threads-overlap-io.
// The threads start their fetch together once all exist (a latch): creation cost stays out.
// Run: conkit run loopback_fetch.threads  (argv: the `run:` line of its .expect)
#include <sys/syscall.h>
#include <unistd.h>

#include <conkit/facts.hpp>
#include <cstdint>
#include <latch>
#include <thread>
#include <vector>

#include "case_args.hpp"
#include "delay_server.hpp"
#include "task_span.hpp"

int main(int argc, char** argv) {
  const int n = conkit::cases::int_arg(argc, argv, "--n", 2);
  conkit::fact("model", "threads");
  conkit::fact("unit_ms", conkit::unit().count());
  conkit::fact("n", n);

  conkit::cases::delay_server server(conkit::unit());
  conkit::say("Starting thread tasks...");
  std::vector<std::int64_t> starts(n), ends(n);  // slot i is written by thread i only
  std::vector<char> ok(n, 0);
  std::latch all_created(n);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < n; ++i)
      threads.emplace_back([&, i] {
        all_created.arrive_and_wait();
        starts[i] = conkit::now_ns();
        conkit::say("Fetching data...");
        conkit::fact("tid", ::syscall(SYS_gettid));
        conkit::fact("pid", ::getpid());
        ok[i] = conkit::cases::fetch_blocking(server.port()) == "data\n";  // blocks this thread ~1u
        conkit::say("Data fetched!");
        ends[i] = conkit::now_ns();
      });
  }  // every jthread joins here; the join makes the slots visible to this thread
  conkit::cases::task_span span;
  for (int i = 0; i < n; ++i) span.add(starts[i], ends[i]);
  conkit::fact("span_ms", span.ms());
  for (char good : ok)
    if (!good) return 1;
  conkit::say("Thread tasks completed!");
}
