// conkit/conformance/thread_pool_suite.hpp — the thread-pool conformance suite, written once and
// instantiated per executor through a ThreadPoolAdapter (thread_pool.hpp). Each test is one
// property of docs/executor-contracts.md; its name is the property.
//
//   #include <conkit/conformance/thread_pool_suite.hpp>
//   INSTANTIATE_TYPED_TEST_SUITE_P(MyPool, ThreadPoolConformance, ::testing::Types<MyPoolAdapter>);
//
// Every test runs under a Watchdog (watchdog.hpp): a wait() that never returns is reported as
// "NoLostWakeup", a destructor that never returns as "ShutdownCompletes".
// The TSan oracle (NoDataRaceInQueue) only has teeth in a -fsanitize=thread build.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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

template <ThreadPoolAdapter A>
class ThreadPoolConformance : public ::testing::Test {
 protected:
  static constexpr std::size_t kWorkers = 4;  // more than the cores of a small CI box, on purpose

  void SetUp() override {
    if (const auto why = unsupported_reason<A>(); !why.empty()) GTEST_SKIP() << why;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dog_.emplace(property_name(info));
    dog_->phase(info->name());
  }
  void TearDown() override { dog_.reset(); }

  // wait() under the watchdog: never returning is a lost wakeup.
  void wait(A& pool) {
    dog_->phase("NoLostWakeup");
    pool.wait();
    dog_->phase(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  // Destroys the pool under the watchdog: never returning is a shutdown deadlock.
  void shut_down(std::optional<A>& pool) {
    dog_->phase("ShutdownCompletes");
    pool.reset();
    dog_->phase(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  std::optional<Watchdog> dog_;
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
  bool rethrown = false;
  try {
    this->wait(*pool);
  } catch (const ProbeError& e) {
    rethrown = true;
    EXPECT_STREQ(e.what(), "conkit probe");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wait() threw a different exception: " << e.what();
  }
  EXPECT_TRUE(rethrown) << "wait() returned normally: the task's exception was swallowed";
  // The pool stays usable after an exception.
  std::atomic<bool> ran{false};
  pool->submit([&ran] { ran = true; });
  this->wait(*pool);
  EXPECT_TRUE(ran.load()) << "the pool stopped running tasks after an exception";
  this->shut_down(pool);
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
  for (int i = 0; i < n; ++i) {
    pool->submit([&, deadline] {
      raise_to(peak, active.fetch_add(1) + 1);
      while (peak.load() < n && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
      active.fetch_sub(1);
    });
  }
  this->wait(*pool);
  this->shut_down(pool);
  EXPECT_EQ(peak.load(), n) << "N=" << n << " rendezvous tasks never all ran at once";
}

// Guards against: a lost wakeup (notify without the lock, check-then-wait) in the worker's idle
// wait or in wait(). Ping-pong: one task, wait, again, with idle gaps so workers park.
TYPED_TEST_P(ThreadPoolConformance, NoLostWakeup) {
  constexpr int kRounds = 300;
  std::vector<std::atomic<bool>> done_in(kRounds);  // outlives the pool (see WaitReturnsOnlyAfterAllRan)
  std::optional<TypeParam> pool(std::in_place, this->kWorkers);
  for (int round = 0; round < kRounds; ++round) {
    auto& done = done_in[round];
    pool->submit([&done] { done = true; });
    this->wait(*pool);
    ASSERT_TRUE(done.load()) << "round " << round;
    if (round % 32 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // workers park
  }
  this->shut_down(pool);
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

REGISTER_TYPED_TEST_SUITE_P(ThreadPoolConformance, RunsEachTaskExactlyOnce, WaitReturnsOnlyAfterAllRan,
                            ExceptionsReachCaller, ShutdownPolicyHolds, ConcurrencyNeverExceedsN,
                            ConcurrencyReachesN, NoLostWakeup, NoDataRaceInQueue, FifoWhereDeclared);

}  // namespace conkit::conformance
