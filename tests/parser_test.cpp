// Tests for the expected-file parser (harness/src/expect/, docs/expected-format.md):
// every construct builds the tree the grader reads, every error names its exact place and words,
// and no input, however broken, makes the parser crash, hang or throw.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "conkit/expect.hpp"
#include "test_names.hpp"

namespace conkit {
namespace {

// A valid file needs these two headers; tests prepend them to what they check.
const std::string kHead = "scenario: s\nmodel: m\n";

ParseResult parse_ok(const std::string& body) {
  ParseResult r = parse_expect(kHead + body, "t.expect");
  std::string all;
  for (auto& e : r.errors) all += e.to_string() + "\n";
  EXPECT_TRUE(r.ok()) << all;
  return r;
}

// The one error `body` (after the two header lines, so body line 1 is file line 3) produces.
std::string only_error(const std::string& body) {
  ParseResult r = parse_expect(kHead + body, "t.expect");
  if (r.errors.size() != 1) {
    std::string all;
    for (auto& e : r.errors) all += e.to_string() + "\n";
    ADD_FAILURE() << "expected exactly one error, got " << r.errors.size() << ":\n" << all;
    return r.errors.empty() ? "" : r.errors[0].to_string();
  }
  return r.errors[0].to_string();
}

const LineCheck& line_step(const ExpectFile& f, std::size_t i) {
  return std::get<LineCheck>(f.steps.at(i));
}

// What a test states about one line check; a field left empty is not checked.
struct LineWant {
  std::optional<Stream> stream{};
  std::optional<Adjacency> adjacency{};
  std::optional<long long> times{};
  std::optional<std::string> times_fact{};
  std::optional<std::string> label{};
  std::optional<Matcher::Kind> kind{};
  std::optional<std::string> text{};
};

// One field of a LineWant: checked only if the test gave it.
template <class T, class U>
void expect_field(const std::optional<T>& want, const U& got, const char* field) {
  if (want) {
    EXPECT_EQ(got, *want) << field;
  }
}

// Checks the output step `i` of `f` (a line check) against `want`, one EXPECT_EQ per field given.
void expect_line(const ExpectFile& f, std::size_t i, const LineWant& want) {
  SCOPED_TRACE("output step " + std::to_string(i));
  const LineCheck& c = line_step(f, i);
  expect_field(want.stream, c.stream, "stream");
  expect_field(want.adjacency, c.adjacency, "adjacency");
  expect_field(want.times, c.times.value, "times");
  expect_field(want.times_fact, c.times.fact, "times fact");
  expect_field(want.label, c.label, "label");
  expect_field(want.kind, c.matcher.kind, "matcher kind");
  expect_field(want.text, c.matcher.text, "matcher text");
}

// Renders an expression tree in prefix form, so a test can state the whole shape in one string.
std::string tree(const ExprPtr& e) {
  using K = Expr::Kind;
  auto args = [&] {
    std::string s;
    for (auto& a : e->args) s += " " + tree(a);
    return s;
  };
  switch (e->kind) {
    case K::number: {
      std::string s = std::to_string(e->number);
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
      return s;
    }
    case K::string: return "\"" + e->text + "\"";
    case K::fact: return e->text;
    case K::call: return "(" + e->text + args() + ")";
    case K::add: return "(+" + args() + ")";
    case K::sub: return "(-" + args() + ")";
    case K::mul: return "(*" + args() + ")";
    case K::div: return "(/" + args() + ")";
    case K::cmp: return "(" + to_string(e->op) + args() + ")";
    case K::and_: return "(and" + args() + ")";
    case K::or_: return "(or" + args() + ")";
    case K::not_: return "(not" + args() + ")";
  }
  return "?";
}

std::string cond_of(const std::string& cond) {
  ParseResult r = parse_ok("outcome " + cond + " ACCEPTABLE \"d\"\n");
  return r.file.outcomes.empty() ? "" : tree(r.file.outcomes[0].cond);
}

// ---- the example from the format document --------------------------------------------------

TEST(Parser, DocumentExampleBuildsTheWholeTree) {
  const std::string text = R"(# Pass proves: two 1u waits overlap on one thread and end in about 1u, not 2u.
scenario: concurrent_fetch
model:    async
claims:   async-concurrent-io, async-single-thread

exit:    0
repeat:  3
timing:  median
marker:  @start

out "Starting async tasks..."        @start
any-order @fetching {
  out "Fetching data..." x2
}
any-order @fetched {
  out "Data fetched!" x2
}
out "Async tasks completed!"         @done
not out /Traceback|error/

# Two overlapped waits: never shorter than 1u.
time @fetched.last - @fetching.first in 1..1.5
time @done <= 2

outcome distinct(tid) == 1   ACCEPTABLE "every task ran on the loop thread"
)";
  ParseResult r = parse_expect(text, "x.expect");
  ASSERT_TRUE(r.ok()) << r.errors[0].to_string();
  const ExpectFile& f = r.file;
  EXPECT_EQ(f.path, "x.expect");
  EXPECT_EQ(f.proves, "Pass proves: two 1u waits overlap on one thread and end in about 1u, not 2u.");
  EXPECT_EQ(f.scenario, "concurrent_fetch");
  EXPECT_EQ(f.model, "async");
  EXPECT_EQ(f.claims, (std::vector<std::string>{"async-concurrent-io", "async-single-thread"}));
  EXPECT_EQ(f.exit.kind, ExitExpectation::Kind::codes);
  EXPECT_EQ(f.exit.codes, std::vector<int>{0});
  EXPECT_EQ(f.repeat, 3);
  EXPECT_TRUE(f.timing_median);
  EXPECT_EQ(f.marker, "start");

  ASSERT_EQ(f.steps.size(), 4u);
  EXPECT_EQ(line_step(f, 0).matcher.text, "Starting async tasks...");
  EXPECT_EQ(line_step(f, 0).label, "start");
  EXPECT_EQ(line_step(f, 0).loc.to_string(), "x.expect:11:1");
  const auto& g = std::get<AnyOrderGroup>(f.steps[1]);
  EXPECT_EQ(g.label, "fetching");
  EXPECT_EQ(g.loc.line, 12);
  ASSERT_EQ(g.lines.size(), 1u);
  EXPECT_EQ(g.lines[0].matcher.text, "Fetching data...");
  EXPECT_EQ(g.lines[0].times.value, 2);
  EXPECT_EQ(g.lines[0].loc.to_string(), "x.expect:13:3");
  EXPECT_EQ(std::get<AnyOrderGroup>(f.steps[2]).label, "fetched");
  EXPECT_EQ(line_step(f, 3).label, "done");

  ASSERT_EQ(f.nots.size(), 1u);
  EXPECT_EQ(f.nots[0].matcher.kind, Matcher::Kind::regex);
  EXPECT_EQ(f.nots[0].matcher.text, "Traceback|error");

  ASSERT_EQ(f.times.size(), 2u);
  EXPECT_EQ(f.times[0].kind, TimeCheck::Kind::difference);
  EXPECT_EQ(f.times[0].a.to_string(), "@fetched.last");
  EXPECT_EQ(f.times[0].b.to_string(), "@fetching");
  EXPECT_FALSE(f.times[0].b.last);
  EXPECT_EQ(f.times[0].op, CmpOp::in_range);
  EXPECT_DOUBLE_EQ(f.times[0].lo, 1);
  EXPECT_DOUBLE_EQ(f.times[0].hi, 1.5);
  EXPECT_TRUE(f.times[0].in_units);
  EXPECT_EQ(f.times[0].source, "time @fetched.last - @fetching.first in 1..1.5");
  EXPECT_EQ(f.times[1].kind, TimeCheck::Kind::event);
  EXPECT_EQ(f.times[1].op, CmpOp::le);
  EXPECT_DOUBLE_EQ(f.times[1].lo, 2);

  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_EQ(tree(f.outcomes[0].cond), "(== (distinct tid) 1)");
  EXPECT_EQ(f.outcomes[0].cls, OutcomeClass::acceptable);
  EXPECT_EQ(f.outcomes[0].description, "every task ran on the loop thread");
  EXPECT_EQ(f.outcomes[0].source, "distinct(tid) == 1");
  EXPECT_FALSE(f.outcomes[0].must_see);
}

// ---- headers ---------------------------------------------------------------------------------

TEST(Parser, DefaultsWhenOnlyRequiredHeaders) {
  ParseResult r = parse_ok("");
  const ExpectFile& f = r.file;
  EXPECT_EQ(f.scenario, "s");
  EXPECT_EQ(f.model, "m");
  EXPECT_EQ(f.exit.to_string(), "0");
  EXPECT_DOUBLE_EQ(f.timeout_ms, 30000);
  EXPECT_FALSE(f.timeout_units);
  EXPECT_EQ(f.repeat, 1);
  EXPECT_FALSE(f.repeat_budget_ms);
  EXPECT_FALSE(f.timing_median);
  EXPECT_FALSE(f.race_expected);
  EXPECT_EQ(f.deflake, 0);
  EXPECT_TRUE(f.proves.empty());
}

TEST(Parser, ClaimsBySpacesAndCommas) {
  EXPECT_EQ(parse_ok("claims: a b,c , d-e.f\n").file.claims,
            (std::vector<std::string>{"a", "b", "c", "d-e.f"}));
}

TEST(Parser, ExitForms) {
  EXPECT_EQ(parse_ok("exit: 0, 66\n").file.exit.codes, (std::vector<int>{0, 66}));
  EXPECT_EQ(parse_ok("exit: 77\n").file.exit.to_string(), "77");
  EXPECT_EQ(parse_ok("exit: any\n").file.exit.kind, ExitExpectation::Kind::any);
  EXPECT_EQ(parse_ok("exit: nonzero\n").file.exit.to_string(), "nonzero");
  for (const char* v : {"signal TERM", "signal SIGTERM", "signal 15", "signal term"}) {
    ParseResult r = parse_ok(std::string("exit: ") + v + "\n");
    EXPECT_EQ(r.file.exit.kind, ExitExpectation::Kind::signal) << v;
    EXPECT_EQ(r.file.exit.signal, 15) << v;
    EXPECT_EQ(r.file.exit.to_string(), "signal SIGTERM") << v;
  }
  EXPECT_EQ(parse_ok("exit: signal 40\n").file.exit.to_string(), "signal 40");
  // The parser and the runner share one signal table (glibc's): every name the runner prints parses.
  EXPECT_EQ(parse_ok("exit: signal IO\n").file.exit.signal, SIGIO);
  EXPECT_EQ(parse_ok("exit: signal SIGPWR\n").file.exit.signal, SIGPWR);
}

TEST(Parser, TimeoutDurations) {
  EXPECT_DOUBLE_EQ(parse_ok("timeout: 5s\n").file.timeout_ms, 5000);
  EXPECT_DOUBLE_EQ(parse_ok("timeout: 500ms\n").file.timeout_ms, 500);
  ParseResult r = parse_ok("timeout: 1.5u\n");
  ASSERT_TRUE(r.file.timeout_units);
  EXPECT_DOUBLE_EQ(*r.file.timeout_units, 1.5);
}

TEST(Parser, RepeatCountOrBudget) {
  EXPECT_EQ(parse_ok("repeat: 5\n").file.repeat, 5);
  ParseResult s = parse_ok("repeat: 3s\n");
  EXPECT_EQ(s.file.repeat, 1);
  ASSERT_TRUE(s.file.repeat_budget_ms);
  EXPECT_DOUBLE_EQ(*s.file.repeat_budget_ms, 3000);
  ParseResult u = parse_ok("repeat: 10u\n");
  ASSERT_TRUE(u.file.repeat_budget_units);
  EXPECT_DOUBLE_EQ(*u.file.repeat_budget_units, 10);
  EXPECT_FALSE(u.file.repeat_budget_ms);
}

TEST(Parser, RaceHeaders) {
  ParseResult r = parse_ok("race: expected\nrace-match: /counter|increment/\ndeflake: 20\n");
  EXPECT_TRUE(r.file.race_expected);
  ASSERT_TRUE(r.file.race_match);
  EXPECT_EQ(r.file.race_match->kind, Matcher::Kind::regex);
  EXPECT_EQ(r.file.race_match->text, "counter|increment");
  EXPECT_EQ(r.file.deflake, 20);
  EXPECT_FALSE(parse_ok("race: forbidden\n").file.race_expected);
  EXPECT_EQ(parse_ok("race-match: \"counter\"\n").file.race_match->kind, Matcher::Kind::exact);
}

TEST(Parser, EnvAndInheritRepeat) {
  ParseResult r = parse_ok(
      "env: A=1\nenv: B = two words  # comment\nenv: C=\"x # y\"\nenv: D=\n"
      "inherit: HOME_X, TERM\ninherit: USER\n");
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(r.file.env, (std::vector<P>{{"A", "1"}, {"B", "two words"}, {"C", "x # y"}, {"D", ""}}));
  EXPECT_EQ(r.file.inherit, (std::vector<std::string>{"HOME_X", "TERM", "USER"}));
}

TEST(Parser, RunHeaderKeepsProgramAndArguments) {
  ParseResult r = parse_ok("run: threads --variant racy --work-u 0.5  # why\n");
  EXPECT_EQ(r.file.run, (std::vector<std::string>{"threads", "--variant", "racy", "--work-u", "0.5"}));
  EXPECT_TRUE(parse_ok("").file.run.empty());
}

TEST(Parser, HeadersAcceptCommentsAndCrlf) {
  ParseResult r = parse_expect("scenario: a   # the scenario\r\nmodel: b\r\nout \"x\" x2\r\n", "c");
  ASSERT_TRUE(r.ok()) << r.errors[0].to_string();
  EXPECT_EQ(r.file.scenario, "a");
  EXPECT_EQ(r.file.model, "b");
  EXPECT_EQ(line_step(r.file, 0).matcher.text, "x");
  EXPECT_EQ(line_step(r.file, 0).times.value, 2);
}

// ---- proves ----------------------------------------------------------------------------------

TEST(Parser, ProvesPrefersPassProvesLine) {
  EXPECT_EQ(parse_expect("# first\n# Pass proves: the thing\nscenario: s\nmodel: m\n", "p").file.proves,
            "Pass proves: the thing");
  EXPECT_EQ(parse_expect("#   just a note  \nscenario: s\nmodel: m\n# second\n", "p").file.proves,
            "just a note");
  EXPECT_EQ(parse_expect("scenario: s # not a comment line\nmodel: m\n", "p").file.proves, "");
}

// ---- output checks ---------------------------------------------------------------------------

TEST(Parser, LineCheckCountsLabelsAndStreams) {
  ParseResult r = parse_ok("out \"a\"\nerr /b/ x3 @e\nout \"c\" x$n\nout \"d\" @l x2\n");
  const ExpectFile& f = r.file;
  ASSERT_EQ(f.steps.size(), 4u);
  expect_line(f, 0, {.stream = Stream::out, .times = 1, .times_fact = ""});
  expect_line(f, 1, {.stream = Stream::err, .times = 3, .label = "e"});
  expect_line(f, 2, {.times_fact = "n"});
  expect_line(f, 3, {.times = 2, .label = "l"});
}

TEST(Parser, AnyOrderGroupWithoutLabelHoldsBothStreams) {
  ParseResult r = parse_ok("any-order {\n  out \"a\" @x\n\n  # note\n  err /b/ x2\n}\nout \"c\"\n");
  ASSERT_EQ(r.file.steps.size(), 2u);
  const auto& g = std::get<AnyOrderGroup>(r.file.steps[0]);
  EXPECT_TRUE(g.label.empty());
  ASSERT_EQ(g.lines.size(), 2u);
  EXPECT_EQ(g.lines[0].label, "x");
  EXPECT_EQ(g.lines[1].stream, Stream::err);
  EXPECT_EQ(g.lines[1].times.value, 2);
  EXPECT_EQ(line_step(r.file, 1).matcher.text, "c");
}

TEST(Parser, NotAndCountChecks) {
  ParseResult r = parse_ok(
      "not err \"boom\"\ncount out /x/ == 3\ncount err \"y\" != $n\ncount out /z/ <= 1\n"
      "count out /z/ >= 0\ncount out /z/ < 9\ncount out /z/ > 2\ncount out /w/ in 2..$hi\n");
  ASSERT_EQ(r.file.nots.size(), 1u);
  EXPECT_EQ(r.file.nots[0].stream, Stream::err);
  EXPECT_EQ(r.file.nots[0].matcher.text, "boom");
  const auto& c = r.file.counts;
  ASSERT_EQ(c.size(), 7u);
  EXPECT_EQ(c[0].op, CmpOp::eq);
  EXPECT_EQ(c[0].n.value, 3);
  EXPECT_EQ(c[1].stream, Stream::err);
  EXPECT_EQ(c[1].op, CmpOp::ne);
  EXPECT_EQ(c[1].n.fact, "n");
  EXPECT_EQ(c[2].op, CmpOp::le);
  EXPECT_EQ(c[3].op, CmpOp::ge);
  EXPECT_EQ(c[3].n.value, 0);
  EXPECT_EQ(c[4].op, CmpOp::lt);
  EXPECT_EQ(c[5].op, CmpOp::gt);
  EXPECT_EQ(c[6].op, CmpOp::in_range);
  EXPECT_EQ(c[6].n.value, 2);
  EXPECT_EQ(c[6].n_hi.fact, "hi");
}

// ---- matchers --------------------------------------------------------------------------------

TEST(Parser, AdjacencyFormsAndRangedNot) {
  auto r = parse_ok("out \"a\"\nout-next /b/ x2 @b\nout-same ~\"c  d\"\nout-empty x3\nerr \"e\"\nerr-not /f/\nerr-next \"g\"\n");
  const auto& f = r.file;
  ASSERT_EQ(f.steps.size(), 7u);
  expect_line(f, 1, {.adjacency = Adjacency::next, .times = 2, .label = "b"});
  expect_line(f, 2, {.adjacency = Adjacency::same, .kind = Matcher::Kind::substring, .text = "c  d"});
  expect_line(f, 3, {.adjacency = Adjacency::empty, .times = 3});
  const auto& n = std::get<RangedNot>(f.steps[5]);
  EXPECT_EQ(n.stream, Stream::err);
  EXPECT_EQ(n.matcher.text, "f");
  EXPECT_EQ(n.loc.line, 8);
  EXPECT_EQ(to_string(Adjacency::same), "-same");
}

TEST(Parser, CapturesBindAndUse) {
  auto r = parse_ok("out /at (?<addr>0x[0-9a-f]+) (?<n>\\d+)/\nerr ~\"freed ${addr}!\"\nout /^${addr}-${n}$/\n"
                    "out \"lit \\${x}\"\nnot err \"${n}\"\n");
  const auto& f = r.file;
  EXPECT_EQ(line_step(f, 0).matcher.binds, (std::vector<std::string>{"addr", "n"}));
  const auto& use = line_step(f, 1).matcher;
  EXPECT_EQ(use.text, "freed !");
  EXPECT_EQ(use.uses, (std::vector<CaptureUse>{{6, "addr"}}));
  EXPECT_EQ(use.to_string(), "~\"freed ${addr}!\"");
  EXPECT_EQ(line_step(f, 2).matcher.text, "^-$");
  EXPECT_EQ(line_step(f, 2).matcher.to_string(), "/^${addr}-${n}$/");
  EXPECT_EQ(line_step(f, 3).matcher.text, "lit ${x}");  // \$ is a plain dollar
  EXPECT_TRUE(line_step(f, 3).matcher.uses.empty());
  EXPECT_EQ(line_step(f, 3).matcher.to_string(), "\"lit \\${x}\"");
  EXPECT_EQ(f.nots.at(0).matcher.uses.size(), 1u);
  // Lookbehinds are not named groups.
  EXPECT_TRUE(line_step(parse_ok("out /(?<=a)b(?<!c)/\n").file, 0).matcher.binds.empty());
}

TEST(Parser, ReportStatementsAndRaceSugar) {
  auto r = parse_ok("report tsan \"heap-use-after-free\" x1..2 match /main/ {\n  err ~\"Read of size\"\n"
                    "  err-next /#0/\n  any-order {\n    err /a/\n  }\n}\nreport lsan\nreport UndefinedBehaviorSanitizer /overflow/ x2..\n"
                    "race: expected\nrace-match: \"counter\"\n");
  const auto& f = r.file;
  ASSERT_EQ(f.reports.size(), 4u);
  EXPECT_EQ(f.reports[0].tool, SanitizerTool::thread);
  EXPECT_EQ(f.reports[0].kind->text, "heap-use-after-free");
  EXPECT_EQ(f.reports[0].min, 1);
  EXPECT_EQ(f.reports[0].max, 2);
  EXPECT_EQ(f.reports[0].match->text, "main");
  EXPECT_EQ(f.reports[0].checks.size(), 3u);
  EXPECT_EQ(f.reports[0].to_string(), "report tsan \"heap-use-after-free\" x1..2 match /main/");
  EXPECT_EQ(f.reports[1].tool, SanitizerTool::leak);
  EXPECT_FALSE(f.reports[1].kind);
  EXPECT_EQ(f.reports[1].to_string(), "report lsan");
  EXPECT_EQ(f.reports[2].tool, SanitizerTool::undefined);
  EXPECT_EQ(f.reports[2].max, -1);
  EXPECT_EQ(f.reports[2].to_string(), "report ubsan /overflow/ x2..");
  EXPECT_TRUE(f.reports[3].from_race_header);
  EXPECT_EQ(f.reports[3].kind->text, "data race");
  EXPECT_EQ(f.reports[3].match->text, "counter");
  EXPECT_EQ(f.reports[3].loc.line, 12);
  EXPECT_TRUE(f.steps.empty());  // block checks are the report's, not the output section's
}

TEST(Parser, SanitizerOptionsAddUp) {
  auto r = parse_ok("sanitizer-options: tsan history_size=4 report_bugs=1 # why\nsanitizer-options: asan a=1:b=x/y\n");
  using P = std::pair<SanitizerTool, std::string>;
  EXPECT_EQ(r.file.sanitizer_options,
            (std::vector<P>{{SanitizerTool::thread, "history_size=4:report_bugs=1"}, {SanitizerTool::address, "a=1:b=x/y"}}));
  EXPECT_EQ(sanitizer_options_variable(SanitizerTool::undefined), "UBSAN_OPTIONS");
  EXPECT_NE(sanitizer_defaults(SanitizerTool::thread).find("atexit_sleep_ms=0"), std::string::npos);
}

TEST(Parser, StringEscapes) {
  ParseResult r = parse_ok(R"(out "q\" b\\ t\t n\n r\r x\x41\x7e # not a comment")" "\n");
  EXPECT_EQ(line_step(r.file, 0).matcher.text, "q\" b\\ t\t n\n r\r xA~ # not a comment");
  EXPECT_EQ(line_step(r.file, 0).matcher.to_string(),
            R"("q\" b\\ t\t n\n r\r xA~ # not a comment")");
  EXPECT_EQ(parse_ok("out \"\"\n").file.steps.size(), 1u);  // an empty line
}

TEST(Parser, RegexSlashEscapeAndHashInside) {
  ParseResult r = parse_ok(R"(out /^a\/b #1 \d+$/ # comment)" "\n");
  const Matcher& m = line_step(r.file, 0).matcher;
  EXPECT_EQ(m.kind, Matcher::Kind::regex);
  EXPECT_EQ(m.text, R"(^a/b #1 \d+$)");
  EXPECT_EQ(m.to_string(), R"(/^a\/b #1 \d+$/)");
  // An escaped backslash before the closing slash still closes the regex.
  EXPECT_EQ(line_step(parse_ok(R"(out /a\\/ x2)" "\n").file, 0).matcher.text, R"(a\\)");
}

// ---- time bounds -----------------------------------------------------------------------------

TEST(Parser, TimeExpressionsAndUnits) {
  ParseResult r = parse_ok(
      "time @a <= 2\ntime @a.first >= 500ms\ntime @a.last < 1.5s\ntime start > 0\n"
      "time end - start <= 3u\ntime span @g in 0.5..1\ntime total in 100..200ms\n"
      "time @a - @b >= -1\ntime @counter in 1s..1500ms\n");
  const auto& t = r.file.times;
  ASSERT_EQ(t.size(), 9u);
  EXPECT_EQ(t[0].kind, TimeCheck::Kind::event);
  EXPECT_EQ(t[0].a.to_string(), "@a");
  EXPECT_TRUE(t[0].in_units);
  EXPECT_EQ(t[1].op, CmpOp::ge);
  EXPECT_FALSE(t[1].in_units);
  EXPECT_DOUBLE_EQ(t[1].lo, 500);
  EXPECT_EQ(t[2].op, CmpOp::lt);
  EXPECT_TRUE(t[2].a.last);
  EXPECT_FALSE(t[2].in_units);
  EXPECT_DOUBLE_EQ(t[2].lo, 1500);
  EXPECT_EQ(t[3].a.kind, EventRef::Kind::start);
  EXPECT_EQ(t[3].op, CmpOp::gt);
  EXPECT_EQ(t[4].kind, TimeCheck::Kind::difference);
  EXPECT_EQ(t[4].a.to_string(), "end");
  EXPECT_EQ(t[4].b.to_string(), "start");
  EXPECT_TRUE(t[4].in_units);
  EXPECT_DOUBLE_EQ(t[4].lo, 3);
  EXPECT_EQ(t[5].kind, TimeCheck::Kind::span);
  EXPECT_EQ(t[5].a.label, "g");
  EXPECT_DOUBLE_EQ(t[5].lo, 0.5);
  EXPECT_DOUBLE_EQ(t[5].hi, 1);
  EXPECT_EQ(t[6].kind, TimeCheck::Kind::total);
  EXPECT_FALSE(t[6].in_units);  // the suffix on B applies to A too
  EXPECT_DOUBLE_EQ(t[6].lo, 100);
  EXPECT_DOUBLE_EQ(t[6].hi, 200);
  EXPECT_DOUBLE_EQ(t[7].lo, -1);
  EXPECT_EQ(t[8].a.label, "counter");  // not an output label: a fact, allowed
  EXPECT_DOUBLE_EQ(t[8].lo, 1000);
  EXPECT_DOUBLE_EQ(t[8].hi, 1500);
  EXPECT_EQ(t[8].source, "time @counter in 1s..1500ms");
}

// ---- outcomes and requirements ---------------------------------------------------------------

TEST(Parser, ConditionPrecedence) {
  EXPECT_EQ(cond_of("a == 1 or b == 2 and not c < 3"),
            "(or (== a 1) (and (== b 2) (not (< c 3))))");
  EXPECT_EQ(cond_of("a + b * c - d / 2 >= 1"), "(>= (- (+ a (* b c)) (/ d 2)) 1)");
  EXPECT_EQ(cond_of("(a + b) * c != 0"), "(!= (* (+ a b) c) 0)");
  EXPECT_EQ(cond_of("(a == 1 or b == 1) and c > 0"), "(and (or (== a 1) (== b 1)) (> c 0))");
  EXPECT_EQ(cond_of("-a < -2.5"), "(< (- 0 a) -2.5)");
  EXPECT_EQ(cond_of("mode == \"fast\""), "(== mode \"fast\")");
  EXPECT_EQ(cond_of("nothing == android"), "(== nothing android)");  // keywords as prefixes
}

TEST(Parser, ConditionFunctions) {
  EXPECT_EQ(cond_of("count(x) == distinct(y)"), "(== (count x) (distinct y))");
  EXPECT_EQ(cond_of("sum(x) > first(x) + last ( x )"), "(> (sum x) (+ (first x) (last x)))");
  EXPECT_EQ(cond_of("min(x) <= max(x)"), "(<= (min x) (max x))");
  EXPECT_EQ(cond_of("min(a, b + 1, 3) < max(a, 2)"), "(< (min a (+ b 1) 3) (max a 2))");
}

TEST(Parser, OutcomeClassesMustSeeAndRequire) {
  ParseResult r = parse_ok(
      "outcome x == 1 ACCEPTABLE \"one\"\noutcome x == 2 INTERESTING \"two\" must-see\n"
      "outcome x >= 3 FORBIDDEN \"many\"\nrequire count(x) == 1 \"exactly once\" # c\n");
  const auto& o = r.file.outcomes;
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].cls, OutcomeClass::acceptable);
  EXPECT_EQ(o[1].cls, OutcomeClass::interesting);
  EXPECT_TRUE(o[1].must_see);
  EXPECT_EQ(o[1].description, "two");
  EXPECT_EQ(o[2].cls, OutcomeClass::forbidden);
  EXPECT_EQ(to_string(o[2].cls), "FORBIDDEN");
  EXPECT_EQ(o[2].loc.to_string(), "t.expect:5:1");
  ASSERT_EQ(r.file.requirements.size(), 1u);
  EXPECT_EQ(tree(r.file.requirements[0].cond), "(== (count x) 1)");
  EXPECT_EQ(r.file.requirements[0].description, "exactly once");
  EXPECT_EQ(r.file.requirements[0].source, "count(x) == 1");
}

TEST(Parser, SmallToStrings) {
  EXPECT_EQ(to_string(CmpOp::eq), "==");
  EXPECT_EQ(to_string(CmpOp::ne), "!=");
  EXPECT_EQ(to_string(CmpOp::lt), "<");
  EXPECT_EQ(to_string(CmpOp::le), "<=");
  EXPECT_EQ(to_string(CmpOp::gt), ">");
  EXPECT_EQ(to_string(CmpOp::ge), ">=");
  EXPECT_EQ(to_string(CmpOp::in_range), "in");
  EXPECT_EQ(to_string(OutcomeClass::acceptable), "ACCEPTABLE");
  EXPECT_EQ(to_string(OutcomeClass::interesting), "INTERESTING");
  EXPECT_EQ((SourceLoc{"f.expect", 3, 7}.to_string()), "f.expect:3:7");
  EXPECT_EQ((ParseError{SourceLoc{"f", 1, 2}, "expected x, found y"}.to_string()), "f:1:2: expected x, found y");
  EXPECT_EQ((Matcher{Matcher::Kind::exact, "a\x01", {}, {}}.to_string()), "\"a\\x01\"");
  EXPECT_EQ((EventRef{EventRef::Kind::label, "x", true}.to_string()), "@x.last");
}

// ---- errors: exact text ----------------------------------------------------------------------

struct ErrorCase {
  const char* body;     // after "scenario: s\nmodel: m\n": body line 1 is file line 3
  const char* message;  // the whole error, location included
};

class ParserError : public testing::TestWithParam<ErrorCase> {};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << testing::PrintToString(std::string(c.body)); }

// "3_exit_signal_FOO": the row's index and its body.
std::string error_case_name(const testing::TestParamInfo<ErrorCase>& info) {
  return conkit::testing_names::param_name(std::to_string(info.index), info.param.body);
}

TEST_P(ParserError, ExactMessage) { EXPECT_EQ(only_error(GetParam().body), GetParam().message); }

INSTANTIATE_TEST_SUITE_P(
    Headers, ParserError,
    testing::Values(
        ErrorCase{"colour: red\n",
                  "t.expect:3:1: expected a header key (scenario, model, claims, exit, timeout, repeat, "
                  "timing, marker, race, race-match, deflake, env, inherit, run, sanitizer-options, memory-limit, "
                  "process-limit, cpu-limit, output-limit, strays, stdio), found 'colour'"},
        ErrorCase{"memory-limit: lots\n",
                  "t.expect:3:15: expected a size such as 512KiB, 64MiB or 2GiB, found 'lots'"},
        ErrorCase{"strays: maybe\n", "t.expect:3:9: expected 'allowed' or 'forbidden', found 'maybe'"},
        ErrorCase{"run: case/x\n",
                  "t.expect:3:10: expected a program or argument (letters, digits, '_', '-', '.'), found '/'"},
        ErrorCase{"run:\n",
                  "t.expect:3:5: expected a program or argument (letters, digits, '_', '-', '.'), found end of line"},
        ErrorCase{"model: n\n",
                  "t.expect:3:1: expected each header once, found a second 'model:' (first at line 2)"},
        ErrorCase{"exit: 256\n", "t.expect:3:7: expected an exit code, any, nonzero or signal (0..255), found '256'"},
        ErrorCase{"exit: 0 66\n", "t.expect:3:9: expected end of line, found '66'"},
        ErrorCase{"exit: signal FOO\n",
                  "t.expect:3:14: expected a signal name (TERM, SIGKILL, ...) or number, found 'FOO'"},
        ErrorCase{"exit: signal 65\n", "t.expect:3:14: expected a signal number (1..64), found '65'"},
        ErrorCase{"timeout: 30\n", "t.expect:3:12: expected a unit (u, ms or s) after the number, found end of line"},
        ErrorCase{"timeout: 3min\n", "t.expect:3:11: expected a unit (u, ms or s), found 'min'"},
        ErrorCase{"timeout: 0s\n", "t.expect:3:10: expected a positive duration, found '0s'"},
        ErrorCase{"repeat: 0\n", "t.expect:3:9: expected a number of runs or a duration (1..1000000), found '0'"},
        ErrorCase{"repeat: 1.5\n", "t.expect:3:9: expected a number of runs or a duration, found '1.5'"},
        ErrorCase{"timing: mean\n", "t.expect:3:9: expected 'all' or 'median', found 'mean'"},
        ErrorCase{"race: maybe\n", "t.expect:3:7: expected 'expected' or 'forbidden', found 'maybe'"},
        ErrorCase{"deflake: -1\n", "t.expect:3:10: expected a number of extra runs, found '-'"},
        ErrorCase{"marker: start\n", "t.expect:3:9: expected '@label', found 'start'"},
        ErrorCase{"env: 1A=b\n", "t.expect:3:6: expected NAME=VALUE, found '1A'"},
        ErrorCase{"env: A b\n", "t.expect:3:8: expected '=' after the variable name, found 'b'"},
        ErrorCase{"env: A=1\nenv: A=2\n", "t.expect:4:6: expected each env name once, found a second 'A'"},
        ErrorCase{"scenario: a b\n",
                  "t.expect:3:1: expected each header once, found a second 'scenario:' (first at line 1)"},
        ErrorCase{"claims:\n", "t.expect:3:8: expected a claim id, found end of line"}),
    error_case_name);

INSTANTIATE_TEST_SUITE_P(
    Output, ParserError,
    testing::Values(
        ErrorCase{"print \"x\"\n",
                  "t.expect:3:1: expected a header or a statement (out, err, merged, out-next, out-same, out-empty, "
                  "out-not, any-order, not, count, report, time, outcome, require), found 'print'"},
        ErrorCase{"out x\n", "t.expect:3:5: expected a matcher (\"string\", ~\"substring\" or /regex/), found 'x'"},
        ErrorCase{"out \"abc\n", "t.expect:3:9: expected '\"' to close the string opened at col 5, found end of line"},
        ErrorCase{"out \"a\\qb\"\n",
                  "t.expect:3:7: expected an escape (\\\" \\\\ \\t \\n \\r \\$ \\xNN), found '\\q'"},
        ErrorCase{"out \"\\x4g\"\n", "t.expect:3:6: expected two hex digits after '\\x', found '\\x4g'"},
        ErrorCase{"out /abc\n", "t.expect:3:9: expected '/' to close the regex opened at col 5, found end of line"},
        ErrorCase{"out //\n", "t.expect:3:5: expected a non-empty regex, found '//'"},
        ErrorCase{"out \"a\" x0\n", "t.expect:3:10: expected a count of lines (1..1000000000000), found '0'"},
        ErrorCase{"out \"a\" x2 x3\n", "t.expect:3:12: expected xCOUNT, @label or end of line, found 'x3'"},
        ErrorCase{"out \"a\" @l junk\n", "t.expect:3:12: expected end of line, found 'junk'"},
        ErrorCase{"out \"a\" @l\nerr \"b\" @l\n",
                  "t.expect:4:9: expected a new label, found '@l' (already defined at line 3)"},
        ErrorCase{"any-order @g {\n out \"a\"\n}\nout \"b\" @g\n",
                  "t.expect:6:9: expected a new label, found '@g' (already defined at line 3)"},
        ErrorCase{"any-order {\n  out \"a\"\n", "t.expect:5:1: expected '}' to close the any-order group opened at line 3, found end of file"},
        ErrorCase{"any-order {\n  not out \"a\"\n  out \"b\"\n}\n",
                  "t.expect:4:3: expected 'out', 'err', 'merged' or '}' in the any-order group opened at line 3, found 'not'"},
        ErrorCase{"any-order {\n  any-order {\n  out \"b\"\n}\n",
                  "t.expect:4:3: expected 'out', 'err', 'merged' or '}' in the any-order group opened at line 3 "
                  "(groups do not nest), found 'any-order'"},
        ErrorCase{"any-order {\n}\n",
                  "t.expect:4:1: expected at least one out/err line in the any-order group opened at line 3, found '}'"},
        ErrorCase{"any-order\n", "t.expect:3:10: expected '{' to open the any-order group, found end of line"},
        ErrorCase{"}\n", "t.expect:3:1: expected a statement, found '}' without an open any-order group or report block"},
        // adjacency, at the keyword
        ErrorCase{"out-next \"a\"\n", "t.expect:3:1: expected a out check before 'out-next' to continue from, found none on its stream"},
        ErrorCase{"out \"a\"\nerr-same \"b\"\n", "t.expect:4:1: expected a err check before 'err-same' to continue from, found none on its stream"},
        ErrorCase{"any-order {\n out \"a\"\n}\nout-empty\n", "t.expect:6:1: expected a out check before 'out-empty' to continue from, found an any-order group"},
        ErrorCase{"out \"a\"\nout-same \"b\" x2\n", "t.expect:4:14: expected @label or end of line, found 'x2'"},
        ErrorCase{"out \"a\"\nout-empty \"b\"\n", "t.expect:4:11: expected xCOUNT, @label or end of line ('out-empty' takes no matcher), found '\"b\"'"},
        ErrorCase{"any-order {\n out-next \"a\"\n out \"ok\"\n}\n",
                  "t.expect:4:2: expected 'out', 'err', 'merged' or '}' in the any-order group opened at line 3 (adjacency and ranged not have no place in a group), found 'out-next'"},
        ErrorCase{"out-sideways \"a\"\n",
                  "t.expect:3:1: expected a header or a statement (out, err, merged, out-next, out-same, out-empty, out-not, any-order, not, count, report, time, outcome, require), found 'out-sideways'"},
        // substrings and captures
        ErrorCase{"out ~\"  \"\n", "t.expect:3:5: expected a non-blank ~\"substring\", found '~\"  \"'"},
        ErrorCase{"out \"x\"\nerr /at ${addr}/\n",
                  "t.expect:4:9: expected a capture bound by an earlier check (a named group (?<addr>...) in an out/err regex), found '${addr}'"},
        ErrorCase{"out \"a ${b}\" \n", "t.expect:3:8: expected a capture bound by an earlier check (a named group (?<b>...) in an out/err regex), found '${b}'"},
        // report
        ErrorCase{"report msan\n", "t.expect:3:8: expected a sanitizer (tsan, asan, lsan, ubsan, ThreadSanitizer, AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer), found 'msan'"},
        ErrorCase{"report tsan x0\n", "t.expect:3:14: expected a number of reports (1..1000000), found '0'"},
        ErrorCase{"report tsan x3..2\n", "t.expect:3:17: expected A <= B in xA..B, found 3..2"},
        ErrorCase{"report tsan \"data race\" often\n", "t.expect:3:25: expected xCOUNT, match, '{' or end of line, found 'often'"},
        ErrorCase{"report asan {\n out \"a\"\n err \"ok\"\n}\n",
                  "t.expect:4:2: expected an err check (err, err-next, err-same, err-empty, err-not), any-order or '}' in the report block opened at line 3 (a report is stderr text), found 'out'"},
        ErrorCase{"report asan {\n err-next \"a\"\n err \"ok\"\n}\n", "t.expect:4:2: expected a err check before 'err-next' to continue from, found the start of the report block"},
        ErrorCase{"report asan {\n err \"a\" @x\n err \"ok\"\n}\n", "t.expect:4:10: expected no label in a report block (its lines are no events), found '@x'"},
        ErrorCase{"report asan {\n exit: 1\n err \"ok\"\n}\n", "t.expect:4:2: expected an err check or '}' in the report block opened at line 3, found a header"},
        ErrorCase{"report asan {\n}\n", "t.expect:4:1: expected at least one err check in the report block opened at line 3, found '}'"},
        ErrorCase{"report lsan {\n err \"a\"\n", "t.expect:5:1: expected '}' to close the report block opened at line 3, found end of file"},
        // sanitizer-options
        ErrorCase{"sanitizer-options: msan a=1\n", "t.expect:3:20: expected a sanitizer (tsan, asan, lsan, ubsan), found 'msan'"},
        ErrorCase{"sanitizer-options: tsan\n", "t.expect:3:24: expected a sanitizer option KEY=VALUE, found end of line"},
        ErrorCase{"sanitizer-options: tsan a=1 b\n", "t.expect:3:29: expected a sanitizer option KEY=VALUE, found 'b'"},
        ErrorCase{"sanitizer-options: tsan a=\n", "t.expect:3:27: expected a value after 'a=', found end of line"},
        ErrorCase{"not \"x\"\n", "t.expect:3:5: expected 'out', 'err' or 'merged' after 'not', found '\"x\"'"},
        ErrorCase{"count out /x/ = 2\n",
                  "t.expect:3:15: expected a comparison (==, !=, <=, >=, <, >, in A..B), found '='"},
        ErrorCase{"count out /x/ in 5..2\n", "t.expect:3:21: expected A <= B in A..B, found 5..2"},
        ErrorCase{"count out /x/ in 5\n", "t.expect:3:19: expected '..' in A..B, found end of line"},
        ErrorCase{"count out /x/ == $\n", "t.expect:3:19: expected a fact name after '$', found end of line"},
        ErrorCase{"marker: @nowhere\n",
                  "t.expect:3:9: expected an output label defined in this file, found '@nowhere'"}),
    error_case_name);

INSTANTIATE_TEST_SUITE_P(
    Time, ParserError,
    testing::Values(
        ErrorCase{"time soon <= 2\n",
                  "t.expect:3:6: expected an event (@label, @label.first, @label.last, start or end), found 'soon'"},
        ErrorCase{"time @a.middle <= 2\n", "t.expect:3:9: expected 'first' or 'last' after '.', found 'middle'"},
        ErrorCase{"time span start <= 2\n", "t.expect:3:11: expected '@label' after 'span', found 'start'"},
        ErrorCase{"time @a == 2\n", "t.expect:3:9: expected a comparison (<=, >=, <, >, in A..B), found '=='"},
        ErrorCase{"time @a <= 2h\n", "t.expect:3:13: expected a unit (u, ms or s), found 'h'"},
        ErrorCase{"time @a <= fast\n", "t.expect:3:12: expected a number, found 'fast'"},
        ErrorCase{"time @a in 1u..500ms\n",
                  "t.expect:3:16: expected the same kind of unit on both ends (u, or ms/s), found '1u..500ms'"},
        ErrorCase{"time @a in 2..1\n", "t.expect:3:12: expected A <= B in A..B, found '2..1'"},
        ErrorCase{"time @a <= 2 3\n", "t.expect:3:14: expected end of line, found '3'"}),
    error_case_name);

INSTANTIATE_TEST_SUITE_P(
    Conditions, ParserError,
    testing::Values(
        ErrorCase{"outcome x == 1 OK \"d\"\n",
                  "t.expect:3:16: expected ACCEPTABLE, INTERESTING or FORBIDDEN, found 'OK'"},
        ErrorCase{"outcome x == 1 ACCEPTABLE\n", "t.expect:3:26: expected a \"description\", found end of line"},
        ErrorCase{"outcome x ACCEPTABLE \"d\"\n",
                  "t.expect:3:9: expected a condition (a comparison), found the value 'x'"},
        ErrorCase{"outcome x == 1 and y ACCEPTABLE \"d\"\n",
                  "t.expect:3:20: expected a condition (a comparison), found the value 'y'"},
        ErrorCase{"outcome (x == 1) + 2 > 0 ACCEPTABLE \"d\"\n",
                  "t.expect:3:9: expected a value, found the condition '(x == 1)'"},
        ErrorCase{"outcome 1 < x < 3 ACCEPTABLE \"d\"\n",
                  "t.expect:3:15: expected 'and' or 'or' between comparisons, found '<'"},
        ErrorCase{"outcome avg(x) > 1 ACCEPTABLE \"d\"\n",
                  "t.expect:3:9: expected a function (count, distinct, sum, first, last, min, max), found 'avg'"},
        ErrorCase{"outcome count(1) > 1 ACCEPTABLE \"d\"\n",
                  "t.expect:3:15: expected a fact name as the argument of count(), found '1'"},
        ErrorCase{"outcome sum(a, b) > 1 ACCEPTABLE \"d\"\n", "t.expect:3:14: expected ')' to close sum(, found ','"},
        ErrorCase{"outcome min(a + 1) > 1 ACCEPTABLE \"d\"\n",
                  "t.expect:3:13: expected a fact name or two or more arguments to min(), found 'a + 1'"},
        ErrorCase{"outcome (x == 1 ACCEPTABLE \"d\"\n",
                  "t.expect:3:17: expected ')' to close the '(' at col 9, found 'ACCEPTABLE'"},
        ErrorCase{"outcome x == and ACCEPTABLE \"d\"\n", "t.expect:3:14: expected an operand, found 'and'"},
        ErrorCase{"outcome x == $y ACCEPTABLE \"d\"\n",
                  "t.expect:3:14: expected a number, a \"string\", a fact name, a function call or '(', found '$y'"},
        ErrorCase{"outcome x == 1 ACCEPTABLE \"d\" must-see now\n", "t.expect:3:40: expected end of line, found 'now'"},
        ErrorCase{"require x == 1 \"d\" must-see\n", "t.expect:3:20: expected end of line, found 'must-see'"},
        ErrorCase{"outcome x == 1e5 ACCEPTABLE \"d\"\n", "t.expect:3:15: expected an operator, found 'e5'"}),
    error_case_name);

TEST(ParserErrors, InvalidRegexAtItsColumnWithTheLibraryMessage) {
  std::string e = only_error("out \"a\"\nnot err /(unclosed/\n");
  EXPECT_EQ(e.rfind("t.expect:4:9: expected a valid Perl regex, found /(unclosed/: ", 0), 0u) << e;
  EXPECT_NE(e.find("parenthesis"), std::string::npos) << e;  // boost::regex's own words
}

TEST(ParserErrors, MissingScenarioAndModelPointAtLineOne) {
  ParseResult r = parse_expect("out \"x\"\n", "m.expect");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].to_string(), "m.expect:1:1: expected a 'scenario:' header, found end of file");
  EXPECT_EQ(r.errors[1].to_string(), "m.expect:1:1: expected a 'model:' header, found end of file");
  EXPECT_EQ(parse_expect("", "e").errors.size(), 2u);
}

TEST(ParserErrors, CollectsOneErrorPerLineAndContinues) {
  ParseResult r = parse_expect(kHead + "bogus\nout \"ok\"\ntime ? <= 1\nout /(/\nout \"fine\" @f\n", "c");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].loc.line, 3);
  EXPECT_EQ(r.errors[1].loc.line, 5);
  EXPECT_EQ(r.errors[2].loc.line, 6);
  EXPECT_EQ(r.file.steps.size(), 2u);  // the good lines still parse
}

TEST(ParserErrors, CappedAtFifty) {
  std::string text = kHead;
  for (int i = 0; i < 500; ++i) text += "nonsense\n";
  EXPECT_EQ(parse_expect(text, "c").errors.size(), 50u);
}

TEST(ParserErrors, MissingFileIsOneErrorAtLineZero) {
  ParseResult r = parse_expect_file("/nonexistent/dir/x.expect");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(), "/nonexistent/dir/x.expect:0:0: cannot read file: No such file or directory");
  ParseResult d = parse_expect_file("/");
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].to_string(), "/:0:0: cannot read file: Is a directory");
}

// ---- hostile input -------------------------------------------------------------------------

TEST(ParserRobustness, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "outcome " + std::string(100000, '(') + "x == 1" + std::string(100000, ')') +
                     " ACCEPTABLE \"d\"\n";
  std::string e = only_error(deep);
  EXPECT_NE(e.find("expected at most 64 levels of nesting, found more"), std::string::npos) << e;
  EXPECT_NE(only_error("outcome " + std::string(100000, '-') + "x == 1 ACCEPTABLE \"d\"\n")
                .find("levels of nesting"), std::string::npos);
  EXPECT_NE(only_error("outcome " + std::string(3000, 'n').replace(0, 3000, [] {
                         std::string s;
                         for (int i = 0; i < 1000; ++i) s += "not ";
                         return s;
                       }()) + "x == 1 ACCEPTABLE \"d\"\n")
                .find("levels of nesting"), std::string::npos);
  std::string wide = "outcome x";
  for (int i = 0; i < 100000; ++i) wide += " + x";
  EXPECT_NE(only_error(wide + " == 1 ACCEPTABLE \"d\"\n").find("levels deep"), std::string::npos);
}

TEST(ParserRobustness, HugeNumbers) {
  std::string big(400, '9');
  EXPECT_EQ(only_error("repeat: " + big + "\n").rfind("t.expect:3:9: expected a number of a sane size", 0), 0u);
  EXPECT_EQ(only_error("time @a <= " + big + "\n"),
            "t.expect:3:12: expected a number of a sane size, found '" + std::string(32, '9') + "...'");
  EXPECT_EQ(only_error("out \"a\" x" + big + "\n").rfind("t.expect:3:10: expected a count of lines", 0), 0u);
  EXPECT_EQ(only_error("exit: 99999999999999999999\n").rfind("t.expect:3:7: expected an exit code", 0), 0u);
}

TEST(ParserRobustness, NulBytesAndInvalidUtf8) {
  std::string nul = std::string("out \"a\0b\" x2\n", 13);
  ParseResult r = parse_ok(nul);
  ASSERT_EQ(r.file.steps.size(), 1u);
  EXPECT_EQ(line_step(r.file, 0).matcher.text, std::string("a\0b", 3));
  EXPECT_EQ(line_step(r.file, 0).matcher.to_string(), "\"a\\x00b\"");
  EXPECT_EQ(only_error(std::string("\0\xff\xfe\n", 4)),
            "t.expect:3:1: expected a header or a statement (out, err, merged, out-next, out-same, out-empty, "
            "out-not, any-order, not, count, report, time, outcome, require), found '\\x00'");
  EXPECT_EQ(line_step(parse_ok("out \"\xc3\xa9\xff\"\n").file, 0).matcher.text, "\xc3\xa9\xff");
}

// Random mutations of a valid file: the parser must answer every one (the fuzz target goes much
// further under ASan; this keeps a quick guard in every build).
TEST(ParserRobustness, RandomMutationsNeverThrow) {
  const std::string seed = kHead +
                           "exit: 0, 66\ntimeout: 2s\nout \"a\\x41\" x2 @a\nany-order @g {\n out /b\\/c/\n}\n"
                           "time @g.last - @a in 1..2u\noutcome min(a, b) == max(c) or not (d > 1) "
                           "ACCEPTABLE \"d\" must-see\n";
  const std::string alphabet = "\"/\\@$(){}#:.,-+*<>=!xu 0123456789\n\r\t\0azAZ\xff";
  std::mt19937 rng(12345);
  for (int i = 0; i < 3000; ++i) {
    std::string text = seed;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < edits; ++k) {
      std::size_t at = rng() % (text.size() + 1);
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: text.insert(at, 1, c); break;
        case 1: if (at < text.size()) text.erase(at, 1); break;
        default: if (at < text.size()) text[at] = c; break;
      }
    }
    ParseResult r;
    EXPECT_NO_THROW(r = parse_expect(text, "rand"));
    for (auto& e : r.errors) {
      ASSERT_EQ(e.to_string().rfind("rand:", 0), 0u);
      ASSERT_NE(e.message.find("expected"), std::string::npos) << e.to_string();
    }
  }
}

// ---- the format document ---------------------------------------------------------------------

// Every complete example in docs/expected-format.md (a fenced block with a scenario header) parses.
TEST(DocumentedExamples, EveryFullExampleParses) {
  std::ifstream in(std::string(CONKIT_SOURCE_DIR) + "/docs/expected-format.md");
  ASSERT_TRUE(in) << "docs/expected-format.md is missing";
  std::string line, block;
  bool inside = false;
  int examples = 0, block_line = 0, lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.rfind("```", 0) == 0) {
      if (inside && ("\n" + block).find("\nscenario:") != std::string::npos) {
        ++examples;
        // Named so that an error's line is (line in the block) - 1 + block_line.
        ParseResult r = parse_expect(block, "expected-format.md, block at line " + std::to_string(block_line));
        for (auto& e : r.errors) ADD_FAILURE() << e.to_string();
      }
      inside = line == "```" && !inside;
      block.clear();
      block_line = lineno + 1;
      continue;
    }
    if (inside) block += line + "\n";
  }
  EXPECT_GE(examples, 3);  // the opening example and the two under "More examples"
}

// ---- the shipped expected files --------------------------------------------------------------

TEST(ShippedFiles, EveryExpectedFileParses) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(CONKIT_SOURCE_DIR) / "expected";
  std::size_t parsed = 0;
  std::set<std::string> seen;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".expect") continue;
    ParseResult r = parse_expect_file(it->path().string());
    ++parsed;
    seen.insert(fs::weakly_canonical(it->path()).string());
    for (auto& e : r.errors) ADD_FAILURE() << e.to_string();
    EXPECT_FALSE(r.file.scenario.empty()) << it->path();
    EXPECT_FALSE(r.file.proves.empty()) << it->path() << ": opens with no comment saying what a pass proves";
  }
  ASSERT_FALSE(ec) << root << ": " << ec.message();
  std::cout << "[          ] parsed " << parsed << " shipped expected files\n";
  // It parsed the files the shipped cases are graded against (the build's case manifest lists
  // them), so an empty or moved expected/ fails here instead of passing with nothing parsed.
  std::ifstream manifest(std::string(CONKIT_BINARY_DIR) + "/conkit-cases.json");
  ASSERT_TRUE(manifest) << "no case manifest conkit-cases.json in the build tree";
  const nlohmann::json cases = nlohmann::json::parse(manifest).at("cases");
  std::set<std::string> registered;
  for (const auto& c : cases)
    registered.insert(fs::weakly_canonical(c.at("expect").get<std::string>()).string());
  EXPECT_FALSE(registered.empty());
  for (const auto& path : registered) EXPECT_EQ(seen.count(path), 1u) << path << ": a case's file, not parsed";
}

// The sanitizer-report cases' files and the fuzzer's seeds (all but the one made of errors) parse.
TEST(ShippedFiles, ReportCasesAndFuzzSeedsParse) {
  namespace fs = std::filesystem;
  std::size_t parsed = 0;
  for (const char* dir : {"tests/sanitizer_reports", "tests/fuzz/seeds"})
    for (const auto& entry : fs::directory_iterator(fs::path(CONKIT_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".expect" || entry.path().filename() == "errors.expect") continue;
      ParseResult r = parse_expect_file(entry.path().string());
      ++parsed;
      for (auto& e : r.errors) ADD_FAILURE() << e.to_string();
    }
  EXPECT_GE(parsed, 7u);
}

}  // namespace
}  // namespace conkit
