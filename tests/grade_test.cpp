// grade_test.cpp — every grading rule of docs/expected-format.md, each with a run that passes and a
// run that must fail. Runs are built by hand (no processes) except in the check() tests at the end,
// which start /bin/sh programs to exercise repeat, deflake, retries and the status mapping.
#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "conkit/grade.hpp"
#include "conkit/report.hpp"
#include "expect_support.hpp"
#include "sanitizer.hpp"  // private: find_sanitizer_reports, to cut real report text into blocks

namespace conkit {
namespace {

// ---- helpers -------------------------------------------------------------------------------------

using test_support::out;
using test_support::err;

ExpectFile parse(const std::string& body) { return test_support::parse_case("s", "m", body); }

RunResult exited(int code, std::vector<Line> lines = {}, double end_ms = 1000) {
  RunResult r;
  r.ending = Ending::exited;
  r.exit_code = code;
  r.lines = std::move(lines);
  r.end_ms = end_ms;
  r.wall_ms = end_ms;
  return r;
}
RunResult lines(std::vector<Line> l, double end_ms = 1000) { return exited(0, std::move(l), end_ms); }

Fact num_fact(std::string name, double v, double t_ms = 0, std::optional<double> inner = std::nullopt) {
  Fact f;
  f.name = std::move(name);
  f.number = v;
  f.value_json = std::to_string(v);
  if (v == static_cast<long long>(v)) f.value_json = std::to_string(static_cast<long long>(v));
  f.t_ms = t_ms;
  f.inner_ms = inner;
  return f;
}
Fact str_fact(std::string name, std::string v) {
  Fact f;
  f.name = std::move(name);
  f.string = v;
  f.value_json = "\"" + v + "\"";
  return f;
}

RunGrade grade(const ExpectFile& e, const RunResult& r, double unit_ms = 100, Sanitizer sanitizer = Sanitizer::none) {
  GradeOptions o;
  o.unit_ms = unit_ms;
  o.sanitizer = sanitizer;
  return grade_run(e, r, o);
}

std::string failures(const RunGrade& g) {
  std::string s;
  for (const auto& f : g.failures) s += f.loc.file + ":" + std::to_string(f.loc.line) + ": " + f.message + "\n";
  return s;
}

#define EXPECT_PASS(g) EXPECT_EQ((g).status, Status::pass) << failures(g)
#define EXPECT_FAIL_WITH(g, text)                                                  \
  do {                                                                             \
    const RunGrade& g_ = (g);                                                      \
    EXPECT_EQ(g_.status, Status::fail) << failures(g_);                            \
    EXPECT_NE(failures(g_).find(text), std::string::npos) << failures(g_);         \
  } while (0)

// ---- ordered lines -------------------------------------------------------------------------------

TEST(GradeOrdered, LinesInOrderWithOthersBetweenPass) {
  auto e = parse("out \"start\"\nout \"done\"\n");
  EXPECT_PASS(grade(e, lines({out(1, "start"), out(2, "noise"), out(3, "done")})));
}

TEST(GradeOrdered, LinesOutOfOrderFailAndStopThere) {
  auto e = parse("out \"start\"\nout \"done\"\n");
  auto g = grade(e, lines({out(1, "done"), out(2, "start")}));
  EXPECT_FAIL_WITH(g, "expected 1 line matching \"done\" after stdout line 2, found 0");
  ASSERT_EQ(g.failures.size(), 1u);
  EXPECT_EQ(g.failures[0].loc.line, 4);  // two header lines, then `out "start"` on line 3
  ASSERT_TRUE(g.stopped_at.has_value());
  EXPECT_EQ(*g.stopped_at, 2u);  // past the last line: the end of the output
}

TEST(GradeOrdered, ExactMatcherComparesTheWholeLine) {
  auto e = parse("out \"Data\"\n");
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "Data fetched!")})), "expected 1 line matching \"Data\"");
  EXPECT_PASS(grade(e, lines({out(1, "Data")})));
}

TEST(GradeOrdered, RegexIsSearched) {
  auto e = parse("out /fetch(ed)?!$/\n");
  EXPECT_PASS(grade(e, lines({out(1, "Data fetched!")})));
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "Data fetched! later")})), "found 0");
}

TEST(GradeOrdered, CountNeedsThatManyLines) {
  auto e = parse("out \"a\"\nout \"Data fetched!\" x2\n");
  EXPECT_PASS(grade(e, lines({out(1, "a"), out(2, "Data fetched!"), out(3, "x"), out(4, "Data fetched!")})));
  auto g = grade(e, lines({out(1, "Data fetched!"), out(2, "a"), out(3, "Data fetched!")}));
  EXPECT_FAIL_WITH(g, "expected 2 lines matching \"Data fetched!\" after stdout line 2, found 1");
  ASSERT_TRUE(g.stopped_at.has_value());
  EXPECT_EQ(*g.stopped_at, 2u);  // where the search began
}

TEST(GradeOrdered, StreamsHaveTheirOwnCursors) {
  // stderr arriving before stdout does not matter: pipes do not preserve cross-stream order.
  auto e = parse("out \"o1\"\nerr \"e1\"\nout \"o2\"\n");
  EXPECT_PASS(grade(e, lines({err(1, "e1"), out(2, "o1"), out(3, "o2")})));
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "o1"), out(3, "o2")})), "matching \"e1\" on stderr, found 0");
}

TEST(GradeOrdered, FactCountPassesAndFails) {
  auto e = parse("out \"tick\" x$n\nout \"end\"\n");
  auto r = lines({out(1, "tick"), out(2, "tick"), out(3, "tick"), out(4, "end")});
  r.facts = {num_fact("n", 3)};
  EXPECT_PASS(grade(e, r));
  r.facts = {num_fact("n", 4)};
  EXPECT_FAIL_WITH(grade(e, r), "expected 4 lines matching \"tick\" on stdout, found 3");
  r.facts = {num_fact("n", 1), num_fact("n", 3)};  // the last value counts
  EXPECT_PASS(grade(e, r));
}

TEST(GradeOrdered, FactCountMissingOrNotIntegerFailsClearly) {
  auto e = parse("out \"tick\" x$n\n");
  auto r = lines({out(1, "tick")});
  EXPECT_FAIL_WITH(grade(e, r), "fact $n was not written");
  r.facts = {num_fact("n", 2.5)};
  EXPECT_FAIL_WITH(grade(e, r), "fact $n is not an integer");
  r.facts = {str_fact("n", "two")};
  EXPECT_FAIL_WITH(grade(e, r), "fact $n is not an integer");
}

TEST(GradeOrdered, AnnotationsNameLabelIndexAndLocation) {
  auto e = parse("out \"Fetching data...\" x2 @fetching\nout \"done\"\n");
  auto g = grade(e, lines({out(1, "Fetching data..."), out(2, "Fetching data..."), out(3, "done")}));
  EXPECT_PASS(g);
  ASSERT_EQ(g.annotations.lines(), (std::vector<std::size_t>{0, 1, 2}));
  ASSERT_EQ(g.annotations.at(0).size(), 1u);
  EXPECT_EQ(g.annotations.at(0)[0], "out @fetching 1/2 (t.expect:3)");
  EXPECT_EQ(g.annotations.at(1)[0], "out @fetching 2/2 (t.expect:3)");
  EXPECT_EQ(g.annotations.at(2)[0], "out 1/1 (t.expect:4)");
  EXPECT_FALSE(g.stopped_at.has_value());
}

// ---- any-order groups ----------------------------------------------------------------------------

TEST(GradeAnyOrder, EntriesMatchInAnyOrder) {
  auto e = parse("any-order {\n  out \"a\"\n  out \"b\"\n}\nout \"c\"\n");
  EXPECT_PASS(grade(e, lines({out(1, "b"), out(2, "a"), out(3, "c")})));
  EXPECT_PASS(grade(e, lines({out(1, "a"), out(2, "b"), out(3, "c")})));
}

TEST(GradeAnyOrder, MissingEntryFails) {
  auto e = parse("any-order {\n  out \"a\"\n  out \"b\" x2\n}\n");
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "b"), out(2, "a")})), "expected 2 lines matching \"b\" on stdout, found 1");
}

TEST(GradeAnyOrder, CursorMovesPastTheLastClaimedLine) {
  auto e = parse("any-order {\n  out \"a\"\n  out \"b\"\n}\nout \"c\"\n");
  // "c" came before the group's last line: it is behind the cursor.
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "a"), out(2, "c"), out(3, "b")})), "matching \"c\" after stdout line 3");
}

TEST(GradeAnyOrder, EarlierEntriesTakeLinesFirstNoBacktracking) {
  // /x/ takes the earliest line matching it ("x1"), so "x1" is not left for the exact entry: a
  // FileCheck CHECK-DAG-like greedy match, documented, with no backtracking.
  auto e = parse("any-order {\n  out /x/\n  out \"x1\"\n}\n");
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "x1"), out(2, "x2")})), "matching \"x1\"");
  EXPECT_PASS(grade(e, lines({out(1, "x2"), out(2, "x1")})));
}

TEST(GradeAnyOrder, AllStartedBeforeAnyCompleted) {
  auto e = parse(
      "any-order @started {\n  out \"started\" x3\n}\n"
      "any-order @completed {\n  out \"completed\" x3\n}\n");
  EXPECT_PASS(grade(e, lines({out(1, "started"), out(2, "started"), out(3, "started"), out(4, "completed"),
                              out(5, "completed"), out(6, "completed")})));
  // An interleaving where one task completed before the last started must fail.
  auto g = grade(e, lines({out(1, "started"), out(2, "started"), out(3, "completed"), out(4, "started"),
                           out(5, "completed"), out(6, "completed")}));
  EXPECT_FAIL_WITH(g, "expected 3 lines matching \"completed\" after stdout line 4, found 2");
}

TEST(GradeAnyOrder, GroupLabelBindsEveryLineItTook) {
  auto e = parse("any-order @g {\n  out \"a\"\n  out \"b\"\n}\ntime span @g <= 100ms\n");
  auto g = grade(e, lines({out(10, "b"), out(60, "a")}));
  EXPECT_PASS(g);
  ASSERT_EQ(g.times.size(), 1u);
  ASSERT_TRUE(g.times[0].ms.has_value());
  EXPECT_DOUBLE_EQ(*g.times[0].ms, 50);
}

// ---- not and count -------------------------------------------------------------------------------

TEST(GradeNot, NoMatchingLinePasses) {
  auto e = parse("not out /Traceback|error/\nnot err \"boom\"\n");
  EXPECT_PASS(grade(e, lines({out(1, "fine"), err(2, "boom!")})));
}

TEST(GradeNot, AMatchAnywhereFails) {
  auto e = parse("out \"a\"\nnot out /Traceback|error/\n");
  auto g = grade(e, lines({out(1, "an error"), out(2, "a"), out(3, "Traceback")}));
  EXPECT_FAIL_WITH(g, "forbidden stdout line matches /Traceback|error/: \"an error\" (and 1 more)");
  ASSERT_EQ(g.failures.size(), 1u);
  EXPECT_EQ(g.failures[0].line, 0u);
}

// A table-driven test: each row carries `line`, its __LINE__ in this file, and the text of the
// statement (or condition) it checks, the member `text`. A failure is traced to the row
// ("grade_test.cpp:LINE: TEXT") and each instance is named after its row's line (RowName).
template <class Row, std::string Row::*text>
class TableTest : public testing::TestWithParam<Row> {
  testing::ScopedTrace trace_{__FILE__, this->GetParam().line, this->GetParam().*text};
};

struct RowName {
  template <class Row>
  std::string operator()(const testing::TestParamInfo<Row>& p) const {
    return "line" + std::to_string(p.param.line);
  }
};

struct CountRow {
  int line;  // this row, for messages
  std::string stmt;
  int matching_lines;
  bool pass;
};

class GradeCount : public TableTest<CountRow, &CountRow::stmt> {};

TEST_P(GradeCount, ComparesTheNumberOfMatchingLines) {
  const CountRow& row = GetParam();
  auto e = parse(row.stmt + "\n");
  std::vector<Line> l{out(0, "other")};
  for (int i = 0; i < row.matching_lines; ++i) l.push_back(out(i + 1, "hit " + std::to_string(i)));
  auto r = lines(l);
  r.facts = {num_fact("n", 3)};
  auto g = grade(e, r);
  if (row.pass) EXPECT_PASS(g);
  else EXPECT_FAIL_WITH(g, "found " + std::to_string(row.matching_lines));
}

INSTANTIATE_TEST_SUITE_P(
    Ops, GradeCount,
    testing::Values(CountRow{__LINE__, "count out /^hit/ == 3", 3, true},
                    CountRow{__LINE__, "count out /^hit/ == 3", 2, false},
                    CountRow{__LINE__, "count out /^hit/ != 3", 2, true},
                    CountRow{__LINE__, "count out /^hit/ != 3", 3, false},
                    CountRow{__LINE__, "count out /^hit/ < 3", 2, true},
                    CountRow{__LINE__, "count out /^hit/ < 3", 3, false},
                    CountRow{__LINE__, "count out /^hit/ <= 3", 3, true},
                    CountRow{__LINE__, "count out /^hit/ <= 3", 4, false},
                    CountRow{__LINE__, "count out /^hit/ > 3", 4, true},
                    CountRow{__LINE__, "count out /^hit/ > 3", 3, false},
                    CountRow{__LINE__, "count out /^hit/ >= 3", 3, true},
                    CountRow{__LINE__, "count out /^hit/ >= 3", 2, false},
                    CountRow{__LINE__, "count out /^hit/ in 2..4", 2, true},
                    CountRow{__LINE__, "count out /^hit/ in 2..4", 4, true},
                    CountRow{__LINE__, "count out /^hit/ in 2..4", 1, false},
                    CountRow{__LINE__, "count out /^hit/ in 2..4", 5, false},
                    CountRow{__LINE__, "count out /^hit/ == $n", 3, true},
                    CountRow{__LINE__, "count out /^hit/ == $n", 4, false},
                    CountRow{__LINE__, "count err /^hit/ == 0", 3, true},
                    CountRow{__LINE__, "count err /^hit/ == 1", 0, false}),
    RowName());

TEST(GradeCountFact, MissingFactFails) {
  auto e = parse("count out \"x\" == $missing\n");
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "x")})), "fact $missing was not written");
}

// ---- exit and ending -----------------------------------------------------------------------------

TEST(GradeExit, DefaultIsZero) {
  auto e = parse("");
  EXPECT_PASS(grade(e, exited(0)));
  EXPECT_FAIL_WITH(grade(e, exited(1)), "exited with code 1");
}

TEST(GradeExit, ListOfCodes) {
  auto e = parse("exit: 0, 3\n");
  EXPECT_PASS(grade(e, exited(0)));
  EXPECT_PASS(grade(e, exited(3)));
  EXPECT_FAIL_WITH(grade(e, exited(2)), "exited with code 2");
}

TEST(GradeExit, AnyAndNonzero) {
  auto any = parse("exit: any\n");
  EXPECT_PASS(grade(any, exited(0)));
  EXPECT_PASS(grade(any, exited(42)));
  auto nonzero = parse("exit: nonzero\n");
  EXPECT_PASS(grade(nonzero, exited(1)));
  EXPECT_FAIL_WITH(grade(nonzero, exited(0)), "exited with code 0");
}

RunResult signaled(int sig) {
  RunResult r = exited(-1);
  r.ending = Ending::signaled;
  r.signal = sig;
  return r;
}

TEST(GradeExit, ExpectedSignal) {
  auto e = parse("exit: signal SIGABRT\n");
  EXPECT_PASS(grade(e, signaled(SIGABRT)));
  EXPECT_EQ(grade(e, signaled(SIGSEGV)).status, Status::crash);
  EXPECT_FAIL_WITH(grade(e, exited(0)), "exited with code 0");
}

TEST(GradeEnding, UnexpectedSignalIsCrash) {
  auto g = grade(parse(""), signaled(SIGSEGV));
  EXPECT_EQ(g.status, Status::crash);
  EXPECT_NE(failures(g).find("SIGSEGV"), std::string::npos) << failures(g);
}

TEST(GradeEnding, TimeoutFloodAndStartFailure) {
  auto e = parse("out \"x\"\n");
  RunResult t = exited(-1);
  t.ending = Ending::timed_out;
  EXPECT_EQ(grade(e, t).status, Status::timeout);
  RunResult f = exited(-1);
  f.ending = Ending::flooded;
  f.truncated_out = true;
  auto gf = grade(e, f);
  EXPECT_EQ(gf.status, Status::flood);
  EXPECT_NE(failures(gf).find("stdout passed the output cap"), std::string::npos);
  RunResult s = exited(-1);
  s.ending = Ending::failed_to_start;
  s.start_error = "No such file or directory";
  auto gs = grade(e, s);
  EXPECT_EQ(gs.status, Status::error);
  EXPECT_NE(failures(gs).find("No such file or directory"), std::string::npos);
}

TEST(GradeEnding, Exit77IsSkipWithReason) {
  auto e = parse("out \"never printed\"\n");
  RunResult r = exited(77, {err(1, "SKIP: needs 2 cores"), err(2, "")});
  auto g = grade(e, r);
  EXPECT_EQ(g.status, Status::skip);
  EXPECT_EQ(g.skip_reason, "SKIP: needs 2 cores");  // the last non-empty stderr line
  EXPECT_TRUE(g.failures.empty());
  r.facts = {str_fact("skip_reason", "first"), str_fact("skip_reason", "needs 2 cores")};
  EXPECT_EQ(grade(e, r).skip_reason, "needs 2 cores");  // the last skip_reason fact wins
}

// ---- sanitizer reports ---------------------------------------------------------------------------

RunResult with_report(std::string tool, std::string kind, std::string text, int exit_code = 66) {
  RunResult r = exited(exit_code, {out(1, "done"), err(2, "WARNING: " + tool + ": " + kind), err(3, text)});
  SanitizerReport rep;
  rep.tool = std::move(tool);
  rep.kind = std::move(kind);
  rep.location = "global 'counter' of size 8";
  rep.first_line = 1;
  rep.last_line = 2;
  rep.text = std::string(r.lines[1].text) + "\n" + text;
  r.sanitizer_reports.push_back(rep);
  return r;
}

TEST(GradeSanitizer, AnyReportFailsWhenRacesAreForbidden) {
  auto e = parse("exit: 0, 66\nout \"done\"\n");
  auto g = grade(e, with_report("ThreadSanitizer", "data race", "#0 increment"), 100, Sanitizer::tsan);
  EXPECT_FAIL_WITH(g, "unexpected ThreadSanitizer report: data race at global 'counter' of size 8");
  EXPECT_EQ(g.failures.back().line, 1u);
  EXPECT_PASS(grade(e, exited(0, {out(1, "done")}), 100, Sanitizer::tsan));
}

TEST(GradeSanitizer, ExpectedRaceIsSeenAndExit66OnlyWhenListed) {
  auto e = parse("race: expected\nexit: 0, 66\nout \"done\"\n");
  auto g = grade(e, with_report("ThreadSanitizer", "data race", "#0 increment"), 100, Sanitizer::tsan);
  EXPECT_PASS(g);
  EXPECT_TRUE(g.race_seen);
  // A clean run passes too (check() decides whether some run showed the race), but sees no race.
  auto clean = grade(e, exited(0, {out(1, "done")}), 100, Sanitizer::tsan);
  EXPECT_PASS(clean);
  EXPECT_FALSE(clean.race_seen);
  // `exit: 0` means 0: the 66 of a sanitizer that reported is never accepted silently.
  auto strict = parse("race: expected\nout \"done\"\n");
  EXPECT_FAIL_WITH(grade(strict, with_report("ThreadSanitizer", "data race", "#0 increment"), 100, Sanitizer::tsan),
                   "exited with code 66, expected exit: 0 (66: a sanitizer reported; `exit: 0, 66` accepts");
}

TEST(GradeSanitizer, RaceMatchSelectsTheExpectedRace) {
  auto e = parse("race: expected\nrace-match: /counter/\nexit: 0, 66\n");
  EXPECT_TRUE(grade(e, with_report("ThreadSanitizer", "data race", "read of counter"), 100, Sanitizer::tsan).race_seen);
  // `race: expected` expects every data race; one that does not mention race-match is no witness
  // (check() fails the case if no run shows a matching one) but does not fail its run.
  auto g = grade(e, with_report("ThreadSanitizer", "data race", "read of flag"), 100, Sanitizer::tsan);
  EXPECT_FALSE(g.race_seen);
  EXPECT_NE(g.status, Status::fail) << failures(g);
  // A `report` statement's match selects strictly: another race is unexpected.
  auto strict = parse("report tsan \"data race\" match /counter/\nexit: 0, 66\n");
  EXPECT_FAIL_WITH(grade(strict, with_report("ThreadSanitizer", "data race", "read of flag"), 100, Sanitizer::tsan),
                   "unexpected ThreadSanitizer report: data race");
  // A string race-match is searched in the report text (it "mentions" it), not compared whole.
  auto s = parse("race: expected\nrace-match: \"of counter\"\nexit: 0, 66\n");
  EXPECT_TRUE(grade(s, with_report("ThreadSanitizer", "data race", "read of counter"), 100, Sanitizer::tsan).race_seen);
}

TEST(GradeSanitizer, OtherKindsFailEvenWhenARaceIsExpected) {
  auto e = parse("race: expected\nexit: any\n");
  EXPECT_FAIL_WITH(grade(e, with_report("ThreadSanitizer", "heap-use-after-free", "x"), 100, Sanitizer::tsan),
                   "unexpected ThreadSanitizer report: heap-use-after-free");
  EXPECT_FAIL_WITH(grade(e, with_report("AddressSanitizer", "heap-use-after-free", "x", 1), 100, Sanitizer::asan),
                   "unexpected AddressSanitizer report");
}

TEST(GradeSanitizer, RaceIsRecognisedFromTheReportWithoutTsan) {
  auto e = parse("race: expected\n");
  // Without --sanitizer tsan a race report is still a ThreadSanitizer report: it is the expected one.
  auto g = grade(e, with_report("ThreadSanitizer", "data race", "x", 0));
  EXPECT_PASS(g);
  EXPECT_TRUE(g.race_seen);
  EXPECT_FAIL_WITH(grade(e, exited(66)), "exited with code 66");
  // And without `race: expected` it fails whatever --sanitizer says.
  EXPECT_FAIL_WITH(grade(parse(""), with_report("ThreadSanitizer", "data race", "x", 0)), "unexpected ThreadSanitizer");
}

// Report blocks as the sanitizers print them; find_sanitizer_reports() cuts them out of stderr.
const std::vector<std::string> kRace = {
    "==================", "WARNING: ThreadSanitizer: data race (pid=42)",
    "  Write of size 4 at 0x7b0400000010 by thread T2:", "    #0 increment race.cpp:7 (race+0x12)",
    "  Previous write of size 4 at 0x7b0400000010 by thread T1:", "    #0 increment race.cpp:7 (race+0x12)",
    "SUMMARY: ThreadSanitizer: data race race.cpp:7 in increment", "=================="};
const std::vector<std::string> kTsanUaf = {
    "==================", "WARNING: ThreadSanitizer: heap-use-after-free (pid=42)",
    "  Read of size 4 at 0x7b0400000020 by main thread:", "    #0 main uaf.cpp:9 (uaf+0x12)",
    "SUMMARY: ThreadSanitizer: heap-use-after-free uaf.cpp:9 in main", "=================="};
const std::vector<std::string> kAsanOverflow = {
    "=================================================================",
    "==42==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000014 at pc 0x1 bp 0x2 sp 0x3",
    "WRITE of size 4 at 0x602000000014 thread T0", "    #0 0x4 in main overflow.cpp:8",
    "SUMMARY: AddressSanitizer: heap-buffer-overflow overflow.cpp:8 in main", "==42==ABORTING"};
const std::vector<std::string> kLeak = {
    "=================================================================",
    "==42==ERROR: LeakSanitizer: detected memory leaks", "Direct leak of 64 byte(s) in 1 object(s) allocated from:",
    "    #0 0x4 in malloc", "SUMMARY: AddressSanitizer: 64 byte(s) leaked in 1 allocation(s)."};
const std::vector<std::string> kUbsan = {
    "ubsan.cpp:6:12: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'"};

RunResult report_run(int code, std::vector<Line> before, const std::vector<std::vector<std::string>>& blocks) {
  RunResult r = exited(code, std::move(before));
  double t = 100;
  for (const auto& b : blocks)
    for (const auto& l : b) r.lines.push_back(err(t++, l));
  r.sanitizer_reports = find_sanitizer_reports(r.lines);
  return r;
}

TEST(GradeReports, EachToolAndKindCanBeExpected) {
  struct Row {
    std::string stmt;
    std::vector<std::string> block;
  };
  for (const Row& row : {Row{"report tsan \"heap-use-after-free\"", kTsanUaf},
                         Row{"report ThreadSanitizer /use-after-free/", kTsanUaf},
                         Row{"report asan \"heap-buffer-overflow\"", kAsanOverflow},
                         Row{"report lsan", kLeak},
                         Row{"report ubsan \"signed integer overflow\"", kUbsan}}) {
    auto e = parse("exit: 66\n" + row.stmt + "\n");
    auto g = grade(e, report_run(66, {}, {row.block}));
    EXPECT_PASS(g) << row.stmt;
    ASSERT_EQ(g.reports_seen.size(), 1u);
    EXPECT_TRUE(g.reports_seen[0]) << row.stmt;
    // Expecting one kind still fails every other report.
    EXPECT_FAIL_WITH(grade(e, report_run(66, {}, {row.block, kRace})), "unexpected ThreadSanitizer report: data race");
  }
  // The kind must fit: a use-after-free expectation does not take a heap-buffer-overflow.
  EXPECT_FAIL_WITH(grade(parse("exit: 66\nreport asan \"heap-use-after-free\"\n"), report_run(66, {}, {kAsanOverflow})),
                   "unexpected AddressSanitizer report: heap-buffer-overflow");
}

TEST(GradeReports, CountAndMatch) {
  auto two = report_run(66, {}, {kRace, kRace});
  EXPECT_PASS(grade(parse("exit: 66\nreport tsan \"data race\" x2\n"), two));
  EXPECT_FAIL_WITH(grade(parse("exit: 66\nreport tsan \"data race\" x1\n"), two),
                   "report tsan \"data race\" x1: expected 1 such reports in a run that shows one, found 2");
  EXPECT_PASS(grade(parse("exit: 66\nreport tsan \"data race\" x1..\n"), two));
  EXPECT_PASS(grade(parse("exit: 66\nreport tsan match ~\"in increment\"\n"), two));
  EXPECT_FAIL_WITH(grade(parse("exit: 66\nreport tsan match \"in decrement\"\n"), two), "unexpected ThreadSanitizer");
}

TEST(GradeReports, BlockChecksTheReportsOwnLines) {
  const char* block =
      "exit: 66\nreport tsan \"data race\" {\n  err ~\"Write of size 4\"\n  err-next /#0 increment/\n"
      "  err /Previous write/\n}\n";
  auto e = parse(block);
  auto g = grade(e, report_run(66, {err(1, "Write of size 4 elsewhere")}, {kRace}));
  EXPECT_PASS(g);
  EXPECT_TRUE(g.reports_seen[0]);
  // The same report with other content: the run shows it, so its content is checked and fails.
  auto wrong = kRace;
  wrong[3] = "    #0 decrement race.cpp:9 (race+0x12)";
  auto bad = grade(e, report_run(66, {}, {wrong}));
  EXPECT_FAIL_WITH(bad, "in the ThreadSanitizer report: data race");
  EXPECT_FAIL_WITH(bad, "err-next: expected a line matching /#0 increment/ as stderr line 4 (right after stderr line 3)");
  ASSERT_TRUE(bad.failures.back().line);
  EXPECT_EQ(*bad.failures.back().line, 3u);
  ASSERT_TRUE(bad.annotations.has(3));
  ASSERT_FALSE(bad.annotations.at(3).empty());
  EXPECT_NE(bad.annotations.at(3).back().find("ADJACENCY BROKEN"), std::string::npos);
  EXPECT_TRUE(bad.annotations.has_problem(3));  // a bounded dump shows the lines around it
  // A run without the report does not apply the block at all (check() reruns within deflake).
  auto clean = grade(e, exited(0, {out(1, "done")}));
  EXPECT_EQ(clean.status, Status::fail);  // exit: 66 only
  auto clean_ok = grade(parse(std::string(block).replace(0, 8, "exit: 0, 66")), exited(0, {out(1, "done")}));
  EXPECT_PASS(clean_ok);
  EXPECT_FALSE(clean_ok.reports_seen[0]);
}

TEST(GradeReports, JsonEchoesTheWholeExpectation) {
  CaseResult c;
  c.expect = parse("race: expected\nrace-match: /counter/\nenv: A=1\nsanitizer-options: tsan history_size=4\n"
                   "out /(?<v>x)/\nout-next ~\"${v}\"\nerr-not \"no\"\nreport asan \"heap-use-after-free\" x1 {\n  err \"e\"\n}\n");
  auto j = to_json({c});
  const auto& e = j["cases"][0]["expect"];
  ASSERT_TRUE(e.is_object()) << j.dump(1);
  EXPECT_EQ(e["race_match"]["source"], "/counter/");
  EXPECT_EQ(e["env"][0]["name"], "A");
  EXPECT_EQ(e["sanitizer_options"][0]["options"], "history_size=4");
  EXPECT_EQ(e["steps"][0]["matcher"]["binds"][0], "v");
  EXPECT_EQ(e["steps"][1]["check"], "out-next");
  EXPECT_EQ(e["steps"][1]["matcher"]["uses"][0]["name"], "v");
  EXPECT_EQ(e["steps"][2]["check"], "err-not");
  EXPECT_EQ(e["reports"][0]["source"], "report asan \"heap-use-after-free\" x1");
  EXPECT_EQ(e["reports"][0]["block"][0]["matcher"]["text"], "e");
  EXPECT_EQ(e["reports"][1]["from_race_header"], true);
}

// ---- adjacency, captures, ranged not, substrings ---------------------------------------------------

TEST(GradeAdjacency, NextLineMustFollowDirectly) {
  auto e = parse("out \"a\"\nout-next \"b\"\nout-next /^c/ x2\n");
  EXPECT_PASS(grade(e, lines({out(1, "a"), out(2, "b"), out(3, "c1"), out(4, "c2")})));
  // One extra line between two -next lines (the FileCheck gap): fails there, and the dump says so.
  auto g = grade(e, lines({out(1, "a"), out(2, "b"), out(3, "extra"), out(4, "c1"), out(5, "c2")}));
  EXPECT_FAIL_WITH(g, "out-next: expected a line matching /^c/ as stdout line 3 (right after stdout line 2), found \"extra\"");
  ASSERT_TRUE(g.stopped_at);
  EXPECT_EQ(*g.stopped_at, 2u);
  EXPECT_NE(g.annotations.at(2).back().find("out-next (t.expect:5) ADJACENCY BROKEN"), std::string::npos);
  EXPECT_TRUE(g.annotations.has_problem(2));
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "a"), out(2, "b"), out(3, "c1")})), "found the end of stdout");
  // The other stream does not break adjacency.
  EXPECT_PASS(grade(e, lines({out(1, "a"), err(2, "noise"), out(3, "b"), out(4, "c1"), out(5, "c2")})));
}

TEST(GradeAdjacency, SameLineGoesOnAfterThePreviousMatch) {
  auto e = parse("out /a=/\nout-same /b=[0-9]+/\nout-same ~\"c\"\n");
  EXPECT_PASS(grade(e, lines({out(1, "x a=1 b=2 c")})));
  auto g = grade(e, lines({out(1, "b=2 a=1 c")}));
  EXPECT_FAIL_WITH(g, "out-same: expected /b=[0-9]+/ further on stdout line 1 (after byte 6), found \"b=2 a=1 c\"");
  EXPECT_NE(g.annotations.at(0).back().find("NOT FOUND further on this line"), std::string::npos);
}

TEST(GradeAdjacency, EmptyLines) {
  auto e = parse("out \"head\"\nout-empty x2\nout-next \"body\"\n");
  EXPECT_PASS(grade(e, lines({out(1, "head"), out(2, ""), out(3, ""), out(4, "body")})));
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "head"), out(2, ""), out(3, " "), out(4, "body")})),
                   "out-empty: expected an empty line as stdout line 3 (right after line 2), found \" \"");
}

TEST(GradeCaptures, ABoundValueMustRepeatLaterOnEitherStream) {
  auto e = parse("out /allocated at (?<addr>0x[0-9a-f]+)/\nerr ~\"freed ${addr} twice\"\nout /^addr=${addr}$/\n");
  auto g = grade(e, lines({out(1, "allocated at 0x10"), err(2, "freed 0x10 twice"), out(3, "addr=0x10")}));
  EXPECT_PASS(g);
  EXPECT_NE(g.annotations.at(0).back().find("${addr} = \"0x10\""), std::string::npos) << g.annotations.at(0).back();
  // The FileCheck gap: a program that prints the wrong address later fails.
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "allocated at 0x10"), err(2, "freed 0x20 twice"), out(3, "addr=0x10")})),
                   "expected 1 line matching ~\"freed ${addr} twice\" on stderr, found 0");
  // The value is matched literally in a regex, not as a pattern.
  auto dots = parse("out /v=(?<v>\\S+)/\nout /^${v}$/\n");
  EXPECT_PASS(grade(dots, lines({out(1, "v=a.b"), out(2, "a.b")})));
  EXPECT_EQ(grade(dots, lines({out(1, "v=a.b"), out(2, "axb")})).status, Status::fail);
  // A capture whose check did not match is not bound: the check using it says so.
  EXPECT_FAIL_WITH(grade(e, lines({err(1, "freed 0x10 twice")})), "capture ${addr} is not bound");
}

TEST(GradeRangedNot, HoldsBetweenTheSurroundingMatches) {
  auto e = parse("out \"begin\"\nout-not /error/\nout \"end\"\nerr-not \"late\"\n");
  EXPECT_PASS(grade(e, lines({out(1, "error before"), out(2, "begin"), out(3, "ok"), out(4, "end"), out(5, "error after")})));
  auto g = grade(e, lines({out(1, "begin"), out(2, "an error"), out(3, "end")}));
  EXPECT_FAIL_WITH(g, "out-not /error/: stdout line 2 matches, between line 1 and the next match before stdout line 3");
  EXPECT_NE(g.annotations.at(1).back().find("FORBIDDEN here"), std::string::npos);
  // With no check after it on its stream, the range runs to the end; before any, from the start.
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "begin"), out(2, "end"), err(3, "late")})), "before the end of stderr");
  // The whole-stream form still forbids it everywhere.
  EXPECT_EQ(grade(parse("out \"begin\"\nnot out /error/\n"), lines({out(1, "error"), out(2, "begin")})).status,
            Status::fail);
}

TEST(GradeSubstring, SubstringWithBlankRunsLikeFileCheck) {
  auto e = parse("out ~\"hello   world\"\n");
  EXPECT_PASS(grade(e, lines({out(1, "  say hello world!")})));
  EXPECT_PASS(grade(e, lines({out(1, "hello\t \tworld")})));
  EXPECT_FAIL_WITH(grade(e, lines({out(1, "helloworld")})), "expected 1 line matching ~\"hello   world\" on stdout");
  // Regex characters in the text are plain characters.
  EXPECT_PASS(grade(parse("out ~\"a.b (c)\"\n"), lines({out(1, "x a.b (c) y")})));
  EXPECT_EQ(grade(parse("out ~\"a.b\"\n"), lines({out(1, "axb")})).status, Status::fail);
}

// ---- time bounds ---------------------------------------------------------------------------------

// Lines at known times: start 0, "a" at 10, "b" x2 at 50 and 80, end 120.
RunResult timed() {
  return lines({out(10, "a"), out(50, "b"), out(80, "b")}, 120);
}
const char* kTimedBody = "out \"a\" @a\nout \"b\" x2 @b\n";

struct TimeRow {
  int line;
  std::string stmt;
  double unit_ms;
  double measured_ms;
  bool pass;
  double miss_ms;
};

class GradeTime : public TableTest<TimeRow, &TimeRow::stmt> {};

TEST_P(GradeTime, MeasuresAndChecksTheBound) {
  const TimeRow& row = GetParam();
  auto e = parse(std::string(kTimedBody) + row.stmt + "\n");
  auto g = grade(e, timed(), row.unit_ms);
  ASSERT_EQ(g.times.size(), 1u);
  ASSERT_TRUE(g.times[0].ms.has_value());
  EXPECT_NEAR(*g.times[0].ms, row.measured_ms, 1e-9);
  EXPECT_EQ(g.times[0].ok, row.pass);
  EXPECT_NEAR(g.times[0].miss_ms, row.miss_ms, 1e-9);
  if (row.pass) EXPECT_PASS(g);
  else EXPECT_FAIL_WITH(g, "measured");
}

INSTANTIATE_TEST_SUITE_P(
    Exprs, GradeTime,
    testing::Values(
        // single events, from start; bounds in u (default), ms and s
        TimeRow{__LINE__, "time @a <= 1", 10, 10, true, 0},
        TimeRow{__LINE__, "time @a <= 0.5", 10, 10, false, 5},
        TimeRow{__LINE__, "time @a <= 1", 100, 10, true, 0},
        TimeRow{__LINE__, "time @a <= 9ms", 10, 10, false, 1},
        TimeRow{__LINE__, "time @a <= 0.01s", 100, 10, true, 0},
        TimeRow{__LINE__, "time @b <= 5", 10, 50, true, 0},           // @b means @b.first
        TimeRow{__LINE__, "time @b.first < 5", 10, 50, false, 0},      // equal is not less
        TimeRow{__LINE__, "time @b.last >= 9", 10, 80, false, 10},
        TimeRow{__LINE__, "time @b.last > 7", 10, 80, true, 0},
        // differences, spans, total, start/end
        TimeRow{__LINE__, "time @b.last - @a in 6..8", 10, 70, true, 0},
        TimeRow{__LINE__, "time @b.last - @a in 1..1.5", 40, 70, false, 10},  // above hi: 70 - 60
        TimeRow{__LINE__, "time @b.last - @a in 8..9", 10, 70, false, 10},    // below lo: 80 - 70
        TimeRow{__LINE__, "time span @b <= 30ms", 100, 30, true, 0},
        TimeRow{__LINE__, "time span @b <= 20ms", 100, 30, false, 10},
        TimeRow{__LINE__, "time total <= 1.2", 100, 120, true, 0},
        TimeRow{__LINE__, "time total <= 1", 100, 120, false, 20},
        TimeRow{__LINE__, "time end - @b.last >= 40ms", 100, 40, true, 0},
        TimeRow{__LINE__, "time end <= 100ms", 100, 120, false, 20},
        TimeRow{__LINE__, "time @a - start <= 10ms", 100, 10, true, 0}),
    RowName());

TEST(GradeTimeMarker, SingleEventsAreMeasuredFromTheMarker) {
  auto e = parse(std::string("marker: @a\n") + kTimedBody + "time @b.last <= 7\ntime @b.last - @a <= 7\n");
  auto g = grade(e, timed(), 10);
  ASSERT_EQ(g.times.size(), 2u);
  EXPECT_DOUBLE_EQ(*g.times[0].ms, 70);  // 80 - the marker's 10
  EXPECT_DOUBLE_EQ(*g.times[1].ms, 70);
  EXPECT_PASS(g);
  auto tight = parse(std::string("marker: @a\n") + kTimedBody + "time @b.last <= 6\n");
  EXPECT_FAIL_WITH(grade(tight, timed(), 10), "measured 7u (70 ms), bound <= 6u (60 ms), missed by 1u (10 ms)");
}

TEST(GradeTimeFacts, AFactNameIsAnEventUsingItsInnerStamp) {
  auto e = parse("time @task_end.last - @task_start.first <= 1\n");
  auto r = lines({});
  r.facts = {num_fact("task_start", 0, 30, 5), num_fact("task_start", 1, 31, 6), num_fact("task_end", 0, 200, 90),
             num_fact("task_end", 1, 201, 104)};
  auto g = grade(e, r, 100);
  ASSERT_EQ(g.times.size(), 1u);
  EXPECT_DOUBLE_EQ(*g.times[0].ms, 99);  // inner stamps 104 - 5, not arrivals 201 - 30
  EXPECT_PASS(g);
  r.facts = {num_fact("task_start", 0, 30, 5), num_fact("task_start", 1, 31, 6), num_fact("task_end", 0, 200, 90),
             num_fact("task_end", 1, 201)};  // the last without an inner stamp: its arrival time counts
  EXPECT_FAIL_WITH(grade(e, r, 100), "measured 1.96u (196 ms)");
}

TEST(GradeTimeFacts, AMissingEventFails) {
  auto e = parse("out \"a\" @a\nout \"b\" @b\ntime @b - @a <= 1\ntime @nothing <= 1\n");
  auto g = grade(e, lines({out(1, "a"), out(2, "b")}));
  EXPECT_FAIL_WITH(g, "cannot measure: @nothing is no output label and no fact nothing was written");
  ASSERT_EQ(g.times.size(), 2u);
  EXPECT_TRUE(g.times[0].ok);
  EXPECT_FALSE(g.times[1].ms.has_value());
}

TEST(GradeTimeMedian, RunsDoNotFailOnBoundsButStillMeasure) {
  auto e = parse(std::string("timing: median\n") + kTimedBody + "time @a <= 0.5\n");
  auto g = grade(e, timed(), 10);
  EXPECT_PASS(g);
  ASSERT_EQ(g.times.size(), 1u);
  EXPECT_FALSE(g.times[0].ok);
  EXPECT_DOUBLE_EQ(g.times[0].miss_ms, 5);
}

// ---- outcomes and requirements -------------------------------------------------------------------

RunResult with_facts(std::vector<Fact> facts) {
  RunResult r = exited(0);
  r.facts = std::move(facts);
  return r;
}

const char* kCounterRules =
    "outcome counter == expected   ACCEPTABLE \"no increment lost\"\n"
    "outcome counter < expected    INTERESTING \"lost increments\"\n"
    "outcome counter > expected    FORBIDDEN \"more increments than performed\"\n";

TEST(GradeOutcome, FirstHoldingRuleClassifies) {
  auto e = parse(kCounterRules);
  auto ok = grade(e, with_facts({num_fact("counter", 2000), num_fact("expected", 2000)}));
  EXPECT_PASS(ok);
  EXPECT_EQ(ok.outcome_rule, 0u);
  EXPECT_EQ(ok.outcome_class, OutcomeClass::acceptable);
  EXPECT_EQ(ok.outcome_values, "counter=2000 expected=2000");

  auto lost = grade(e, with_facts({num_fact("counter", 1998), num_fact("expected", 2000)}));
  EXPECT_PASS(lost);  // INTERESTING passes and is reported
  EXPECT_EQ(lost.outcome_rule, 1u);
  EXPECT_EQ(lost.outcome_class, OutcomeClass::interesting);
  ASSERT_FALSE(lost.notes.empty());
  EXPECT_NE(lost.notes[0].find("lost increments"), std::string::npos);
}

TEST(GradeOutcome, ForbiddenFailsWithDescriptionAndValues) {
  auto e = parse(kCounterRules);
  auto g = grade(e, with_facts({num_fact("counter", 2001), num_fact("expected", 2000)}));
  EXPECT_FAIL_WITH(g, "forbidden outcome: \"more increments than performed\"");
  EXPECT_FAIL_WITH(g, "counter=2001 expected=2000");
  EXPECT_EQ(g.outcome_class, OutcomeClass::forbidden);
}

TEST(GradeOutcome, UnlistedOutcomeIsForbidden) {
  auto e = parse("outcome counter == 1 ACCEPTABLE \"one\"\n");
  auto g = grade(e, with_facts({num_fact("counter", 2)}));
  EXPECT_FAIL_WITH(g, "unlisted outcome (no outcome rule holds): counter=2");
  EXPECT_FALSE(g.outcome_rule.has_value());
  EXPECT_EQ(g.outcome_class, OutcomeClass::forbidden);
}

TEST(GradeOutcome, AMissingFactMakesTheComparisonFalse) {
  auto e = parse("outcome counter == counter ACCEPTABLE \"always\"\n");
  EXPECT_PASS(grade(e, with_facts({num_fact("counter", 5)})));
  EXPECT_FAIL_WITH(grade(e, with_facts({})), "unlisted outcome (no outcome rule holds): counter=(missing)");
  // not(false-because-missing) does not make it true: the condition names a fact the run did not write.
  auto negated = parse("outcome not (counter == 1) ACCEPTABLE \"not one\"\n");
  EXPECT_FAIL_WITH(grade(negated, with_facts({})), "unlisted outcome");
  EXPECT_PASS(grade(negated, with_facts({num_fact("counter", 2)})));
}

struct CondRow {
  int line;
  std::string cond;
  bool holds;
};

class GradeCondition : public TableTest<CondRow, &CondRow::cond> {};

// Facts: tid 7, 7, 9 (3 values, 2 distinct); n=4; ms=2.5, 7.5; model "threads".
TEST_P(GradeCondition, EvaluatesOnTheRunsFacts) {
  const CondRow& row = GetParam();
  auto e = parse("outcome " + row.cond + " ACCEPTABLE \"holds\"\n");
  auto r = with_facts({num_fact("tid", 7), num_fact("tid", 7), num_fact("tid", 9), num_fact("n", 4),
                       num_fact("ms", 2.5), num_fact("ms", 7.5), str_fact("model", "threads")});
  auto g = grade(e, r);
  EXPECT_EQ(g.outcome_rule.has_value(), row.holds) << failures(g);
}

INSTANTIATE_TEST_SUITE_P(
    Exprs, GradeCondition,
    testing::Values(CondRow{__LINE__, "count(tid) == 3", true},
        CondRow{__LINE__, "count(tid) == 2", false},
                    CondRow{__LINE__, "distinct(tid) == 2", true},
        CondRow{__LINE__, "distinct(tid) == 1", false},
                    CondRow{__LINE__, "count(never) == 0", true},  // how many: none written is 0
                    CondRow{__LINE__, "sum(ms) == 10", true},
        CondRow{__LINE__, "sum(ms) > 10", false},
                    CondRow{__LINE__, "first(tid) == 7", true},
        CondRow{__LINE__, "last(tid) == 9", true},
                    CondRow{__LINE__, "tid == 9", true},  // a fact's last value
                    CondRow{__LINE__, "min(ms) == 2.5", true},
        CondRow{__LINE__, "max(ms) == 7.5", true},
                    CondRow{__LINE__, "max(ms) < 7", false},
        CondRow{__LINE__, "min(n, 3) == 3", true},
                    CondRow{__LINE__, "max(n, 3, sum(ms)) == 10", true},
                    CondRow{__LINE__, "n * 2 - 1 == 7", true},
        CondRow{__LINE__, "(n + 2) / 3 == 2", true},
                    CondRow{__LINE__, "n / 0 == 1", false},
                    CondRow{__LINE__, "model == \"threads\"", true},
        CondRow{__LINE__, "model != \"async\"", true},
                    CondRow{__LINE__, "model == \"async\"", false},
        CondRow{__LINE__, "model == 4", false},
                    CondRow{__LINE__, "n == 4 and model == \"threads\"", true},
                    CondRow{__LINE__, "n == 4 and model == \"async\"", false},
                    CondRow{__LINE__, "n == 5 or model == \"threads\"", true},
                    CondRow{__LINE__, "n == 5 or model == \"async\"", false},
                    CondRow{__LINE__, "not n == 5", true},
        CondRow{__LINE__, "not (n == 4)", false},
                    CondRow{__LINE__, "missing == 1 or n == 4", true},
                    CondRow{__LINE__, "missing == 1 and n == 4", false},
        CondRow{__LINE__, "n >= 4", true},
                    CondRow{__LINE__, "n <= 3", false}),
    RowName());

TEST(GradeRequirement, MustHoldInTheRun) {
  auto e = parse("require lost == 0 \"nothing is lost\"\n");
  EXPECT_PASS(grade(e, with_facts({num_fact("lost", 0)})));
  EXPECT_FAIL_WITH(grade(e, with_facts({num_fact("lost", 2)})), "requirement does not hold: \"nothing is lost\"");
  EXPECT_FAIL_WITH(grade(e, with_facts({})), "lost=(missing)");
}

// ---- check(): real programs ----------------------------------------------------------------------

// A scratch directory per test, removed afterwards.
class CheckTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "conkit-grade-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `sh -c script`, with $1 = the scratch directory.
  CheckOptions sh(const std::string& script) const {
    CheckOptions o;
    o.run.argv = {"/bin/sh", "-c", script, "sh", dir_.string()};
    o.run.unit_ms = 100;
    return o;
  }
  // Counts runs in a file: after this, $n is this run's number (1, 2, ...).
  static std::string counter() { return "n=$(($(cat \"$1/n\" 2>/dev/null || echo 0) + 1)); echo $n > \"$1/n\"; "; }

  std::filesystem::path dir_;
};

TEST_F(CheckTest, RepeatRunsThatManyTimes) {
  auto e = parse("repeat: 3\nout \"hi\"\n");
  auto r = check(e, sh("echo hi"));
  EXPECT_EQ(r.status, Status::pass) << r.reason;
  EXPECT_EQ(r.runs.size(), 3u);
  EXPECT_EQ(r.grades.size(), 3u);
  EXPECT_EQ(r.name, "s/m");
  auto o = sh("echo hi");
  o.repeat = 2;  // the caller's repeat wins over the file's
  EXPECT_EQ(check(e, o).runs.size(), 2u);
}

TEST_F(CheckTest, RepeatBudgetRunsAtLeastOnceAndUntilSpent) {
  // Each run sleeps 0.2 s; a 300 ms budget allows a second run only if the first ended in time,
  // never a third (two runs take >= 400 ms).
  auto slow = check(parse("repeat: 300ms\n"), sh("sleep 0.2"));
  EXPECT_EQ(slow.status, Status::pass) << slow.reason;
  EXPECT_GE(slow.runs.size(), 1u);
  EXPECT_LE(slow.runs.size(), 2u);
  // A budget in units: 3u = 300 ms of runs of a few ms each gives many runs.
  auto fast = check(parse("repeat: 3u\n"), sh("true"));
  EXPECT_GT(fast.runs.size(), 1u);
}

TEST_F(CheckTest, FirstFailingRunDecides) {
  auto e = parse("repeat: 5\nout \"ok\"\n");
  auto r = check(e, sh(counter() + "if [ $n -eq 2 ]; then echo bad; else echo ok; fi"));
  EXPECT_EQ(r.status, Status::fail);
  EXPECT_EQ(r.runs.size(), 2u);  // stops at the failing run
  EXPECT_NE(r.reason.find("run 2: "), std::string::npos) << r.reason;
}

// A program that writes fact seen=1 only on its third run. (dash redirects only single-digit fds
// with >&N, so the facts fd is reopened through /dev/fd.)
std::string third_run_sees(const std::string& counter) {
  return counter + "v=0; [ $n -ge 3 ] && v=1; printf '{\"fact\":\"seen\",\"value\":%s}\\n' $v >\"/dev/fd/$CONKIT_FACTS_FD\"";
}
const char* kMustSee =
    "outcome seen == 1 INTERESTING \"the rare interleaving\" must-see\n"
    "outcome seen == 0 ACCEPTABLE \"the common one\"\n";

TEST_F(CheckTest, DeflakeRunsUntilTheMustSeeOutcomeIsSeen) {
  auto e = parse(std::string("deflake: 5\n") + kMustSee);
  auto r = check(e, sh(third_run_sees(counter())));
  EXPECT_EQ(r.status, Status::pass) << r.reason;
  EXPECT_EQ(r.runs.size(), 3u);  // 1 repeat + 2 deflake runs; stops once seen
  ASSERT_EQ(r.grades.size(), 3u);
  EXPECT_EQ(r.grades[2].outcome_rule, 0u);
}

TEST_F(CheckTest, MustSeeNeverSeenFails) {
  auto e = parse(std::string("deflake: 1\n") + kMustSee);
  auto r = check(e, sh(third_run_sees(counter())));
  EXPECT_EQ(r.status, Status::fail);
  EXPECT_EQ(r.runs.size(), 2u);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].message.find("must-see outcome \"the rare interleaving\" never seen in 2 runs"),
            std::string::npos)
      << r.failures[0].message;
}

TEST_F(CheckTest, ExpectedRaceNeverSeenUnderTsanFails) {
  auto e = parse("race: expected\ndeflake: 1\n");
  CheckOptions o = sh("true");
  o.sanitizer = Sanitizer::tsan;
  auto r = check(e, o);
  EXPECT_EQ(r.status, Status::fail);
  EXPECT_EQ(r.runs.size(), 2u);
  EXPECT_NE(r.reason.find("expected ThreadSanitizer data race never seen in 2 runs"), std::string::npos) << r.reason;
  o.sanitizer = Sanitizer::none;  // a plain build cannot report a race: the header is inert there
  EXPECT_EQ(check(e, o).status, Status::pass);
}

// Prints a ThreadSanitizer data race report on stderr from run 3 on (like a race that needs a few
// tries); `access` is the first line of the report body.
std::string race_from_run_3(const std::string& counter, const std::string& access) {
  return counter + "echo done; if [ $n -ge 3 ]; then printf '%s\\n' '==================' "
                   "'WARNING: ThreadSanitizer: data race (pid=1)' '  " + access + "' '    #0 increment race.cpp:7' "
                   "'SUMMARY: ThreadSanitizer: data race race.cpp:7 in increment' '==================' >&2; exit 66; fi";
}

TEST_F(CheckTest, DeflakeGradesTheReportBlockOnTheRunThatShowedIt) {
  auto e = parse("exit: 0, 66\ndeflake: 5\nout \"done\"\nreport tsan \"data race\" {\n  err ~\"Write of size 4\"\n"
                 "  err-next /#0 increment/\n}\n");
  auto tsan = [](CheckOptions o) {
    o.sanitizer = Sanitizer::tsan;  // the program can report races: one must show up
    return o;
  };
  auto r = check(e, tsan(sh(race_from_run_3(counter(), "Write of size 4 at 0x10 by thread T1:"))));
  EXPECT_EQ(r.status, Status::pass) << r.reason;
  EXPECT_EQ(r.runs.size(), 3u);  // two runs without the report were retried, not failed
  ASSERT_EQ(r.grades.size(), 3u);
  EXPECT_FALSE(r.grades[0].reports_seen[0]);
  EXPECT_TRUE(r.grades[2].reports_seen[0]);
  // The report shows up but says something else: the run that showed it fails the case.
  std::filesystem::remove(dir_ / "n");
  auto bad = check(e, tsan(sh(race_from_run_3(counter(), "Read of size 4 at 0x10 by thread T1:"))));
  EXPECT_EQ(bad.status, Status::fail);
  EXPECT_EQ(bad.runs.size(), 3u);
  EXPECT_NE(bad.reason.find("run 3: "), std::string::npos) << bad.reason;
  EXPECT_NE(bad.reason.find("in the ThreadSanitizer report: data race"), std::string::npos) << bad.reason;
  // Never shown within deflake: the must-see fails, once the program could report (--sanitizer tsan).
  auto never = parse("exit: 0, 66\ndeflake: 1\nreport tsan \"data race\" {\n  err ~\"Write\"\n}\n");
  auto o = sh("echo done");
  o.sanitizer = Sanitizer::tsan;
  auto n = check(never, o);
  EXPECT_EQ(n.status, Status::fail);
  EXPECT_NE(n.reason.find("expected report tsan \"data race\" {...} (block held in no run) never seen in 2 runs"),
            std::string::npos) << n.reason;
  o.sanitizer = Sanitizer::none;  // a plain build cannot report: the expectation is inert
  EXPECT_EQ(check(never, o).status, Status::pass);
}

TEST_F(CheckTest, SanitizerOptionDefaultsAndAdditions) {
  auto e = parse("sanitizer-options: tsan history_size=4 report_bugs=1\nsanitizer-options: ubsan halt_on_error=1\n"
                 "out ~\"TSAN=exitcode=66:atexit_sleep_ms=0:second_deadlock_stack=1:history_size=4:report_bugs=1\"\n"
                 "out ~\"UBSAN=exitcode=66:print_stacktrace=1:halt_on_error=1\"\n"
                 "out ~\"ASAN=exitcode=66:detect_leaks=1:abort_on_error=0\"\nout ~\"LSAN=exitcode=66\"\n");
  auto script = "echo TSAN=$TSAN_OPTIONS; echo UBSAN=$UBSAN_OPTIONS; echo ASAN=$ASAN_OPTIONS; echo LSAN=$LSAN_OPTIONS";
  auto r = check(e, sh(script));
  EXPECT_EQ(r.status, Status::pass) << r.reason;
  // env: replaces the variable whole, defaults and all.
  auto whole = parse("env: TSAN_OPTIONS=history_size=1\nout \"TSAN=history_size=1\"\n");
  EXPECT_EQ(check(whole, sh("echo TSAN=$TSAN_OPTIONS")).status, Status::pass);
}

TEST_F(CheckTest, RetryPassIsFlakyNeverPass) {
  auto e = parse("out \"ok\"\n");
  const std::string script = counter() + "if [ $n -eq 1 ]; then echo bad; else echo ok; fi";
  auto o = sh(script);
  o.retries = 2;
  auto r = check(e, o);
  EXPECT_EQ(r.status, Status::flaky) << r.reason;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.runs.size(), 2u);
  EXPECT_NE(r.reason.find("passed on retry 1"), std::string::npos) << r.reason;
  std::filesystem::remove(dir_ / "n");
  auto no_retry = check(e, sh(script));
  EXPECT_EQ(no_retry.status, Status::fail);
  EXPECT_EQ(no_retry.attempts, 1);
}

TEST_F(CheckTest, MedianTimingJudgesTheMedianRun) {
  // Runs sleep 1 s, 0.5 s or not at all; the bound (total <= 2u = 200 ms) is far from each: a run
  // of `sh` that does not sleep ends in a few ms (tens with both cores busy), a sleeping one never
  // early. One 1 s run among three: the median passes where a mean (>= 333 ms) would not.
  const char* body = "repeat: 3\ntiming: median\ntime total <= 2\n";
  auto one_slow = check(parse(body), sh(counter() + "[ $n -eq 1 ] && sleep 1; true"));
  EXPECT_EQ(one_slow.status, Status::pass) << one_slow.reason;
  ASSERT_EQ(one_slow.median_times.size(), 1u);
  EXPECT_TRUE(one_slow.median_times[0].ok);
  ASSERT_EQ(one_slow.runs.size(), 3u);
  EXPECT_FALSE(one_slow.grades[0].times.at(0).ok);  // the slow run alone breaks the bound

  std::filesystem::remove(dir_ / "n");
  auto two_slow = check(parse(body), sh(counter() + "[ $n -le 2 ] && sleep 0.5; true"));
  EXPECT_EQ(two_slow.status, Status::fail);
  EXPECT_NE(two_slow.reason.find("median over 3 runs: time total <= 2"), std::string::npos) << two_slow.reason;

  std::filesystem::remove(dir_ / "n");
  auto all = check(parse("repeat: 3\ntime total <= 2\n"), sh(counter() + "[ $n -eq 1 ] && sleep 0.5; true"));
  EXPECT_EQ(all.status, Status::fail);  // timing: all: every run must meet the bound
}

TEST_F(CheckTest, EndingsMapToStatuses) {
  auto e = parse("timeout: 300ms\n");
  EXPECT_EQ(check(e, sh("sleep 5")).status, Status::timeout);
  auto units = parse("timeout: 3u\n");  // 3u at u = 100 ms
  auto t = check(units, sh("sleep 5"));
  EXPECT_EQ(t.status, Status::timeout);
  EXPECT_LT(t.runs.at(0).wall_ms, 3000);
  EXPECT_EQ(check(e, sh("kill -SEGV $$")).status, Status::crash);
  auto skip = check(e, sh("echo 'SKIP: needs 2 cores' >&2; exit 77"));
  EXPECT_EQ(skip.status, Status::skip);
  EXPECT_EQ(skip.reason, "SKIP: needs 2 cores");
  CheckOptions missing;
  missing.run.argv = {(dir_ / "no-such-program").string()};
  EXPECT_EQ(check(e, missing).status, Status::error);
}

TEST_F(CheckTest, FileEnvReachesTheProgram) {
  auto e = parse("env: GREETING=hello\nout \"hello\"\n");
  auto r = check(e, sh("echo \"$GREETING\""));
  EXPECT_EQ(r.status, Status::pass) << r.reason;
}

TEST_F(CheckTest, BadFileIsInvalid) {
  const auto path = (dir_ / "bad.expect").string();
  std::ofstream(path) << "scenario: s\nmodel: m\nbogus-key: 1\n";
  auto r = check_file(path, sh("true"));
  EXPECT_EQ(r.status, Status::invalid);
  EXPECT_FALSE(r.parse_errors.empty());
  EXPECT_TRUE(r.runs.empty());
  EXPECT_NE(r.reason.find("bad.expect:3"), std::string::npos) << r.reason;

  const auto good = (dir_ / "good.expect").string();
  std::ofstream(good) << "scenario: s\nmodel: m\nout \"hi\"\n";
  auto ok = check_file(good, sh("echo hi"));
  EXPECT_EQ(ok.status, Status::pass) << ok.reason;
  EXPECT_EQ(ok.expect_path, good);
}

}  // namespace
}  // namespace conkit
