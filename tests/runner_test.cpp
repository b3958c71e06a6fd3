// runner_test — conkit::run() against real child processes (tests/programs/*, /bin/sh, cat, env),
// and the sanitizer-report parser, escape_for_display and signal names on sample texts.
//
// Timing bounds here are about the harness, not a case: they bound how long run() itself may take
// beyond what the options ask for. Margins allow for a 2-core machine shared with compilers and
// for ThreadSanitizer's slowdown; each is commented.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "conkit/grade.hpp"
#include "conkit/run.hpp"

#include "common/signals.hpp"
#include "sanitizer.hpp"
#include "common/text.hpp"

namespace {

using conkit::Ending;
using conkit::RunOptions;
using conkit::RunResult;
using conkit::Stream;

std::string program(const std::string& name) { return std::string(CONKIT_TEST_PROGRAMS_DIR) + "/" + name; }

// Default options to run helper program `name` with `args`.
RunOptions program_options(const std::string& name, const std::vector<std::string>& args = {}) {
  RunOptions o;
  o.argv = {program(name)};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  return o;
}

// Skips the test (with the reason) if a helper program was not built.
#define REQUIRE_PROGRAM(name)                                                                  \
  do {                                                                                         \
    if (::access(program(name).c_str(), X_OK) != 0)                                            \
      GTEST_SKIP() << "helper program " << program(name) << " is missing: build conkit_test_programs"; \
  } while (0)

std::vector<std::string> texts(const RunResult& r, Stream s) {
  std::vector<std::string> out;
  for (const auto& l : r.lines)
    if (l.stream == s) out.emplace_back(l.text);
  return out;
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

// The pid in a line "<word> PID" printed by a helper program.
std::optional<pid_t> pid_after(const RunResult& r, const std::string& word) {
  for (const auto& l : r.lines)
    if (l.text.rfind(word + " ", 0) == 0) return static_cast<pid_t>(std::stol(std::string(l.text.substr(word.size() + 1))));
  return std::nullopt;
}

std::string describe(const RunResult& r) {
  std::string s = "ending=" + std::to_string(static_cast<int>(r.ending)) + " exit=" + std::to_string(r.exit_code) +
                  " signal=" + std::to_string(r.signal) + " start_error=" + r.start_error + " notes:";
  for (const auto& n : r.notes) s += " [" + n + "]";
  return s;
}

int open_fd_count() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d)) ++n;
    ::closedir(d);
  }
  return n;
}

// ---- output ----

TEST(Runner, EchoLinesInOrderWithIncreasingStampsAndStreamKept) {
  REQUIRE_PROGRAM("echo_lines");
  RunOptions o;
  o.argv = {program("echo_lines"), "one", "err:two", "three", "four"};
  RunResult r = conkit::run(o);
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(texts(r, Stream::out), (std::vector<std::string>{"one", "three", "four"}));
  EXPECT_EQ(texts(r, Stream::err), (std::vector<std::string>{"two"}));
  ASSERT_EQ(r.lines.size(), 4u);
  // Order within a stream is checked above; across streams it is not guaranteed (the two pipes
  // are read as their data is noticed). A line is stamped when its chunk is read, so lines read
  // together share a stamp: stamps never decrease. The first and last lines are written 30 ms
  // apart, so only a reader stalled for more than 20 ms would measure less than 10 ms between them.
  for (std::size_t i = 1; i < r.lines.size(); ++i) EXPECT_GE(r.lines[i].t_ms, r.lines[i - 1].t_ms) << i;
  EXPECT_GE(r.lines.back().t_ms - r.lines.front().t_ms, 10.0);
  EXPECT_GE(r.lines.front().t_ms, 0.0);
  EXPECT_LE(r.lines.back().t_ms, r.wall_ms);
  EXPECT_LE(r.end_ms, r.wall_ms);
  EXPECT_GT(r.spawn_ns, 0);
  EXPECT_TRUE(r.sanitizer_reports.empty());
}

TEST(Runner, StdinIsDevNull) {
  // Give this process a stdin that never ends (a pipe whose write end stays open): a child that
  // inherited it would block in `cat` until the timeout.
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  int saved = ::dup(STDIN_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(::dup2(p[0], STDIN_FILENO), STDIN_FILENO);
  RunOptions o;
  o.argv = {"cat"};
  o.timeout_ms = 1500;
  RunResult r = conkit::run(o);
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  ::close(p[0]);
  ::close(p[1]);
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.lines.empty());
  // `cat` on /dev/null ends as soon as it starts; 1000 ms is far below the 1500 ms timeout and
  // far above a start (a few ms, ~50 ms under TSan on a busy machine).
  EXPECT_LT(r.wall_ms, 1000) << describe(r);
}

TEST(Runner, EnvironmentIsExplicit) {
  ::setenv("PYTHONUNBUFFERED", "1", 1);
  ::setenv("TSAN_OPTIONS_CONKIT_PROBE", "x", 1);
  ::setenv("CONKIT_TEST_INHERITED", "yes", 1);
  RunOptions o;
  o.argv = {"env"};  // looked up in PATH; prints the whole environment it got
  o.env = {{"DECLARED", "a b=c"}};
  o.inherit = {"CONKIT_TEST_INHERITED"};
  o.unit_ms = 25.4;
  RunResult r = conkit::run(o);
  ::unsetenv("PYTHONUNBUFFERED");
  ::unsetenv("TSAN_OPTIONS_CONKIT_PROBE");
  ::unsetenv("CONKIT_TEST_INHERITED");
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);
  std::map<std::string, std::string> env;
  for (const auto& line : texts(r, Stream::out)) {
    auto eq = line.find('=');
    ASSERT_NE(eq, std::string::npos) << line;
    env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  EXPECT_EQ(env.count("PYTHONUNBUFFERED"), 0u);
  EXPECT_EQ(env.count("TSAN_OPTIONS_CONKIT_PROBE"), 0u);
  EXPECT_EQ(env["DECLARED"], "a b=c");
  EXPECT_EQ(env["CONKIT_TEST_INHERITED"], "yes");
  EXPECT_EQ(env["CONKIT_UNIT_MS"], "25");
  ASSERT_EQ(env.count("CONKIT_FACTS_FD"), 1u);
  EXPECT_GE(std::stoi(env["CONKIT_FACTS_FD"]), 3);
  std::set<std::string> allowed = {"PATH", "HOME", "LANG", "DECLARED", "CONKIT_TEST_INHERITED", "CONKIT_UNIT_MS",
                                   "CONKIT_FACTS_FD"};
  for (const auto& [name, value] : env) EXPECT_EQ(allowed.count(name), 1u) << "leaked into the child: " << name;
  EXPECT_EQ(env["PATH"], std::getenv("PATH"));
}

TEST(Runner, UnitIsAtLeastOneMillisecond) {
  RunOptions o;
  o.argv = {"/bin/sh", "-c", "echo $CONKIT_UNIT_MS"};
  o.unit_ms = 0.2;
  RunResult r = conkit::run(o);
  EXPECT_EQ(texts(r, Stream::out), (std::vector<std::string>{"1"})) << describe(r);
}

TEST(Runner, MegabyteOnStdoutAndStderrAtOnceDoesNotDeadlock) {
  REQUIRE_PROGRAM("big_output");
  constexpr std::size_t kBytes = 1 << 20;
  RunOptions o;
  o.argv = {program("big_output"), std::to_string(kBytes)};
  o.timeout_ms = 10000;  // a deadlock would end here, as timed_out
  RunResult r = conkit::run(o);
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);
  EXPECT_EQ(r.exit_code, 0);
  std::size_t bytes[2] = {0, 0};
  for (const auto& l : r.lines) bytes[l.stream == Stream::out ? 0 : 1] += l.text.size() + 1;
  EXPECT_EQ(bytes[0], kBytes);
  EXPECT_EQ(bytes[1], kBytes);
  EXPECT_FALSE(r.truncated_out);
  EXPECT_FALSE(r.truncated_err);
}

TEST(Runner, InvalidUtf8IsKeptRawAndEscapedForDisplay) {
  REQUIRE_PROGRAM("bad_utf8");
  RunResult r = conkit::run(program_options("bad_utf8"));
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);
  ASSERT_EQ(texts(r, Stream::out), (std::vector<std::string>{"ok \xff\xfe end", "caf\xc3\xa9", "tail"}));
  EXPECT_EQ(conkit::escape_for_display(r.lines[0].text), "ok \\xff\\xfe end");
  EXPECT_EQ(conkit::escape_for_display(r.lines[1].text), "caf\xc3\xa9");
}

// ---- endings ----

TEST(Runner, ExitCodesAreRecorded) {
  REQUIRE_PROGRAM("exit_with");
  for (int code : {0, 66, 77}) {
    RunResult r = conkit::run(program_options("exit_with", {std::to_string(code)}));
    EXPECT_EQ(r.ending, Ending::exited) << describe(r);
    EXPECT_EQ(r.exit_code, code);
    EXPECT_EQ(r.signal, 0);
  }
}

TEST(Runner, CrashBySegvIsSignaled) {
  RunOptions o;
  o.argv = {"/bin/sh", "-c", "kill -SEGV $$"};
  RunResult r = conkit::run(o);
  EXPECT_EQ(r.ending, Ending::signaled) << describe(r);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(conkit::signal_name(r.signal), "SIGSEGV");
}

TEST(Runner, AbortIsSignaled) {
  REQUIRE_PROGRAM("exit_with");
  RunResult r = conkit::run(program_options("exit_with", {"abort"}));
  EXPECT_EQ(r.ending, Ending::signaled) << describe(r);
  EXPECT_EQ(r.signal, SIGABRT);
}

TEST(Runner, MissingOrNonExecutableProgramFailsToStart) {
  const int fds_before = open_fd_count();
  std::string not_executable = ::testing::TempDir() + "/conkit_runner_not_executable";
  { std::ofstream(not_executable) << "#!/bin/sh\necho hi\n"; }
  ::chmod(not_executable.c_str(), 0644);
  for (const std::string& exe : {std::string("/nonexistent/conkit-no-such-program"),
                                 std::string("conkit-no-such-program-in-path"), not_executable}) {
    RunOptions o;
    o.argv = {exe};
    o.timeout_ms = 2000;
    RunResult r = conkit::run(o);
    EXPECT_EQ(r.ending, Ending::failed_to_start) << exe << ": " << describe(r);
    EXPECT_FALSE(r.start_error.empty()) << exe;
    EXPECT_TRUE(r.lines.empty()) << exe;
  }
  std::filesystem::remove(not_executable);
  EXPECT_EQ(open_fd_count(), fds_before);
  EXPECT_THROW(conkit::run(RunOptions{}), std::invalid_argument);
}

// ---- limits and the process group ----

// Options for helper program `name` with `args`, whose descendants the test looks for by the pids
// they print: the case's own pids are ours only outside a namespace.
RunOptions subreaper_options(const std::string& name, const std::vector<std::string>& args = {}) {
  RunOptions o = program_options(name, args);
  o.containment = conkit::Containment::subreaper;
  return o;
}

// The helper's descendant that printed "<word> PID" did not outlive `during`.
void expect_gone(const RunResult& r, const std::string& word, const std::string& during) {
  auto pid = pid_after(r, word);
  ASSERT_TRUE(pid) << describe(r);
  EXPECT_FALSE(process_exists(*pid)) << word << " " << *pid << " survived " << during;
}

TEST(Runner, TimeoutKillsTheGrandchildToo) {
  REQUIRE_PROGRAM("spawn_grandchild");
  RunOptions o = subreaper_options("spawn_grandchild", {"wait"});
  o.timeout_ms = 300;
  o.term_grace_ms = 300;
  o.drain_grace_ms = 3000;  // had only the main child been killed, the grandchild would hold the pipes this long
  RunResult r = conkit::run(o);
  ASSERT_EQ(r.ending, Ending::timed_out) << describe(r);
  EXPECT_EQ(r.signal, SIGTERM);
  ASSERT_NO_FATAL_FAILURE(expect_gone(r, "grandchild", "the run"));
  EXPECT_FALSE(r.pipe_held_after_exit);  // the grandchild died with the group, closing the pipes
  EXPECT_GE(r.end_ms, o.timeout_ms);  // timers never fire early
  // timeout 300 + kill and reap (a few ms); 700 ms of slack for a busy machine under TSan.
  EXPECT_LT(r.wall_ms, 1000) << describe(r);
}

TEST(Runner, GrandchildHoldingThePipeDoesNotHang) {
  REQUIRE_PROGRAM("spawn_grandchild");
  RunOptions o = subreaper_options("spawn_grandchild", {"hold"});
  o.drain_grace_ms = 200;
  o.timeout_ms = 5000;
  RunResult r = conkit::run(o);
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);  // the main child exited by itself
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.pipe_held_after_exit);
  EXPECT_GE(r.stray_processes_killed, 1);
  ASSERT_FALSE(r.notes.empty());
  // The drain kill ended the grandchild; conkit did not have to stop reading from a survivor.
  for (const auto& note : r.notes) EXPECT_EQ(note.find("outside the group"), std::string::npos) << note;
  ASSERT_NO_FATAL_FAILURE(expect_gone(r, "grandchild", "the run"));
  // It waited the drain grace after the exit, and then not much more: the grandchild sleeps 30 s.
  EXPECT_GE(r.wall_ms - r.end_ms, o.drain_grace_ms);
  // drain grace 200 + kill and reap (a few ms); 500 ms of slack for a busy machine under TSan.
  EXPECT_LT(r.wall_ms, o.drain_grace_ms + 500);
}

TEST(Runner, FloodIsCappedAndTheGroupKilled) {
  REQUIRE_PROGRAM("flood");
  RunOptions o = subreaper_options("flood");
  o.output_cap = 64 * 1024;
  o.timeout_ms = 5000;
  o.drain_grace_ms = 3000;  // had only the main child been killed, the sleeper would hold the pipes this long
  RunResult r = conkit::run(o);
  ASSERT_EQ(r.ending, Ending::flooded) << describe(r);
  EXPECT_TRUE(r.truncated_out);
  EXPECT_FALSE(r.truncated_err);
  EXPECT_EQ(r.signal, SIGKILL);
  std::size_t kept = 0;
  for (const auto& l : r.lines) kept += l.text.size() + 1;
  EXPECT_LE(kept, o.output_cap + 1);  // +1: a cut last line is counted with a newline it did not have
  EXPECT_GT(kept, o.output_cap / 2);
  ASSERT_NO_FATAL_FAILURE(expect_gone(r, "sleeper", "the flood"));
  EXPECT_FALSE(r.pipe_held_after_exit);
  // Far below the 5000 ms timeout and the 3000 ms drain grace: the cap ended it, killing the group.
  EXPECT_LT(r.wall_ms, 2000);
}

// ---- facts ----

TEST(Runner, FactsAreParsedIncludingFromAGrandchild) {
  REQUIRE_PROGRAM("facts_writer");
  RunResult r = conkit::run(program_options("facts_writer"));
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);
  EXPECT_EQ(texts(r, Stream::out), (std::vector<std::string>{"done"}));
  std::map<std::string, conkit::FactView> by_name;
  for (conkit::FactView f : r.facts) by_name[std::string(f.name)] = f;
  ASSERT_EQ(r.facts.size(), 5u);
  EXPECT_EQ(by_name["answer"].number, 42.0);
  EXPECT_EQ(by_name["answer"].value_json, "42");
  EXPECT_EQ(by_name["model"].string, "threads");
  EXPECT_EQ(by_name["model"].value_json, "\"threads\"");
  EXPECT_FALSE(by_name["model"].number);
  EXPECT_EQ(by_name["flag"].number, 1.0);
  EXPECT_EQ(by_name["ratio"].number, 0.5);
  EXPECT_EQ(by_name["from"].string, "grandchild");
  ASSERT_TRUE(by_name["from"].pid && by_name["answer"].pid);
  EXPECT_NE(*by_name["from"].pid, *by_name["answer"].pid);
  for (const auto& f : r.facts) {
    ASSERT_TRUE(f.inner_ms) << f.name;
    // The case stamps a fact before writing it, after the spawn, and it arrives after that.
    EXPECT_GE(*f.inner_ms, 0.0) << f.name;
    EXPECT_LE(*f.inner_ms, f.t_ms) << f.name;
    EXPECT_TRUE(f.tid) << f.name;
  }
  EXPECT_EQ(r.bad_facts, (std::vector<std::string>{"not json", "{\"value\":1}"}));
}

TEST(Runner, NoFileDescriptorsLeak) {
  REQUIRE_PROGRAM("spawn_grandchild");
  const int before = open_fd_count();
  RunOptions o;
  o.argv = {program("spawn_grandchild"), "hold"};
  o.drain_grace_ms = 50;
  conkit::run(o);
  o.argv = {"/bin/true"};
  conkit::run(o);
  EXPECT_EQ(open_fd_count(), before);
}

// conkit's own fds must not reach the case, even those it inherited without close-on-exec
// (Boost 1.81 leaves the gaps between its whitelisted fds open; the runner closes them itself).
TEST(Runner, InheritedFdsDoNotReachTheCase) {
  const int leaked = ::fcntl(::open("/dev/null", O_RDONLY | O_CLOEXEC), F_DUPFD, 50);  // no CLOEXEC on the copy
  ASSERT_GE(leaked, 50);
  RunOptions o;
  o.argv = {"/bin/sh", "-c", "for f in /proc/self/fd/*; do echo ${f##*/}; done"};  // $$ is the namespace's pid
  RunResult r = conkit::run(o);
  ::close(leaked);
  std::set<std::string> fds;
  for (const auto& t : texts(r, Stream::out)) fds.insert(t);
  EXPECT_EQ(fds.count(std::to_string(leaked)), 0u) << "fd " << leaked << " leaked into the case";
  for (const char* stdio : {"0", "1", "2"}) EXPECT_EQ(fds.count(stdio), 1u) << stdio;
  EXPECT_LE(fds.size(), 5u) << "stdio, the facts fd and at most one of the shell's own";
}

// A signal handler's flag (RunOptions::cancel) ends the run at once as interrupted, never as a
// timeout. The flag is set the way the CLI sets it: by a handler storing the signal number (here
// SIGALRM from setitimer).
volatile std::sig_atomic_t cancel_flag = 0;
extern "C" void set_cancel_flag(int sig) { cancel_flag = sig; }

TEST(Runner, CancelFlagEndsTheRunAsInterrupted) {
  cancel_flag = 0;
  struct sigaction sa {}, old {};
  sa.sa_handler = set_cancel_flag;
  ASSERT_EQ(::sigaction(SIGALRM, &sa, &old), 0);
  itimerval after_100ms{};
  after_100ms.it_value.tv_usec = 100000;
  ASSERT_EQ(::setitimer(ITIMER_REAL, &after_100ms, nullptr), 0);
  RunOptions o;
  o.argv = {"/bin/sleep", "10"};
  o.cancel = &cancel_flag;
  RunResult r = conkit::run(o);
  ::sigaction(SIGALRM, &old, nullptr);
  EXPECT_EQ(r.ending, Ending::interrupted) << describe(r);
  EXPECT_EQ(r.signal, SIGALRM) << describe(r);
  EXPECT_LT(r.wall_ms, 5000) << describe(r);
  bool noted = false;
  for (const auto& n : r.notes) noted |= n.find("cancelled: conkit got SIGALRM") != std::string::npos;
  EXPECT_TRUE(noted) << describe(r);
}

TEST(Runner, SanitizerReportsInStderrAreFound) {
  RunOptions o;
  o.argv = {"/bin/sh", "-c",
            "echo before >&2; echo '/src/ub.cpp:4:12: runtime error: signed integer overflow: "
            "2147483647 + 1 cannot be represented in type int' >&2; echo after >&2"};
  RunResult r = conkit::run(o);
  ASSERT_EQ(r.sanitizer_reports.size(), 1u) << describe(r);
  EXPECT_EQ(r.sanitizer_reports[0].tool, "UndefinedBehaviorSanitizer");
  EXPECT_EQ(r.sanitizer_reports[0].location, "/src/ub.cpp:4:12");
  EXPECT_EQ(r.sanitizer_reports[0].first_line, 1u);
}

// ---- sanitizer report parser ----

// Each line of `text` (every line ends in '\n') as a stderr line: a sample is pasted as the
// sanitizer printed it.
std::vector<conkit::Line> err_lines(std::string_view text) {
  std::vector<conkit::Line> lines;
  for (std::size_t at = 0, end; (end = text.find('\n', at)) != std::string_view::npos; at = end + 1)
    lines.push_back({Stream::err, 0, std::string(text.substr(at, end - at))});
  return lines;
}

// What one found report must say; a field left unset is not checked.
struct WantReport {
  std::optional<std::string> tool{}, kind{}, first_frame{}, location{};
  std::size_t first_line = 0, last_line = 0;
};

// The reports found in `lines` are `want`, in order.
void expect_reports(const std::vector<conkit::Line>& lines, const std::vector<WantReport>& want) {
  auto reports = conkit::find_sanitizer_reports(lines);
  ASSERT_EQ(reports.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("report " + std::to_string(i));
    const conkit::SanitizerReport& got = reports[i];
    const WantReport& w = want[i];
    if (w.tool) {
      EXPECT_EQ(got.tool, *w.tool);
    }
    if (w.kind) {
      EXPECT_EQ(got.kind, *w.kind);
    }
    if (w.first_frame) {
      EXPECT_EQ(got.first_frame, *w.first_frame);
    }
    if (w.location) {
      EXPECT_EQ(got.location, *w.location);
    }
    EXPECT_EQ(got.first_line, w.first_line);
    EXPECT_EQ(got.last_line, w.last_line);
  }
}

TEST(SanitizerReports, ThreadSanitizerDataRace) {
  auto lines = err_lines(R"(starting
==================
WARNING: ThreadSanitizer: data race (pid=4242)
  Write of size 8 at 0x55d0c0a3c018 by thread T2:
    #0 increment(int) /src/case.cpp:12:5 (case+0x12a4)
    #1 worker() /src/case.cpp:20:3 (case+0x1300)

  Previous write of size 8 at 0x55d0c0a3c018 by thread T1:
    #0 increment(int) /src/case.cpp:12:5 (case+0x12a4)

  Location is global 'counter' of size 8 at 0x55d0c0a3c018 (case+0x4018)

SUMMARY: ThreadSanitizer: data race /src/case.cpp:12:5 in increment(int)
==================
counter = 1999
)");
  lines.insert(lines.begin() + 5, conkit::Line{Stream::out, 0, "stdout between"});
  expect_reports(lines, {{.tool = "ThreadSanitizer", .kind = "data race",
                          .first_frame = "#0 increment(int) /src/case.cpp:12:5 (case+0x12a4)",
                          .location = "global 'counter' of size 8 at 0x55d0c0a3c018 (case+0x4018)",
                          .first_line = 1, .last_line = 14}});  // the closing separator; index counts the stdout line too
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  const conkit::SanitizerReport rep = conkit::find_sanitizer_reports(lines).at(0);
  EXPECT_EQ(rep.text.find("stdout between"), std::string::npos);
  EXPECT_NE(rep.text.find("SUMMARY: ThreadSanitizer"), std::string::npos);
}

TEST(SanitizerReports, TwoTsanReportsAndOtherKinds) {
  auto lines = err_lines(R"(==================
WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) (pid=7)
    #0 pthread_mutex_lock <null> (case+0x1)
SUMMARY: ThreadSanitizer: lock-order-inversion (potential deadlock) /src/a.cpp:3:1 in f()
==================
==================
WARNING: ThreadSanitizer: data race (pid=7)
    #0 g() /src/a.cpp:9:2 (case+0x2)
SUMMARY: ThreadSanitizer: data race /src/a.cpp:9:2 in g()
==================
ThreadSanitizer: reported 2 warnings
)");
  expect_reports(lines, {{.kind = "lock-order-inversion (potential deadlock)", .first_line = 0, .last_line = 4},
                         {.kind = "data race",
                          .location = "/src/a.cpp:9:2 in g()",  // no "Location is": the summary's place
                          .first_line = 5,
                          .last_line = 9}});
}

TEST(SanitizerReports, AddressSanitizerHeapUseAfterFree) {
  auto lines = err_lines(R"(=================================================================
==31337==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x4f5e6b bp 0x1 sp 0x2
READ of size 4 at 0x602000000010 thread T0
    #0 0x4f5e6b in main /src/uaf.cpp:5:10
    #1 0x7f0 in __libc_start_main
0x602000000010 is located 0 bytes inside of 4-byte region [0x602000000010,0x602000000014)
SUMMARY: AddressSanitizer: heap-use-after-free /src/uaf.cpp:5:10 in main
Shadow bytes around the buggy address:
  0x0c047fff8000: fa fa[fd]fa
==31337==ABORTING
unrelated
)");
  expect_reports(lines, {{.tool = "AddressSanitizer", .kind = "heap-use-after-free",
                          .first_frame = "#0 0x4f5e6b in main /src/uaf.cpp:5:10", .location = "/src/uaf.cpp:5:10 in main",
                          .first_line = 0, .last_line = 9}});
}

TEST(SanitizerReports, LeakSanitizer) {
  // The sample opens with a blank line (line 0).
  auto lines = err_lines(R"(
=================================================================
==99==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 4 byte(s) in 1 object(s) allocated from:
    #0 0x4af01b in operator new(unsigned long) (a.out+0x4af01b)
    #1 0x4f5e6b in main /src/leak.cpp:3:12

SUMMARY: AddressSanitizer: 4 byte(s) leaked in 1 allocation(s).
)");
  expect_reports(lines, {{.tool = "LeakSanitizer", .kind = "detected memory leaks",
                          .first_frame = "#0 0x4af01b in operator new(unsigned long) (a.out+0x4af01b)", .location = "",
                          .first_line = 1, .last_line = 8}});
}

TEST(SanitizerReports, UndefinedBehaviorSanitizer) {
  auto lines = err_lines(R"(/src/ub.cpp:4:12: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'
    #0 0x42 in add /src/ub.cpp:4:12
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior /src/ub.cpp:4:12 in
result = -2147483648
/src/ub.cpp:9:3: runtime error: load of null pointer of type 'int'
)");
  expect_reports(lines, {{.tool = "UndefinedBehaviorSanitizer", .kind = "signed integer overflow",
                          .first_frame = "#0 0x42 in add /src/ub.cpp:4:12", .location = "/src/ub.cpp:4:12",
                          .first_line = 0, .last_line = 2},
                         {.kind = "load of null pointer of type 'int'", .location = "/src/ub.cpp:9:3",
                          .first_line = 4, .last_line = 4}});
}

TEST(SanitizerReports, OrdinaryOutputHasNone) {
  auto lines = err_lines(R"(WARNING: low disk space
ERROR: could not open file: x
==================
==1==WARNING: AddressSanitizer failed to allocate 0x10 bytes
runtime error
)");
  lines.push_back({Stream::out, 0, "WARNING: ThreadSanitizer: data race (pid=1)"});  // stdout is not checked
  EXPECT_TRUE(conkit::find_sanitizer_reports(lines).empty());
}

// ---- display helpers ----

TEST(Display, EscapeKeepsValidUtf8AndEscapesTheRest) {
  EXPECT_EQ(conkit::escape_for_display("plain ascii"), "plain ascii");
  EXPECT_EQ(conkit::escape_for_display("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80");
  EXPECT_EQ(conkit::escape_for_display("a\tb\x1b[0m\x7f"), "a\\x09b\\x1b[0m\\x7f");
  EXPECT_EQ(conkit::escape_for_display(std::string("nul\0!", 5)), "nul\\x00!");
  EXPECT_EQ(conkit::escape_for_display("\xc3"), "\\xc3");                  // cut sequence
  EXPECT_EQ(conkit::escape_for_display("\xc0\xaf"), "\\xc0\\xaf");        // overlong '/'
  EXPECT_EQ(conkit::escape_for_display("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(conkit::escape_for_display("\xc2\x85"), "\\xc2\\x85");        // C1 control (NEL)
}

TEST(Display, SignalNames) {
  EXPECT_EQ(conkit::signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(conkit::signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(conkit::signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(conkit::signal_name(200), "signal 200");
  EXPECT_EQ(conkit::signal_number("SIGSEGV"), SIGSEGV);
  EXPECT_EQ(conkit::signal_number("segv"), SIGSEGV);
  EXPECT_EQ(conkit::signal_number("SIGTERM"), SIGTERM);
  EXPECT_EQ(conkit::signal_number("SIGNOPE"), 0);
  EXPECT_EQ(conkit::signal_number("SIG"), 0);
  EXPECT_EQ(conkit::signal_number("IO"), SIGIO);  // aliases glibc's sigabbrev_np does not return
  EXPECT_EQ(conkit::signal_number("SIGIOT"), SIGABRT);
  for (int sig = 1; sig < 32; ++sig) {
    std::string name = conkit::signal_name(sig);
    if (name.rfind("SIG", 0) == 0) {
      EXPECT_EQ(conkit::signal_number(name), sig) << name;
    }
  }
}

// ---- containment, usage, remarks ----

TEST(Runner, ContainmentAndUsageAreReported) {
  RunOptions o;
  o.argv = {"/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"};
  RunResult r = conkit::run(o);
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);
  EXPECT_TRUE(r.containment == "pid-namespace" || r.containment == "subreaper") << r.containment;
  if (::geteuid() == 0) {
    EXPECT_EQ(r.containment, "pid-namespace") << r.containment_note;
  }
  ASSERT_TRUE(r.cpu_ms) << describe(r);
  EXPECT_GT(*r.cpu_ms, 0);
  ASSERT_TRUE(r.peak_memory_bytes) << describe(r);
  EXPECT_GT(*r.peak_memory_bytes, 0u);
  EXPECT_FALSE(r.limit_mechanism.empty());

  o.containment = conkit::Containment::subreaper;
  r = conkit::run(o);
  EXPECT_EQ(r.containment, "subreaper");
}

// When run() returns, conkit has no child left at all: no case process, no reaper, no zombie (a
// grandchild that pid 1 had not reaped, or pid 1 itself, would be a zombie child of conkit, the
// subreaper). Each way a run ends early, in both containment modes, a few times (the reaping races
// that this catches showed in about 3 runs in 10).
TEST(Runner, NothingOfTheCaseIsLeftNotEvenAZombie) {
  REQUIRE_PROGRAM("flood");
  REQUIRE_PROGRAM("spawn_grandchild");
  const auto modes = ::geteuid() == 0
                         ? std::vector<conkit::Containment>{conkit::Containment::subreaper, conkit::Containment::pid_namespace}
                         : std::vector<conkit::Containment>{conkit::Containment::subreaper, conkit::Containment::automatic};
  for (int round = 0; round < 3; ++round)
    for (auto mode : modes)
      for (const std::string how : {"flood", "timeout", "drain"}) {
        RunOptions o;
        o.containment = mode;
        o.argv = how == "flood" ? std::vector<std::string>{program("flood")}
                                : std::vector<std::string>{program("spawn_grandchild"), how == "timeout" ? "wait" : "hold"};
        o.output_cap = 64 * 1024;
        o.timeout_ms = how == "timeout" ? 200 : 5000;
        o.term_grace_ms = 100;
        o.drain_grace_ms = 100;
        RunResult r = conkit::run(o);
        EXPECT_EQ(r.ending, how == "flood" ? Ending::flooded : how == "timeout" ? Ending::timed_out : Ending::exited)
            << how << " " << describe(r);
        siginfo_t si{};
        const int rc = ::waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
        const int err = errno;
        EXPECT_TRUE(rc == -1 && err == ECHILD) << how << " under " << conkit::to_string(mode) << ": a child of conkit "
                                               << (rc == 0 && si.si_pid ? "is a zombie: pid " + std::to_string(si.si_pid)
                                                                         : std::string("is still alive"));
        if (rc == 0 && si.si_pid) ::waitpid(si.si_pid, nullptr, 0);  // so the next round starts clean
      }
}

TEST(Runner, RemarksNameTheStrays) {
  RunResult r;
  r.strays.push_back({1234, "sleep 300", true});
  auto remarks = conkit::run_remarks(r);
  ASSERT_EQ(remarks.size(), 1u);
  EXPECT_EQ(remarks[0], "killed 1 stray: pid 1234 sleep 300 (left the process group)");
  r.bad_fact_lines = 3;
  r.bad_facts = {"{\"fact\":\"a\",\"va"};
  remarks = conkit::run_remarks(r);
  ASSERT_EQ(remarks.size(), 2u);
  EXPECT_NE(remarks[1].find("3 bad fact lines"), std::string::npos) << remarks[1];
}

TEST(Runner, SizesAndDurations) {
  EXPECT_EQ(conkit::parse_size("64MiB"), 64u << 20);
  EXPECT_EQ(conkit::parse_size("512 KiB"), 512u << 10);
  EXPECT_EQ(conkit::parse_size("2GiB"), 2ull << 30);
  EXPECT_EQ(conkit::parse_size("4096"), 4096u);
  EXPECT_FALSE(conkit::parse_size("64MB"));
  EXPECT_FALSE(conkit::parse_size("lots"));
  EXPECT_EQ(conkit::parse_duration_ms("500ms"), 500.0);
  EXPECT_EQ(conkit::parse_duration_ms("2s"), 2000.0);
  EXPECT_FALSE(conkit::parse_duration_ms("2"));
  EXPECT_FALSE(conkit::parse_duration_ms("1.2.3ms")) << "two dots are not one number";
  EXPECT_FALSE(conkit::parse_size("."));
  EXPECT_EQ(conkit::parse_duration_ms("0.5s"), 500.0);
  EXPECT_EQ(conkit::default_memory_limit() > 0, true);
}

// ---- the statuses the runner's own endings give ----------------------------------------------

conkit::RunGrade grade_ending(const RunResult& r) {
  conkit::ParseResult p = conkit::parse_expect("scenario: s\nmodel: m\nout \"x\"\n", "t.expect");
  EXPECT_TRUE(p.ok());
  return conkit::grade_run(p.file, r, conkit::GradeOptions{});
}

TEST(RunnerStatus, LimitAndInterruptedAreTheirOwnStatuses) {
  RunResult limited;
  limited.ending = Ending::limited;
  limited.limit = "memory limit 256 MiB reached (peak 257 MiB, cgroup v2)";
  limited.lines.push_back({Stream::out, 1, "x"});  // the output would pass: the limit still decides
  conkit::RunGrade g = grade_ending(limited);
  EXPECT_EQ(g.status, conkit::Status::limit);
  ASSERT_FALSE(g.failures.empty());
  EXPECT_NE(g.failures[0].message.find("memory limit 256 MiB reached (peak 257 MiB, cgroup v2)"), std::string::npos);
  EXPECT_EQ(conkit::to_string(conkit::Status::limit), "LIMIT");

  RunResult interrupted;
  interrupted.ending = Ending::interrupted;
  interrupted.signal = SIGTERM;
  interrupted.lines.push_back({Stream::out, 1, "x"});
  g = grade_ending(interrupted);
  EXPECT_EQ(g.status, conkit::Status::interrupted);
  ASSERT_FALSE(g.failures.empty());
  EXPECT_NE(g.failures[0].message.find("interrupted by SIGTERM"), std::string::npos);
  EXPECT_EQ(conkit::to_string(conkit::Status::interrupted), "INTERRUPTED");
}

}  // namespace
