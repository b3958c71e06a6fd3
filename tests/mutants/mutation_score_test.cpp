// mutation_score_test — runs the conformance suites against every mutant executor, each in its own
// process under conkit::run (timeout, process-group kill), and asserts that each mutant is caught
// by the property written next to it, while the same scaffolding without a bug passes. Prints the
// score table and the mutation score (caught / total).
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
  const char* binary;
  const char* property;  // the property that must catch it; "" for a bug-free sanity instance
  bool needs_tsan;       // only a ThreadSanitizer build can see the bug
  int line;
};

constexpr const char* kThreads = CONKIT_MUTANTS_THREAD_POOL;
constexpr const char* kLoop = CONKIT_MUTANTS_EVENT_LOOP;
constexpr const char* kProcesses = CONKIT_MUTANTS_PROCESS_POOL;

const std::vector<Mutant> kMutants = {
    {"drops_task", kThreads, "RunsEachTaskExactlyOnce", false, __LINE__},
    {"runs_task_twice", kThreads, "RunsEachTaskExactlyOnce", false, __LINE__},
    {"early_wait", kThreads, "WaitReturnsOnlyAfterAllRan", false, __LINE__},
    {"lost_wakeup", kThreads, "NoLostWakeup", false, __LINE__},
    {"deadlock_at_shutdown", kThreads, "ShutdownCompletes", false, __LINE__},
    {"drops_pending", kThreads, "ShutdownPolicyHolds", false, __LINE__},
    {"swallows_exceptions", kThreads, "ExceptionsReachCaller", false, __LINE__},
    {"serializes", kThreads, "ConcurrencyReachesN", false, __LINE__},
    {"oversubscribes", kThreads, "ConcurrencyNeverExceedsN", false, __LINE__},
    {"unsynchronized_queue", kThreads, "NoDataRaceInQueue", true, __LINE__},
    {"blocking_timer", kLoop, "NoLagWhileTimerPending", false, __LINE__},
    {"early_timer", kLoop, "TimersDoNotFireEarly", false, __LINE__},
    {"runs_off_loop", kLoop, "HandlersRunOnLoopThread", false, __LINE__},
    {"leaks_zombies", kProcesses, "AllChildrenReaped", false, __LINE__},
    {"pipe_buffer_deadlock", kProcesses, "LargeMessagesRoundTrip", false, __LINE__},
    {"leaks_fds", kProcesses, "NoFdLeakedIntoChildren", false, __LINE__},
    {"waits_for_eof", kProcesses, "GrandchildHoldingPipeDoesNotHang", false, __LINE__},
    {"runs_in_parent", kProcesses, "MemoryIsolation", false, __LINE__},
};

// The same scaffolding with no bug switched in: it must pass, or a catch above proves nothing.
const std::vector<Mutant> kSanity = {
    {"none", kThreads, "", false, __LINE__},
    {"none", kLoop, "", false, __LINE__},
    {"none", kProcesses, "", false, __LINE__},
};

conkit::RunResult run_suite(const Mutant& m) {
  conkit::RunOptions opt;
  opt.argv = {m.binary, std::string("--gtest_filter=") + m.name + "/*"};
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
  for (const auto& l : r.lines) out += "    " + l.text + "\n";
  return out;
}

const bool kTsan = std::string(CONKIT_BUILD_SANITIZER) == "tsan";

TEST(MutationScore, EveryMutantIsCaughtByItsProperty) {
  int caught = 0, total = 0, skipped = 0;
  std::printf("\n%-22s %-34s %-8s %s\n", "mutant", "property", "status", "caught by");
  for (const Mutant& m : kMutants) {
    if (m.needs_tsan && !kTsan) {
      ++skipped;
      std::printf("%-22s %-34s %-8s %s\n", m.name, m.property, "SKIPPED",
                  "needs a -fsanitize=thread build: the race is benign on x86 and only TSan sees it");
      continue;
    }
    ++total;
    const auto result = run_suite(m);
    const auto by = conkit::mutants::caught_by(result);
    const bool ok = conkit::mutants::caught_by_property(by, m.property);
    caught += ok;
    std::printf("%-22s %-34s %-8s %s\n", m.name, m.property, ok ? "caught" : "MISSED", join(by).c_str());
    std::fflush(stdout);
    EXPECT_TRUE(ok) << "mutant " << m.name << " (" << __FILE__ << ":" << m.line << ") was not caught by "
                    << m.property << "; caught by: " << join(by) << "\n" << transcript(result);
  }
  std::printf("mutation score: %d/%d caught (%d skipped)\n", caught, total, skipped);
}

TEST(MutationScore, ScaffoldingWithoutBugPasses) {
  for (const Mutant& m : kSanity) {
    const auto result = run_suite(m);
    const auto by = conkit::mutants::caught_by(result);
    EXPECT_TRUE(by.empty() && result.ending == conkit::Ending::exited && result.exit_code == 0)
        << m.binary << " (" << __FILE__ << ":" << m.line << ") with no bug failed: " << join(by) << "\n"
        << transcript(result);
  }
}

}  // namespace
