// stdio_test — how a case's stdout and stderr are connected (RunOptions::stdio, the `stdio:`
// header, `merged` checks) and the exit-burst note (conkit/stdio.hpp).
//
// The runner tests start /bin/sh and coreutils; every limit they hit (cap, timeout, stray) is the
// same one the pipe mode has, and each test runs under all three modes. No bound here is on time:
// the timing of unflushed programs under a pty is tested through the CLI (tests/stdio/).
#include <signal.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "conkit/expect.hpp"
#include "conkit/grade.hpp"
#include "conkit/run.hpp"
#include "conkit/stdio.hpp"

namespace {

using conkit::Ending;
using conkit::Line;
using conkit::RunOptions;
using conkit::RunResult;
using conkit::StdioMode;
using conkit::Stream;

std::vector<std::string> texts(const RunResult& r, Stream s) {
  std::vector<std::string> out;
  for (const auto& l : r.lines)
    if (l.stream == s) out.emplace_back(l.text);
  return out;
}

std::string describe(const RunResult& r) {
  std::string s = "ending=" + std::to_string(static_cast<int>(r.ending)) + " exit=" + std::to_string(r.exit_code) +
                  " start_error=" + r.start_error + " notes:";
  for (const auto& n : r.notes) s += " [" + n + "]";
  for (const auto& l : r.lines) {
    s += "\n  " + std::to_string(static_cast<int>(l.stream)) + "| ";
    s += l.text;
  }
  return s;
}

RunResult sh(const std::string& script, StdioMode mode, double timeout_ms = 20000) {
  RunOptions o;
  o.argv = {"/bin/sh", "-c", script};
  o.stdio = mode;
  o.timeout_ms = timeout_ms;
  return conkit::run(o);
}

// The stream a mode puts a program's stdout (or stderr) lines on.
Stream out_of(StdioMode m) { return m == StdioMode::merged ? Stream::merged : Stream::out; }
Stream err_of(StdioMode m) { return m == StdioMode::merged ? Stream::merged : Stream::err; }

// ---- the pseudo-terminal ----

TEST(StdioPty, StdoutIsATerminalStderrAPipeStdinDevNullTermDumb) {
  RunResult r = sh(
      "[ -t 1 ] && echo 'out: terminal'; [ -t 2 ] && echo 'err: terminal' >&2 || echo 'err: pipe' >&2;"
      "echo \"in: $(readlink /proc/$$/fd/0)\"; echo \"TERM=$TERM\"",
      StdioMode::pty);
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);
  EXPECT_EQ(texts(r, Stream::out), (std::vector<std::string>{"out: terminal", "in: /dev/null", "TERM=dumb"}))
      << describe(r);
  EXPECT_EQ(texts(r, Stream::err), (std::vector<std::string>{"err: pipe"})) << describe(r);
  EXPECT_EQ(r.stdio, StdioMode::pty);
}

TEST(StdioPty, OverAPipeStdoutIsNoTerminalAndTermUnset) {
  RunResult r = sh("[ -t 1 ] || echo 'out: pipe'; echo \"TERM=${TERM-unset}\"", StdioMode::pipe);
  EXPECT_EQ(texts(r, Stream::out), (std::vector<std::string>{"out: pipe", "TERM=unset"})) << describe(r);
}

TEST(StdioPty, TheCasesOwnTermWins) {
  RunOptions o;
  o.argv = {"/bin/sh", "-c", "echo \"TERM=$TERM\""};
  o.stdio = StdioMode::pty;
  o.env["TERM"] = "vt100";
  EXPECT_EQ(texts(conkit::run(o), Stream::out), (std::vector<std::string>{"TERM=vt100"}));
}

// The terminal adds no CR (output processing is off), a CRLF the program wrote loses its CR like
// a terminal's would, and a CR inside a line is the program's and stays.
TEST(StdioPty, LinesCarryNoCarriageReturn) {
  const std::string script = "printf 'plain\\nwindows\\r\\nmid\\rline\\n'";
  RunResult pty = sh(script, StdioMode::pty);
  EXPECT_EQ(texts(pty, Stream::out), (std::vector<std::string>{"plain", "windows", "mid\rline"})) << describe(pty);
  RunResult pipe = sh(script, StdioMode::pipe);  // a pipe passes bytes as they are
  EXPECT_EQ(texts(pipe, Stream::out), (std::vector<std::string>{"plain", "windows\r", "mid\rline"}));
}

// The master reads EIO once the last slave holder exits: that is the end of output, after every
// byte written before it (here 1 MB written just before exiting).
TEST(StdioPty, EverythingWrittenBeforeExitArrivesThenEnd) {
  RunResult r = sh("head -c 1000000 /dev/zero | tr '\\0' x | fold -w 99", StdioMode::pty);
  ASSERT_EQ(r.ending, Ending::exited) << describe(r);
  EXPECT_EQ(r.exit_code, 0);
  auto lines = texts(r, Stream::out);
  ASSERT_EQ(lines.size(), 10102u) << describe(r);  // 1e6 / 99 rounded up
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) ASSERT_EQ(lines[i], std::string(99, 'x')) << "line " << i;
  EXPECT_EQ(lines.back(), std::string(1000000 % 99, 'x'));
  EXPECT_FALSE(r.pipe_held_after_exit);
}

// ---- the same limits in every mode ----

class EveryMode : public testing::TestWithParam<StdioMode> {};

INSTANTIATE_TEST_SUITE_P(Stdio, EveryMode, testing::Values(StdioMode::pipe, StdioMode::pty, StdioMode::merged),
                         [](const testing::TestParamInfo<StdioMode>& p) { return conkit::to_string(p.param); });

conkit::CaseResult check_in(StdioMode mode, const std::vector<std::string>& argv, const std::string& headers,
                            std::size_t output_cap = 64u << 20) {
  auto p = conkit::parse_expect("scenario: s\nmodel: m\n" + headers, "t.expect");
  EXPECT_TRUE(p.ok());
  conkit::CheckOptions o;
  o.run.argv = argv;
  o.run.output_cap = output_cap;
  o.stdio = mode;
  return conkit::check(p.file, o);
}

TEST_P(EveryMode, OutputPastTheCapFloods) {
  auto c = check_in(GetParam(), {"yes", "a line of output"}, "exit: any\n", 1u << 20);
  EXPECT_EQ(c.status, conkit::Status::flood) << c.reason;
  ASSERT_EQ(c.runs.size(), 1u);
  EXPECT_EQ(c.runs[0].ending, Ending::flooded) << describe(c.runs[0]);
  EXPECT_TRUE(c.runs[0].truncated_out);
}

TEST_P(EveryMode, APastTimeoutIsTimeout) {
  auto c = check_in(GetParam(), {"/bin/sh", "-c", "echo started; exec sleep 30"}, "timeout: 300ms\n");
  EXPECT_EQ(c.status, conkit::Status::timeout) << c.reason;
}

TEST_P(EveryMode, APastTimeoutTimesOut) {
  RunResult r = sh("echo started; exec sleep 30", GetParam(), 300);
  EXPECT_EQ(r.ending, Ending::timed_out) << describe(r);
  EXPECT_EQ(texts(r, out_of(GetParam())), (std::vector<std::string>{"started"}));
}

TEST_P(EveryMode, AStrayIsKilledAndNothingSurvives) {
  RunResult r = sh("sleep 30 & echo \"stray $!\"", GetParam());
  auto lines = texts(r, out_of(GetParam()));
  ASSERT_EQ(lines.size(), 1u) << describe(r);
  EXPECT_EQ(r.ending, Ending::exited) << describe(r);
  EXPECT_GE(r.stray_processes_killed, 1) << describe(r);
  // The pid the case printed is its own (inside a PID namespace, under conkit-init); the strays
  // conkit reports carry the pid as conkit sees it.
  ASSERT_FALSE(r.strays.empty()) << describe(r);
  for (const auto& s : r.strays)
    EXPECT_TRUE(::kill(static_cast<pid_t>(s.pid), 0) == -1 && errno == ESRCH) << "pid " << s.pid << " survived";
}

// Whatever status a stray gives a case over a pipe, it gives under every mode.
TEST_P(EveryMode, AStrayGivesTheSameStatusAsOverAPipe) {
  const std::vector<std::string> argv = {"/bin/sh", "-c", "sleep 30 & echo started"};
  auto over_pipe = check_in(StdioMode::pipe, argv, "");
  auto here = check_in(GetParam(), argv, "");
  EXPECT_EQ(here.status, over_pipe.status) << here.reason << " / " << over_pipe.reason;
  ASSERT_EQ(here.runs.size(), 1u);
  EXPECT_GE(here.runs[0].stray_processes_killed, 1) << describe(here.runs[0]);
}

TEST_P(EveryMode, FactsChannelWorks) {
  RunOptions o;  // bash: dash cannot redirect to a descriptor above 9
  o.argv = {"bash", "-c", "echo '{\"fact\": \"answer\", \"value\": 42}' >&$CONKIT_FACTS_FD; echo done"};
  o.stdio = GetParam();
  RunResult r = conkit::run(o);
  ASSERT_EQ(r.facts.size(), 1u) << describe(r);
  EXPECT_EQ(r.facts[0].name, "answer");
  EXPECT_EQ(r.facts[0].number, 42);
}

// A ThreadSanitizer report on stderr is found whether stderr is its own pipe or shares stdout's.
TEST_P(EveryMode, SanitizerReportOnStderrIsParsed) {
  RunResult r = sh(
      "echo before; printf '%s\\n' '==================' 'WARNING: ThreadSanitizer: data race (pid=7)'"
      " '  Write of size 4 at 0x7b04 by thread T1:' '    #0 bump /src/c.cpp:3:5 (c+0x1)' ''"
      " 'SUMMARY: ThreadSanitizer: data race /src/c.cpp:3:5 in bump' '==================' >&2; echo after",
      GetParam());
  ASSERT_EQ(r.sanitizer_reports.size(), 1u) << describe(r);
  EXPECT_EQ(r.sanitizer_reports[0].tool, "ThreadSanitizer");
  EXPECT_EQ(r.sanitizer_reports[0].kind, "data race");
  EXPECT_EQ(r.lines[r.sanitizer_reports[0].first_line].stream, err_of(GetParam()));
}

// ---- merged ----

TEST(StdioMerged, OneStreamInTheProgramsOrder) {
  RunResult r = sh("echo one; echo two >&2; echo three; echo four >&2", StdioMode::merged);
  EXPECT_EQ(texts(r, Stream::merged), (std::vector<std::string>{"one", "two", "three", "four"})) << describe(r);
  EXPECT_TRUE(texts(r, Stream::out).empty());
  EXPECT_TRUE(texts(r, Stream::err).empty());
}

// ---- bursts ----

RunResult with_out_at(const std::vector<double>& stamps, double end_ms) {
  RunResult r;
  for (std::size_t i = 0; i < stamps.size(); ++i)
    r.lines.push_back(Line{Stream::out, stamps[i], "line " + std::to_string(i)});
  r.end_ms = end_ms;
  r.exit_code = 0;
  return r;
}

TEST(Burst, SixLinesAtExitAreOneBurstInTheIssuesWords) {
  RunResult r = with_out_at({2130.50, 2130.52, 2130.53, 2130.55, 2130.57, 2130.58}, 2131.0);
  auto bursts = conkit::find_exit_bursts(r);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(bursts[0].lines, 6u);
  EXPECT_EQ(bursts[0].first_line, 0u);
  EXPECT_EQ(conkit::burst_note(bursts[0], StdioMode::pipe),
            "stdout arrived in one burst at exit (6 lines within 0.1 ms): the program buffers its output; time "
            "bounds on these lines measure nothing \u2014 flush per line, or use stdio: pty");
  EXPECT_EQ(conkit::burst_note(bursts[0], StdioMode::pty),
            "stdout arrived in one burst at exit (6 lines within 0.1 ms): the program buffers its output; time "
            "bounds on these lines measure nothing \u2014 flush per line");
}

TEST(Burst, LinesSpreadOverTheRunAreNone) {
  EXPECT_TRUE(conkit::find_exit_bursts(with_out_at({1, 200, 400, 600, 800, 1000}, 1001)).empty());
}

TEST(Burst, TwoLinesAreTooFewThreeAreEnough) {
  EXPECT_TRUE(conkit::find_exit_bursts(with_out_at({100, 100}, 100)).empty());
  EXPECT_EQ(conkit::find_exit_bursts(with_out_at({100, 100, 100}, 100)).size(), 1u);
}

TEST(Burst, NineOfTenLinesAreABurstEightAreNot) {
  std::vector<double> nine = {10, 500, 500, 500, 500, 500, 500, 500, 500, 500};
  auto b = conkit::find_exit_bursts(with_out_at(nine, 501));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].lines, 9u);
  EXPECT_EQ(b[0].first_line, 1u);
  EXPECT_NE(conkit::burst_note(b[0], StdioMode::pipe).find("at exit (9 of 10 lines within 0.1 ms)"), std::string::npos);
  std::vector<double> eight = {10, 20, 500, 500, 500, 500, 500, 500, 500, 500};
  EXPECT_TRUE(conkit::find_exit_bursts(with_out_at(eight, 501)).empty());
}

TEST(Burst, LinesMoreThanAMillisecondApartAreNotOneBurst) {
  EXPECT_TRUE(conkit::find_exit_bursts(with_out_at({100, 100.6, 101.2, 101.8}, 102)).empty());
}

TEST(Burst, ABurstEarlyInTheRunIsNotAtExit) {
  EXPECT_TRUE(conkit::find_exit_bursts(with_out_at({100, 100, 100, 100}, 2000)).empty());
  EXPECT_TRUE(conkit::find_exit_bursts(with_out_at({940, 940, 940, 940}, 2000)).empty());
}

// CPython flushes stdout early in its teardown: on a busy machine the exit came 230 ms later.
TEST(Burst, ABurstInTheLaterHalfOfTheRunIsAtExit) {
  EXPECT_EQ(conkit::find_exit_bursts(with_out_at({1039.1, 1039.1, 1039.1, 1039.1}, 1270.3)).size(), 1u);
  EXPECT_EQ(conkit::find_exit_bursts(with_out_at({1001, 1001, 1001}, 2000)).size(), 1u);
}

TEST(Burst, EachStreamOnItsOwn) {
  RunResult r = with_out_at({1, 300, 600}, 901);
  for (int i = 0; i < 3; ++i) r.lines.push_back(Line{Stream::err, 900, "e"});
  auto b = conkit::find_exit_bursts(r);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].stream, Stream::err);
  EXPECT_TRUE(conkit::in_burst(b[0], r, 3));
  EXPECT_FALSE(conkit::in_burst(b[0], r, 2));
  EXPECT_EQ(conkit::burst_note(b[0], StdioMode::pipe).rfind("stderr arrived in one burst at exit", 0), 0u);
}

// ---- grading ----

conkit::ExpectFile parse(const std::string& text) {
  auto p = conkit::parse_expect(text, "t.expect");
  EXPECT_TRUE(p.ok()) << (p.errors.empty() ? "" : p.errors[0].to_string());
  return p.file;
}

// Four stdout lines; the first and the last must be 1..2 units (of 100 ms) apart.
const char* kTwoLines =
    "scenario: s\nmodel: m\nout \"line 0\" @a\nout /^line/ x2\nout \"line 3\" @b\ntime @b - @a in 1..2\n";

// What grading `r` against kTwoLines found wrong.
std::vector<conkit::Finding> two_lines_failures(const RunResult& r) {
  conkit::GradeOptions go;
  go.unit_ms = 100;
  return conkit::grade_run(parse(kTwoLines), r, go).failures;
}

TEST(BurstGrade, AFailingBoundOnBurstLinesCarriesTheNote) {
  auto failures = two_lines_failures(with_out_at({2130.5, 2130.5, 2130.6, 2130.6}, 2131));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].message.find("bound >= 1u"), std::string::npos) << failures[0].message;
  EXPECT_NE(failures[0].message.find("(stdout arrived in one burst at exit (4 lines within 0.1 ms)"), std::string::npos)
      << failures[0].message;
}

TEST(BurstGrade, AFailingBoundOnSpreadLinesHasNoNote) {
  auto failures = two_lines_failures(with_out_at({0, 10, 20, 30}, 1000));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].message.find("burst"), std::string::npos) << failures[0].message;
}

// ---- the header and the override ----

TEST(StdioHeader, ParsesEachModeAndNamesABadOne) {
  EXPECT_EQ(parse("scenario: s\nmodel: m\nstdio: pty\n").stdio, StdioMode::pty);
  EXPECT_EQ(parse("scenario: s\nmodel: m\nstdio: pipe\n").stdio, StdioMode::pipe);
  EXPECT_EQ(parse("scenario: s\nmodel: m\nstdio: merged\nmerged \"x\"\n").stdio, StdioMode::merged);
  EXPECT_FALSE(parse("scenario: s\nmodel: m\n").stdio.has_value());
  auto bad = conkit::parse_expect("scenario: s\nmodel: m\nstdio:  tty\n", "t.expect");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].to_string(), "t.expect:3:9: expected 'pipe', 'pty' or 'merged', found 'tty'");
}

TEST(StdioHeader, MergedChecksAndStdioMergedGoTogether) {
  auto no_header = conkit::parse_expect("scenario: s\nmodel: m\nmerged \"x\"\n", "t.expect");
  ASSERT_EQ(no_header.errors.size(), 1u);
  EXPECT_EQ(no_header.errors[0].to_string(),
            "t.expect:3:1: expected 'out' or 'err', found 'merged' (a merged stream needs the header 'stdio: merged')");
  auto out_under_merged =
      conkit::parse_expect("scenario: s\nmodel: m\nstdio: merged\nany-order {\n  err \"x\"\n}\ncount out /y/ == 0\n", "t.expect");
  ASSERT_EQ(out_under_merged.errors.size(), 2u);
  EXPECT_EQ(out_under_merged.errors[0].to_string(),
            "t.expect:5:3: expected 'merged' (stdio: merged at line 3 puts stdout and stderr on one stream), found 'err'");
  EXPECT_EQ(out_under_merged.errors[1].loc.line, 7);
}

TEST(StdioHeader, TheFileChoosesTheModeAndTheCallerOverrides) {
  conkit::ExpectFile e = parse("scenario: s\nmodel: m\nstdio: pty\nout \"terminal\"\n");
  conkit::CheckOptions o;
  o.run.argv = {"/bin/sh", "-c", "[ -t 1 ] && echo terminal || echo pipe"};
  auto by_file = conkit::check(e, o);
  EXPECT_EQ(by_file.status, conkit::Status::pass) << by_file.reason;
  EXPECT_EQ(by_file.stdio, StdioMode::pty);
  o.stdio = StdioMode::pipe;
  auto overridden = conkit::check(e, o);
  EXPECT_EQ(overridden.status, conkit::Status::fail) << overridden.reason;
  EXPECT_EQ(overridden.stdio, StdioMode::pipe);
}

// Checks /bin/true against `expect_text` with the caller's `stdio` instead of the file's.
conkit::CaseResult check_with_override(const std::string& expect_text, StdioMode stdio) {
  conkit::CheckOptions o;
  o.run.argv = {"/bin/true"};
  o.stdio = stdio;
  return conkit::check(parse(expect_text), o);
}

TEST(StdioHeader, AnOverrideTheChecksCannotReadIsInvalid) {
  auto r = check_with_override("scenario: s\nmodel: m\nstdio: merged\nmerged \"x\"\n", StdioMode::pty);
  EXPECT_EQ(r.status, conkit::Status::invalid);
  EXPECT_TRUE(r.runs.empty());
  EXPECT_EQ(r.reason, "t.expect:4:1: this check reads the merged stream, but stdio is pty (the file's checks need stdio: merged)");
}

TEST(StdioHeader, AnOverrideIsCheckedAgainstRangedNotsToo) {
  // `out-not` is a step of its own kind: the override check must see it (and not take it for a group).
  auto r = check_with_override("scenario: s\nmodel: m\nout \"a\"\nout-not \"x\"\nout \"b\"\n", StdioMode::merged);
  EXPECT_EQ(r.status, conkit::Status::invalid);
  EXPECT_EQ(r.reason.rfind("t.expect:3:1: this check reads stdout or stderr, but stdio merged", 0), 0u) << r.reason;
  auto parsed = conkit::parse_expect("scenario: s\nmodel: m\nstdio: merged\nmerged \"a\"\nerr-not \"x\"\n", "t.expect");
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_EQ(parsed.errors[0].to_string(),
            "t.expect:5:1: expected 'merged' (stdio: merged at line 3 puts stdout and stderr on one stream), found 'err'");
}

// Adjacency and ranged nots read the merged stream like any other: `2>&1` with CHECK-NEXT.
TEST(StdioMerged, NextAndRangedNotHoldOnTheMergedOrder) {
  const std::string script = "echo one; echo two >&2; echo three";
  auto grade = [&](const std::string& body) {
    conkit::ExpectFile e = parse("scenario: s\nmodel: m\nstdio: merged\n" + body);
    conkit::CheckOptions o;
    o.run.argv = {"/bin/sh", "-c", script};
    return conkit::check(e, o);
  };
  auto next = grade("merged \"one\"\nmerged-next \"two\"\nmerged-next \"three\"\n");
  EXPECT_EQ(next.status, conkit::Status::pass) << next.reason;
  auto skipped = grade("merged \"one\"\nmerged-next \"three\"\n");  // "two" comes between
  EXPECT_EQ(skipped.status, conkit::Status::fail) << skipped.reason;
  auto ranged = grade("merged \"one\"\nmerged-not \"two\"\nmerged \"three\"\n");
  EXPECT_EQ(ranged.status, conkit::Status::fail) << ranged.reason;
  auto outside = grade("merged \"two\"\nmerged-not \"one\"\nmerged \"three\"\n");
  EXPECT_EQ(outside.status, conkit::Status::pass) << outside.reason;
}

}  // namespace
