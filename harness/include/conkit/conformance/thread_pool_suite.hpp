// conkit/conformance/thread_pool_suite.hpp — the thread-pool conformance suite, written once and
// instantiated per executor through a ThreadPoolAdapter (thread_pool.hpp). Each test is one
// property of docs/executor-contracts.md; its name is the property.
//
//   #include <conkit/conformance/thread_pool_suite.hpp>
//   INSTANTIATE_TYPED_TEST_SUITE_P(MyPool, ThreadPoolConformance, ::testing::Types<MyPoolAdapter>);
//
// Every test runs under a Watchdog (watchdog.hpp): a wait() that never returns is reported as
// "NoLostWakeup" (or the property whose wait it is), a destructor that never returns as
// "ShutdownCompletes". Known failures and optional capabilities: property.hpp, thread_pool.hpp.
// The TSan oracle (NoDataRaceInQueue) only has teeth in a -fsanitize=thread build.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <conkit/conformance/property.hpp>
#include <conkit/conformance/thread_pool.hpp>
#include <conkit/conformance/watchdog.hpp>

namespace conkit::conformance {

// The exception the suite throws from a task, to see it come back out of wait().
struct ProbeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Raises `peak` to at least `value`.
inline void raise_to(std::atomic<int>& peak, int value) {
  int seen = peak.load();
  while (seen < value && !peak.compare_exchange_weak(seen, value)) {
  }
}

// Submits n rendezvous tasks: each counts itself active and waits until n are active at once (the
// peak reaches n) or the deadline passes. With n free workers they meet at once; a pool with fewer
// makes them give up at the deadline instead of hanging. The counters must outlive the pool.
template <class Pool>
void submit_rendezvous(Pool& pool, int n, std::atomic<int>& active, std::atomic<int>& peak,
                       std::chrono::steady_clock::time_point deadline) {
  for (int i = 0; i < n; ++i) {
    pool.submit([&active, &peak, n, deadline] {
      raise_to(peak, active.fetch_add(1) + 1);
      while (peak.load() < n && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
      active.fetch_sub(1);
    });
  }
}

template <ThreadPoolAdapter A>
class ThreadPoolConformance : public PropertyTest<A> {
 protected:
  static constexpr std::size_t kWorkers = 4;  // more than the cores of a small CI box, on purpose

  // wait() under the watchdog: never returning is a lost wakeup, unless the test names the
  // property a hang there breaks.
  void wait(A& pool, const char* hang_breaks = "NoLostWakeup") {
    this->phase(hang_breaks);
    pool.wait();
    this->back_to_test();
  }
  // Destroys the pool under the watchdog: never returning is a shutdown deadlock.
  void shut_down(std::optional<A>& pool) {
    this->phase("ShutdownCompletes");
    pool.reset();
    this->back_to_test();
  }
};

TYPED_TEST_SUITE_P(ThreadPoolConformance);

// Guards against: a dropped task (lost in the queue) or a task run twice (double pop).
TYPED_TEST_P(ThreadPoolConformance, RunsEachTaskExactlyOnce) {
  constexpr int kTasks = 2000;
  std::vector<std::atomic<int>> runs(kTasks);
  std::optional<TypeParam> pool(std::in_place, this->kWorkers);
  for (int i = 0; i < kTasks; ++i) pool->submit([&runs, i] { runs[i].fetch_add(1); });
  this->wait(*pool);
  this->shut_down(pool);
  int never = 0, repeated = 0;
  for (auto& r : runs) {
    never += r.load() == 0;
    repeated += r.load() > 1;
  }
  EXPECT_EQ(never, 0) << "tasks that never ran (dropped), of " << kTasks;
  EXPECT_EQ(repeated, 0) << "tasks that ran more than once, of " << kTasks;
}

// Guards against: wait() returning when the queue is empty but tasks are still running.
TYPED_TEST_P(ThreadPoolConformance, WaitReturnsOnlyAfterAllRan) {
  constexpr int kTasks = 64, kRounds = 5;
  // Declared before the pool, so they outlive it: after a failed ASSERT (wait() returned early)
  // the pool's destructor still runs tasks that count into them.
  std::array<std::atomic<int>, kRounds> done_in{};
  std::optional<TypeParam> pool(std::in_place, this->kWorkers);
  for (int round = 0; round < kRounds; ++round) {
    auto& done = done_in[round];
    for (int i = 0; i < kTasks; ++i) {
      pool->submit([&done, i] {
        std::this_thread::sleep_for(std::chrono::microseconds(50 * (i % 5)));  // uneven lengths
        done.fetch_add(1);
      });
    }
    this->wait(*pool);
    ASSERT_EQ(done.load(), kTasks) << "wait() returned before every task ran (round " << round << ")";
  }
  this->shut_down(pool);
}

// Guards against: a pool that catches and drops task exceptions (or terminates on them).
TYPED_TEST_P(ThreadPoolConformance, ExceptionsReachCaller) {
  std::optional<TypeParam> pool(std::in_place, this->kWorkers);
  pool->submit([] { throw ProbeError("conkit probe"); });
  // Which wait() the exception came out of: 1 is right; 2 means the first returned early.
  int rethrown_by = 0;
  for (int call = 1; call <= 2 && rethrown_by == 0; ++call) {
    try {
      this->wait(*pool);
    } catch (const ProbeError& e) {
      rethrown_by = call;
      EXPECT_STREQ(e.what(), "conkit probe");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wait() threw a different exception: " << e.what();
      rethrown_by = -1;
    }
  }
  EXPECT_NE(rethrown_by, 0) << "wait() returned normally, twice: the task's exception was swallowed";
  EXPECT_NE(rethrown_by, 2) << "the first wait() returned before the throwing task finished: its "
                               "exception came out of the next wait() (see WaitReturnsOnlyAfterAllRan)";
  // The pool stays usable after an exception.
  std::atomic<bool> ran{false};
  pool->submit([&ran] { ran = true; });
  this->wait(*pool);
  EXPECT_TRUE(ran.load()) << "the pool stopped running tasks after an exception";
  this->shut_down(pool);
}

// Guards against: a worker thread that ends when its task throws (an exception escaping the
// worker loop, a catch that exits it). Losing one worker of N to one exception goes unnoticed, so
// 8N tasks throw; then N rendezvous tasks must still meet and every later task run. A pool with
// no worker left hangs in wait(), which the watchdog reports as this property.
TYPED_TEST_P(ThreadPoolConformance, WorkersSurviveExceptions) {
  std::atomic<int> active{0}, peak{0}, later_ran{0};  // outlive the pool (see WaitReturnsOnlyAfterAllRan)
  std::optional<TypeParam> pool(std::in_place, this->kWorkers);
  const int n = static_cast<int>(pool->workers());
  const int throwing = 8 * n;
  for (int i = 0; i < throwing; ++i) pool->submit([] { throw ProbeError("conkit probe"); });
  // A pool may hand out one exception per wait(); none is an error here (ExceptionsReachCaller's).
  for (int call = 0; call <= throwing; ++call) {
    try {
      this->wait(*pool, "WorkersSurviveExceptions");
      break;
    } catch (const ProbeError&) {
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + watchdog_budget() / 4;  // as ConcurrencyReachesN
  submit_rendezvous(*pool, n, active, peak, deadline);
  constexpr int kLater = 200;
  for (int i = 0; i < kLater; ++i) pool->submit([&] { later_ran.fetch_add(1); });
  this->wait(*pool, "WorkersSurviveExceptions");
  this->shut_down(pool);
  EXPECT_EQ(peak.load(), n) << "after " << throwing << " tasks threw, N=" << n
                            << " rendezvous tasks no longer ran at once: workers were lost to exceptions";
  EXPECT_EQ(later_ran.load(), kLater);
}

// Guards against: a "finish" pool that drops pending tasks, a destructor that returns while a
// task still runs (or runs tasks after returning), and pending tasks leaked instead of destroyed.
TYPED_TEST_P(ThreadPoolConformance, ShutdownPolicyHolds) {
  constexpr int kPending = 200;
  const auto busy = 2 * unit();  // long enough that the pending tasks are still queued at shutdown
  std::atomic<int> started{0}, finished{0}, pending_ran{0};
  auto token = std::make_shared<int>(0);  // every task holds a copy; all must be released
  {
    std::optional<TypeParam> pool(std::in_place, this->kWorkers);
    const std::size_t n = pool->workers();
    for (std::size_t i = 0; i < n; ++i) {
      pool->submit([&, token, busy] {
        started.fetch_add(1);
        std::this_thread::sleep_for(busy);
        finished.fetch_add(1);
      });
    }
    for (int i = 0; i < kPending; ++i) {
      pool->submit([&, token] {
        started.fetch_add(1);
        std::this_thread::yield();
        pending_ran.fetch_add(1);
        finished.fetch_add(1);
      });
    }
    this->shut_down(pool);
  }
  const int at_return = finished.load();
  EXPECT_EQ(started.load(), at_return) << "the destructor returned while tasks were still running";
  if constexpr (TypeParam::shutdown == Shutdown::finish_pending) {
    EXPECT_EQ(pending_ran.load(), kPending) << "declared finish_pending, but pending tasks were dropped";
  } else {
    EXPECT_LE(pending_ran.load(), kPending);
  }
  std::this_thread::sleep_for(busy);
  EXPECT_EQ(finished.load(), at_return) << "tasks ran after the destructor returned";
  EXPECT_EQ(token.use_count(), 1) << "tasks were neither run nor destroyed (leaked) at shutdown";
}

// Guards against: a pool that starts more threads than N (a thread per task, an unbounded pool).
TYPED_TEST_P(ThreadPoolConformance, ConcurrencyNeverExceedsN) {
  std::optional<TypeParam> pool(std::in_place, this->kWorkers);
  const int n = static_cast<int>(pool->workers());
  std::atomic<int> active{0}, peak{0};
  for (int i = 0; i < 20 * n; ++i) {
    pool->submit([&] {
      raise_to(peak, active.fetch_add(1) + 1);
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // let tasks overlap
      active.fetch_sub(1);
    });
  }
  this->wait(*pool);
  this->shut_down(pool);
  EXPECT_LE(peak.load(), n) << "more than N=" << n << " tasks ran at once";
}

// Guards against: a pool that serializes work (fewer workers than it declares). N rendezvous
// tasks wait for each other until a shared deadline: with N workers they meet at once; a pool
// that serializes reaches only 1 and the tasks give up at the deadline instead of hanging.
TYPED_TEST_P(ThreadPoolConformance, ConcurrencyReachesN) {
  std::optional<TypeParam> pool(std::in_place, this->kWorkers);
  const int n = static_cast<int>(pool->workers());
  // A quarter of the watchdog budget: a correct pool meets within milliseconds; this only bounds
  // how long a serializing pool keeps the test.
  const auto deadline = std::chrono::steady_clock::now() + watchdog_budget() / 4;
  std::atomic<int> active{0}, peak{0};
  submit_rendezvous(*pool, n, active, peak, deadline);
  this->wait(*pool);
  this->shut_down(pool);
  EXPECT_EQ(peak.load(), n) << "N=" << n << " rendezvous tasks never all ran at once";
}

// Guards against: a lost wakeup (notify without the lock, check-then-wait) in the worker's idle
// wait or in wait(). Ping-pong: one task, wait, again, with idle gaps so workers park. Then the
// same with one worker, where a worker that misses its notify has no sibling to take the task.
TYPED_TEST_P(ThreadPoolConformance, NoLostWakeup) {
  constexpr int kRounds = 300;
  std::vector<std::atomic<bool>> done_in(2 * kRounds);  // outlives the pools (see WaitReturnsOnlyAfterAllRan)
  for (const std::size_t workers : {this->kWorkers, std::size_t{1}}) {
    std::optional<TypeParam> pool(std::in_place, workers);
    if (workers == 1 && pool->workers() != 1) {
      std::printf("note: the executor cannot be made single-worker; the 1-worker rounds are not run\n");
      this->shut_down(pool);
      break;
    }
    const int first = workers == 1 ? kRounds : 0;
    for (int round = first; round < first + kRounds; ++round) {
      auto& done = done_in[round];
      pool->submit([&done] { done = true; });
      this->wait(*pool);
      ASSERT_TRUE(done.load()) << "round " << round << " with " << workers << " worker(s)";
      if (round % 32 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // workers park
    }
    this->shut_down(pool);
  }
}

// Guards against: a queue or completion count that is not synchronized, so a task's writes are
// not visible after wait() (or the submitter's writes inside the task). Plain, non-atomic data:
// the oracle is ThreadSanitizer, which reports the race in a -fsanitize=thread build.
TYPED_TEST_P(ThreadPoolConformance, NoDataRaceInQueue) {
  constexpr int kTasks = 64;
  std::vector<int> written(kTasks, 0);        // written by tasks, read after wait()
  std::vector<int> given(kTasks, 0);          // written before submit, read by tasks
  std::vector<int> seen(kTasks, -1);
  std::optional<TypeParam> pool(std::in_place, this->kWorkers);  // after the data: destroyed first
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < kTasks; ++i) {
      given[i] = round * 1000 + i;
      pool->submit([&, i] {
        seen[i] = given[i];
        written[i] = round + 1;
      });
    }
    this->wait(*pool);
    for (int i = 0; i < kTasks; ++i) {
      ASSERT_EQ(written[i], round + 1) << "task " << i;
      ASSERT_EQ(seen[i], round * 1000 + i) << "task " << i;
    }
  }
  this->shut_down(pool);
}

// Guards against: a pool that declares FIFO but reorders (a stack, a priority queue). Checked
// with one worker, where start order is observable.
TYPED_TEST_P(ThreadPoolConformance, FifoWhereDeclared) {
  if constexpr (!TypeParam::fifo) {
    GTEST_SKIP() << "the adapter does not declare FIFO";
  } else {
    constexpr int kTasks = 500;
    std::optional<TypeParam> pool(std::in_place, 1);
    if (pool->workers() != 1) GTEST_SKIP() << "the executor cannot be made single-worker";
    std::mutex m;
    std::vector<int> order;
    for (int i = 0; i < kTasks; ++i) {
      pool->submit([&, i] {
        std::lock_guard lock(m);
        order.push_back(i);
      });
    }
    this->wait(*pool);
    this->shut_down(pool);
    ASSERT_EQ(order.size(), static_cast<std::size_t>(kTasks));
    const auto first_out_of_order = std::is_sorted_until(order.begin(), order.end());
    EXPECT_TRUE(first_out_of_order == order.end())
        << "task " << *first_out_of_order << " started after a later-submitted task";
  }
}

// Guards against: a pool where a task that submits a task and blocks until it ran deadlocks (the
// pool runs tasks while holding its queue lock, submissions from a worker parked on that worker's
// own queue until its task returns, no free slot). N-1 tasks each submit one and wait for it, so a
// worker is always free. They give up at a deadline instead of hanging. Needs the adapter's
// `nested_submit` declaration.
TYPED_TEST_P(ThreadPoolConformance, NestedSubmitCompletes) {
  if constexpr (!declares_nested_submit<TypeParam>()) {
    GTEST_SKIP() << "the adapter does not declare nested_submit (tasks that submit tasks and wait for them)";
  } else {
    struct Handoff {
      std::mutex m;
      std::condition_variable cv;
      bool done = false;
    };
    std::vector<Handoff> children(this->kWorkers);  // outlive the pool
    std::atomic<int> gave_up{0}, nested_ran{0};
    std::optional<TypeParam> pool(std::in_place, this->kWorkers);
    const int n = static_cast<int>(pool->workers());
    if (n < 2) {
      this->shut_down(pool);
      GTEST_SKIP() << "needs 2 workers (a waiting parent holds one); the executor provides " << n;
    }
    const int parents = std::min<int>(n - 1, static_cast<int>(children.size()));
    const auto deadline = std::chrono::steady_clock::now() + watchdog_budget() / 4;
    TypeParam* self = &*pool;
    for (int i = 0; i < parents; ++i) {
      pool->submit([&, self, deadline, i] {
        Handoff& child = children[i];
        self->submit([&child, &nested_ran] {
          nested_ran.fetch_add(1);
          std::lock_guard lock(child.m);
          child.done = true;
          child.cv.notify_all();
        });
        std::unique_lock lock(child.m);
        if (!child.cv.wait_until(lock, deadline, [&child] { return child.done; })) gave_up.fetch_add(1);
      });
    }
    this->wait(*pool, "NestedSubmitCompletes");
    this->shut_down(pool);
    EXPECT_EQ(gave_up.load(), 0) << gave_up.load() << " of " << parents
                                 << " tasks waited in vain for a task they submitted: it did not run while "
                                    "they blocked, although a worker was free (N=" << n << ")";
    EXPECT_EQ(nested_ran.load(), parents) << "tasks submitted from inside a task that never ran";
  }
}

// Guards against: starvation of an early task by later ones (a LIFO queue or stack, a scheduler
// that always prefers the newest work) — holds with fifo = false too. One task is submitted, then
// a stream of short tasks keeps about 16N queued; the first must start within 5u. 5u: on an idle
// pool it starts within ~0.1 ms, with both cores busy scheduling noise is ~4 ms and TSan slows
// the pool several-fold; a starving pool does not start it while the stream lasts (20u).
TYPED_TEST_P(ThreadPoolConformance, StarvationBounded) {
  using SteadyClock = std::chrono::steady_clock;
  std::atomic<int> stream_done{0};
  std::atomic<long long> first_started_ns{-1};
  std::optional<TypeParam> pool(std::in_place, this->kWorkers);
  const int n = static_cast<int>(pool->workers());
  const auto t0 = SteadyClock::now();
  pool->submit([&, t0] {
    first_started_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - t0).count();
  });
  const auto task_length = unit() / 10;  // the backlog of 16N drains in 16 task lengths: the
                                          // owner keeps it up even when briefly descheduled
  int submitted = 0;
  while (SteadyClock::now() - t0 < 20 * unit() && first_started_ns.load() < 0) {
    if (submitted - stream_done.load() < 16 * n) {
      pool->submit([&, task_length] {
        std::this_thread::sleep_for(task_length);
        stream_done.fetch_add(1);
      });
      ++submitted;
    } else {
      std::this_thread::sleep_for(task_length / 4);
    }
  }
  this->wait(*pool);
  this->shut_down(pool);
  const double bound_ms = 5 * std::chrono::duration<double, std::milli>(unit()).count();
  const long long started = first_started_ns.load();
  ASSERT_GE(started, 0) << "the first task never ran";
  const double waited_ms = static_cast<double>(started) / 1e6;
  EXPECT_TRUE(waited_ms <= bound_ms) << "the first task submitted started after " << show(waited_ms)
                                     << " ms, while " << submitted << " later tasks kept arriving (bound 5u = "
                                     << show(bound_ms) << " ms)";
}

REGISTER_TYPED_TEST_SUITE_P(ThreadPoolConformance, RunsEachTaskExactlyOnce, WaitReturnsOnlyAfterAllRan,
                            ExceptionsReachCaller, ShutdownPolicyHolds, ConcurrencyNeverExceedsN,
                            ConcurrencyReachesN, NoLostWakeup, NoDataRaceInQueue, FifoWhereDeclared,
                            WorkersSurviveExceptions, NestedSubmitCompletes, StarvationBounded);

}  // namespace conkit::conformance
