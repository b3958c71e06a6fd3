// fetch_threads.hpp — the thread model of the fetch scenarios (concurrent_fetch, loopback_fetch):
// one std::jthread per fetch. The threads start their fetch together once all exist (a latch),
// so thread creation cost stays out of the span (spawn_overhead measures it). The two scenarios
// differ only in the fetch: a blocking sleep, or a blocking request to a local server (the twin
// of fetch_workers.hpp, the process model).
//
//   return run_fetch_threads(n, [&] { ...block this thread ~1u...; return ok; });
//
// Says "Starting thread tasks...", each thread "Fetching data..." / "Data fetched!" around its
// fetch, then writes tid/pid per fetch and span_ms, and says "Thread tasks completed!"; exit code
// 1 (without that last line) if a fetch failed. The tid facts are written after the join, so that
// with --n 1000 the only output inside the measured span is the lines themselves.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <latch>
#include <thread>
#include <vector>

#include <conkit/facts.hpp>

#include "task_span.hpp"

namespace conkit::cases {

template <class Fetch>
int run_fetch_threads(int n, Fetch fetch) {
  say("Starting thread tasks...");
  // Slot i is written by thread i only.
  std::vector<std::int64_t> starts(n), ends(n);
  std::vector<long> tids(n);
  std::vector<char> ok(n, 0);
  std::latch all_created(n);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < n; ++i)
      threads.emplace_back([&, i] {
        all_created.arrive_and_wait();
        starts[i] = now_ns();
        say("Fetching data...");
        tids[i] = ::syscall(SYS_gettid);
        ok[i] = fetch();  // blocks this thread ~1u: only this thread waits
        say("Data fetched!");
        ends[i] = now_ns();
      });
  }  // every jthread joins here; the join makes the slots visible to this thread
  task_span span;
  for (int i = 0; i < n; ++i) {
    span.add(starts[i], ends[i]);
    fact("tid", tids[i]);
    fact("pid", ::getpid());
  }
  fact("span_ms", span.ms());
  for (char good : ok)
    if (!good) return 1;
  say("Thread tasks completed!");
  return 0;
}

}  // namespace conkit::cases
