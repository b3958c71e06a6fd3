// mutation_score_test — runs the conformance suites against every mutant executor, each in its own
// process under conkit::run (timeout, process-group kill), and asserts that each mutant is caught
// by the property written next to it, while the same scaffolding without a bug passes. One test
// per mutant (MutationScore/Caught.<model>_<mutant>), so ctest's summary is the score table.
// Run: ctest -L mutants --output-on-failure
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include <conkit/run.hpp>

#include "verdict.hpp"

namespace {

struct Mutant {
  const char* name;      // the instantiation prefix in its suite binary
  const char* model;     // threads, event_loop or processes: names the test
  const char* binary;
  const char* property;  // the property that must catch it; "" for a bug-free sanity instance
  bool needs_tsan;       // only a ThreadSanitizer build can see the bug
  int line;
};

constexpr const char* kThreads = CONKIT_MUTANTS_THREAD_POOL;
constexpr const char* kLoop = CONKIT_MUTANTS_EVENT_LOOP;
constexpr const char* kProcesses = CONKIT_MUTANTS_PROCESS_POOL;

const std::vector<Mutant> kMutants = {
    {"drops_task", "threads", kThreads, "RunsEachTaskExactlyOnce", false, __LINE__},
    {"runs_task_twice", "threads", kThreads, "RunsEachTaskExactlyOnce", false, __LINE__},
    {"early_wait", "threads", kThreads, "WaitReturnsOnlyAfterAllRan", false, __LINE__},
    {"lost_wakeup", "threads", kThreads, "NoLostWakeup", false, __LINE__},
    {"deadlock_at_shutdown", "threads", kThreads, "ShutdownCompletes", false, __LINE__},
    {"drops_pending", "threads", kThreads, "ShutdownPolicyHolds", false, __LINE__},
    {"swallows_exceptions", "threads", kThreads, "ExceptionsReachCaller", false, __LINE__},
    {"serializes", "threads", kThreads, "ConcurrencyReachesN", false, __LINE__},
    {"oversubscribes", "threads", kThreads, "ConcurrencyNeverExceedsN", false, __LINE__},
    {"unsynchronized_queue", "threads", kThreads, "NoDataRaceInQueue", true, __LINE__},
    {"dies_on_exception", "threads", kThreads, "WorkersSurviveExceptions", false, __LINE__},
    {"defers_nested_submit", "threads", kThreads, "NestedSubmitCompletes", false, __LINE__},
    {"lifo_queue", "threads", kThreads, "StarvationBounded", false, __LINE__},
    {"worker_lost_wakeup", "threads", kThreads, "NoLostWakeup", false, __LINE__},
    {"blocking_timer", "event_loop", kLoop, "NoLagWhileTimerPending", false, __LINE__},
    {"early_timer", "event_loop", kLoop, "TimersDoNotFireEarly", false, __LINE__},
    {"runs_off_loop", "event_loop", kLoop, "HandlersRunOnLoopThread", false, __LINE__},
    {"timers_in_post_order", "event_loop", kLoop, "TimersFireInDeadlineOrder", false, __LINE__},
    {"coarse_timer_tick", "event_loop", kLoop, "IdleTimersAreNotLate", false, __LINE__},
    {"cancel_too_late", "event_loop", kLoop, "CancelledTimerDoesNotRun", false, __LINE__},
    {"stop_before_run_lost", "event_loop", kLoop, "StopBeforeRunIsNotLost", false, __LINE__},
    {"swallows_exceptions", "event_loop", kLoop, "ExceptionsReachCaller", false, __LINE__},
    {"leaks_zombies", "processes", kProcesses, "AllChildrenReaped", false, __LINE__},
    {"pipe_buffer_deadlock", "processes", kProcesses, "LargeMessagesRoundTrip", false, __LINE__},
    {"leaks_fds", "processes", kProcesses, "NoFdLeakedIntoChildren", false, __LINE__},
    {"waits_for_eof", "processes", kProcesses, "GrandchildHoldingPipeDoesNotHang", false, __LINE__},
    {"runs_in_parent", "processes", kProcesses, "MemoryIsolation", false, __LINE__},
};

// The same scaffolding with no bug switched in: it must pass, or a catch above proves nothing.
const std::vector<Mutant> kSanity = {
    {"none", "threads", kThreads, "", false, __LINE__},
    {"none", "event_loop", kLoop, "", false, __LINE__},
    {"none", "processes", kProcesses, "", false, __LINE__},
};

conkit::RunResult run_suite(const Mutant& m, const std::string& filter = "*") {
  conkit::RunOptions opt;
  opt.argv = {m.binary, std::string("--gtest_filter=") + m.name + "/" + filter};
  // A hanging mutant is caught by the suite's watchdog after 2 s (a correct executor needs
  // milliseconds per property); the run's own timeout is the backstop if even that fails.
  // The budget must stay above the suites' longest legitimate wait (a 20u timer = 200 ms at the
  // suites' default u of 10 ms, which is set here rather than inherited).
  opt.env["CONKIT_CONFORMANCE_WATCHDOG_MS"] = "2000";
  opt.unit_ms = 10;
  opt.inherit = {"TSAN_OPTIONS", "ASAN_OPTIONS", "UBSAN_OPTIONS"};
  opt.timeout_ms = 30000;
  return conkit::run(opt);
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "-" : out;
}

std::string transcript(const conkit::RunResult& r) {
  std::string out;
  for (conkit::LineView l : r.lines) out += "    " + std::string(l.text) + "\n";
  return out;
}

const bool kTsan = std::string(CONKIT_BUILD_SANITIZER) == "tsan";

std::string test_name(const ::testing::TestParamInfo<Mutant>& info) {
  return std::string(info.param.model) + "_" + info.param.name;
}

class Caught : public ::testing::TestWithParam<Mutant> {};

TEST_P(Caught, ByItsProperty) {
  const Mutant& m = GetParam();
  if (m.needs_tsan && !kTsan) {
    GTEST_SKIP() << "needs a -fsanitize=thread build: the race is benign on x86 and only TSan sees it";
  }
  const auto result = run_suite(m);
  const auto by = conkit::mutants::caught_by(result);
  std::printf("%-22s %-34s %-8s %s\n", m.name, m.property,
              conkit::mutants::caught_by_property(by, m.property) ? "caught" : "MISSED", join(by).c_str());
  EXPECT_TRUE(conkit::mutants::caught_by_property(by, m.property))
      << "mutant " << m.name << " (" << __FILE__ << ":" << m.line << ") was not caught by " << m.property
      << "; caught by: " << join(by) << "\n" << transcript(result);
}
INSTANTIATE_TEST_SUITE_P(MutationScore, Caught, ::testing::ValuesIn(kMutants), test_name);

class ScaffoldingWithoutBug : public ::testing::TestWithParam<Mutant> {};

TEST_P(ScaffoldingWithoutBug, Passes) {
  const Mutant& m = GetParam();
  const auto result = run_suite(m);
  const auto by = conkit::mutants::caught_by(result);
  EXPECT_TRUE(by.empty() && result.ending == conkit::Ending::exited && result.exit_code == 0)
      << m.binary << " (" << __FILE__ << ":" << m.line << ") with no bug failed: " << join(by) << "\n"
      << transcript(result);
}
INSTANTIATE_TEST_SUITE_P(MutationScore, ScaffoldingWithoutBug, ::testing::ValuesIn(kSanity), test_name);

bool printed(const conkit::RunResult& r, const std::string& text) {
  for (const auto& l : r.lines) {
    if (l.text.find(text) != std::string::npos) return true;
  }
  return false;
}

// A declared known failure that fails is XFAIL: the test passes and says so, with the reason.
TEST(KnownFailure, FailingIsReportedAsXfail) {
  const Mutant m{"xfail_fails", "threads", kThreads, "", false, __LINE__};
  const auto result = run_suite(m, "*.RunsEachTaskExactlyOnce");
  EXPECT_TRUE(result.ending == conkit::Ending::exited && result.exit_code == 0)
      << "an XFAIL must not fail the run\n" << transcript(result);
  EXPECT_TRUE(printed(result, "XFAIL (declared by the XFAIL meta-test)")) << transcript(result);
}

// A declared known failure that holds is XPASS: the test fails, naming the stale declaration.
TEST(KnownFailure, HoldingIsReportedAsXpassAndFails) {
  const Mutant m{"xfail_holds", "threads", kThreads, "", false, __LINE__};
  const auto result = run_suite(m, "*.RunsEachTaskExactlyOnce");
  const auto by = conkit::mutants::caught_by(result);
  EXPECT_TRUE(conkit::mutants::caught_by_property(by, "RunsEachTaskExactlyOnce")) << transcript(result);
  EXPECT_TRUE(printed(result, "XPASS: declared a known failure")) << transcript(result);
}

}  // namespace
