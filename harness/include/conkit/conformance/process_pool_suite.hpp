// conkit/conformance/process_pool_suite.hpp — the process-pool conformance suite, written once and
// instantiated per pool through a ProcessPoolAdapter (process_pool.hpp). Each test is one property
// of docs/executor-contracts.md; its name is the property.
//
//   INSTANTIATE_TYPED_TEST_SUITE_P(MyPool, ProcessPoolConformance, ::testing::Types<MyAdapter>);
//
// A job that never answers is caught by the watchdog in the test that sent it; a destructor that
// never returns is reported as "ShutdownCompletes".
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <random>
#include <set>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <conkit/conformance/job.hpp>
#include <conkit/conformance/process_pool.hpp>
#include <conkit/conformance/property.hpp>
#include <conkit/conformance/watchdog.hpp>

namespace conkit::conformance {

// Our child processes, alive or zombie: "pid comm state" per child, from /proc.
inline std::vector<std::string> own_children() {
  std::vector<std::string> found;
  const std::string self = std::to_string(::getpid());
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    const auto close = stat.rfind(')');  // comm may hold spaces and parentheses
    if (close == std::string::npos) continue;
    char state = '?';
    std::string ppid;
    std::istringstream rest(stat.substr(close + 2));
    rest >> state >> ppid;
    const auto open = stat.find('(');
    if (ppid == self) found.push_back(pid + " " + stat.substr(open, close - open + 1) + " " + state);
  }
  return found;
}

// Our own fds above stdio without FD_CLOEXEC, as "fd target" lines (job::open_fds_above_stdio's
// format). They came from whoever started us (a shell, a CI runner): a child sees them at the
// same numbers, and they are not the pool's leak.
inline std::set<std::string> ambient_inheritable_fds() {
  std::set<std::string> ambient;
  std::istringstream lines(job::open_fds_above_stdio());
  for (std::string line; std::getline(lines, line);) {
    const int fd = std::stoi(line);
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC) == 0) ambient.insert(line);
  }
  return ambient;
}

template <ProcessPoolAdapter A>
class ProcessPoolConformance : public PropertyTest<A> {
 protected:
  static constexpr std::size_t kWorkers = 3;

  static ProcessPoolOptions options() { return {kWorkers, default_worker_path()}; }
  void shut_down(std::optional<A>& pool) {
    this->phase("ShutdownCompletes");
    pool.reset();
    this->back_to_test();
  }
};

TYPED_TEST_SUITE_P(ProcessPoolConformance);

// Guards against: answers delivered to the wrong job (a mixed-up worker/future pairing), lost jobs.
TYPED_TEST_P(ProcessPoolConformance, ResultsMatchJobs) {
  constexpr int kJobs = 40;
  std::optional<TypeParam> pool(std::in_place, this->options());
  std::vector<std::future<std::string>> answers;
  for (int i = 0; i < kJobs; ++i) answers.push_back(pool->submit(job::make_echo("job " + std::to_string(i))));
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(answers[i].get(), "job " + std::to_string(i));
  this->shut_down(pool);
}

// Guards against: a "process" pool that runs jobs in the parent (threads), so a crashing job takes
// the caller down and jobs share its memory.
TYPED_TEST_P(ProcessPoolConformance, MemoryIsolation) {
  std::optional<TypeParam> pool(std::in_place, this->options());
  const std::string pid = pool->submit(job::make_pid()).get();
  EXPECT_NE(pid, std::to_string(::getpid())) << "the job ran in the parent process";
  EXPECT_FALSE(pid.empty());
  this->shut_down(pool);
}

// Guards against: a child that died without answering leaving its future forever pending or
// fulfilled with garbage; a pool that stops working after one child died.
TYPED_TEST_P(ProcessPoolConformance, ExceptionsReachCaller) {
  std::optional<TypeParam> pool(std::in_place, this->options());
  auto crashed = pool->submit(job::make_crash());
  EXPECT_ANY_THROW(crashed.get()) << "a child killed by SIGKILL produced an answer";
  EXPECT_EQ(pool->submit(job::make_echo("after")).get(), "after") << "the pool did not recover";
  this->shut_down(pool);
}

// Guards against: zombies (children never waited for) and children left running after shutdown.
TYPED_TEST_P(ProcessPoolConformance, AllChildrenReaped) {
  std::optional<TypeParam> pool(std::in_place, this->options());
  std::vector<std::future<std::string>> answers;
  for (std::size_t i = 0; i < 4 * this->kWorkers; ++i) answers.push_back(pool->submit(job::make_pid()));
  auto crashed = pool->submit(job::make_crash());
  for (auto& a : answers) a.get();
  EXPECT_ANY_THROW(crashed.get());
  this->shut_down(pool);
  const auto left = own_children();
  std::string listing;
  for (const auto& c : left) listing += "\n  " + c;
  EXPECT_TRUE(left.empty()) << "children still there after shutdown (state Z = zombie):" << listing;
}

// Guards against: pipes created without O_CLOEXEC (or spawns that keep every fd), leaking the
// pool's other pipes into each child — which also stops a child from ever seeing EOF.
TYPED_TEST_P(ProcessPoolConformance, NoFdLeakedIntoChildren) {
  const auto ambient = ambient_inheritable_fds();
  for (const auto& fd : ambient) std::printf("note: inherited from our parent, not counted: fd %s\n", fd.c_str());
  std::optional<TypeParam> pool(std::in_place, this->options());
  std::vector<std::future<std::string>> answers;
  for (std::size_t i = 0; i < 2 * this->kWorkers; ++i) answers.push_back(pool->submit(job::make_fds()));
  for (auto& a : answers) {
    std::istringstream lines(a.get());
    std::string leaked;
    for (std::string line; std::getline(lines, line);) {
      if (!ambient.count(line)) leaked += "\n  fd " + line;
    }
    EXPECT_EQ(leaked, "") << "fds above stdio open in a child (fd target):" << leaked;
  }
  this->shut_down(pool);
}

// Guards against: framing bugs and pipe-buffer deadlocks (writing all input before reading output,
// waiting for the child's exit before draining its stdout). 1 MiB is 16 pipe buffers.
TYPED_TEST_P(ProcessPoolConformance, LargeMessagesRoundTrip) {
  std::mt19937 rng(6);
  std::string big(1 << 20, '\0');
  for (auto& c : big) c = static_cast<char>(rng());  // every byte value, including \0 and \n
  std::optional<TypeParam> pool(std::in_place, this->options());
  std::vector<std::future<std::string>> answers;
  for (int i = 0; i < 3; ++i) answers.push_back(pool->submit(job::make_echo(big)));
  for (auto& a : answers) {
    const std::string got = a.get();
    EXPECT_EQ(got.size(), big.size());
    EXPECT_TRUE(got == big) << "the 1 MiB answer differs from what was sent";
  }
  this->shut_down(pool);
}

// Guards against: a pool that waits for EOF on a child's stdout, which a grandchild still holds.
TYPED_TEST_P(ProcessPoolConformance, GrandchildHoldingPipeDoesNotHang) {
  std::optional<TypeParam> pool(std::in_place, this->options());
  // The grandchild sleeps far longer than the watchdog budget, so waiting for it is caught.
  const int hold_s = static_cast<int>(6 * watchdog_budget().count() / 1000) + 6;
  const std::string answer = pool->submit(job::make_grandchild(hold_s)).get();
  const pid_t grandchild = static_cast<pid_t>(std::stol(answer.empty() ? "0" : answer));
  ASSERT_GT(grandchild, 0) << "no grandchild pid in the answer";
  this->dog_->add_cleanup([grandchild] { ::kill(grandchild, SIGKILL); });
  EXPECT_EQ(pool->submit(job::make_echo("still serving")).get(), "still serving");
  this->shut_down(pool);
  ::kill(grandchild, SIGKILL);
}

REGISTER_TYPED_TEST_SUITE_P(ProcessPoolConformance, ResultsMatchJobs, MemoryIsolation, ExceptionsReachCaller,
                            AllChildrenReaped, NoFdLeakedIntoChildren, LargeMessagesRoundTrip,
                            GrandchildHoldingPipeDoesNotHang);

}  // namespace conkit::conformance
