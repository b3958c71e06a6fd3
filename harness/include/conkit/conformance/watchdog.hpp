// conkit/conformance/watchdog.hpp — the knobs every conformance suite shares, and the progress
// watchdog that turns a hang into a named failure.
//
// Knobs (read once from the environment; each has a default):
//   CONKIT_UNIT_MS                   time unit u for timing properties, default 10 (ms).
//   CONKIT_CONFORMANCE_WATCHDOG_MS   how long one property may make no progress before the
//                                    watchdog ends the process, default 10000 (ms). A correct
//                                    executor finishes every property in well under 1 s, even under
//                                    TSan on a busy machine; the mutants meta-test lowers it.
//                                    Keep it above 30u: the longest legitimate wait is a 20u timer.
//
// A hang cannot be failed in-process (the stuck thread never returns), so on expiry the watchdog
// prints one line naming the property ("conkit-conformance: watchdog: <property> made no progress
// in N ms; property: <phase>"), runs the registered cleanups (e.g. killing a grandchild a test
// started) and ends the process with exit code 3. The runner (ctest, the meta-test) sees the line.
// The phase names the property a hang there breaks: a wait() that never returns is a lost wakeup
// ("NoLostWakeup"), a destructor that never returns is a shutdown deadlock ("ShutdownCompletes").
//
//   Watchdog dog("ThreadPool.RunsEachTaskExactlyOnce");  // armed until destroyed
//   dog.phase("NoLostWakeup");  pool.wait();
//
// Thread safety: a Watchdog is used by the thread that made it; add_cleanup() may be called from
// any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace conkit::conformance {

inline double env_ms(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const double x = std::strtod(v, &end);
  return (end != v && x > 0) ? x : fallback;
}

// The time unit u (CONKIT_UNIT_MS, default 10 ms) as a duration.
inline std::chrono::microseconds unit() {
  static const double ms = env_ms("CONKIT_UNIT_MS", 10);
  return std::chrono::microseconds(static_cast<long long>(ms * 1000));
}

// How long a property may make no progress (CONKIT_CONFORMANCE_WATCHDOG_MS, default 10000 ms).
inline std::chrono::milliseconds watchdog_budget() {
  static const double ms = env_ms("CONKIT_CONFORMANCE_WATCHDOG_MS", 10000);
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

class Watchdog {
 public:
  explicit Watchdog(std::string property, std::chrono::milliseconds budget = watchdog_budget())
      : property_(std::move(property)), budget_(budget), thread_([this] { watch(); }) {}

  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Names what the test is doing now: the property a hang here would break.
  void phase(std::string name) {
    std::lock_guard lock(mutex_);
    phase_ = std::move(name);
  }

  // Runs `f` if the watchdog fires (before the process ends).
  void add_cleanup(std::function<void()> f) {
    std::lock_guard lock(mutex_);
    cleanups_.push_back(std::move(f));
  }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    if (cv_.wait_for(lock, budget_, [this] { return done_; })) return;
    std::fprintf(stderr, "conkit-conformance: watchdog: %s made no progress in %lld ms; property: %s\n",
                 property_.c_str(), static_cast<long long>(budget_.count()), phase_.c_str());
    std::fflush(stderr);
    for (auto& f : cleanups_) f();
    std::fflush(stdout);
    std::_Exit(3);  // the stuck threads cannot be joined; end the process without unwinding
  }

  std::string property_;
  std::chrono::milliseconds budget_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::string phase_ = "test body";
  std::vector<std::function<void()>> cleanups_;
  std::thread thread_;  // last: starts after the members it reads are ready
};

// Why the executor behind adapter A cannot be checked in this build (empty: it can). An adapter
// opts in with `static std::string unsupported();` — e.g. an uninstrumented library under TSan.
// The suites skip every test with this reason (GTEST_SKIP), never pass it silently.
template <class A>
std::string unsupported_reason() {
  if constexpr (requires { A::unsupported(); }) {
    return A::unsupported();
  } else {
    return {};
  }
}

// "Suite.Property" of the running GoogleTest test, for watchdog messages.
template <class TestInfo>
std::string property_name(const TestInfo* info) {
  return info == nullptr ? std::string("unknown") : std::string(info->test_suite_name()) + "." + info->name();
}

}  // namespace conkit::conformance
