// report_test.cpp — the renderings of a CaseResult: the annotated transcript shows times,
// annotations, where matching stopped and by how much a bound was missed; the JSON carries the raw
// data back intact; the JUnit XML is well-formed and escaped.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "conkit/report.hpp"
#include "expect_support.hpp"
#include "../harness/src/fact_parse.hpp"  // private: tested against nlohmann::json

#include "common/text.hpp"

namespace conkit {
namespace {

using test_support::out;

ExpectFile parse(const std::string& body) { return test_support::parse_case("concurrent_fetch", "async", body); }

// A case whose one run fails twice: the closing line never comes, and the fetches took 2.01u
// where at most 1.5u was allowed.
const char* kBody =
    "out \"Starting\" @start\n"                                  // line 3
    "any-order @fetching {\n"                                    // line 4
    "  out \"Fetching data...\" x2\n"                            // line 5
    "}\n"                                                        // line 6
    "out \"Data fetched!\" x2 @fetched\n"                        // line 7
    "out \"Async tasks completed!\"\n"                           // line 8
    "time @fetched.last - @fetching.first in 1..1.5\n";          // line 9

CaseResult failing_case() {
  CaseResult c;
  c.expect = parse(kBody);
  c.name = "concurrent_fetch/async";
  c.expect_path = "t.expect";
  c.unit_ms = 100;
  c.wall_ms = 412;
  RunResult r;
  r.lines = {out(0.5, "Starting"),       out(103.2, "Fetching data..."), out(103.4, "Fetching data..."),
             out(250, "Data fetched!"),  out(304.5, "Data fetched!"),    out(305, "Async tasks failed")};
  r.end_ms = 306;
  r.wall_ms = 307;
  r.exit_code = 0;
  GradeOptions o;
  o.unit_ms = 100;
  c.grades.push_back(grade_run(c.expect, r, o));
  c.runs.push_back(r);
  c.status = c.grades[0].status;
  c.reason = "run 1: failed";
  return c;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// `text` shows each of `parts`.
void expect_contains_all(const std::string& text, std::initializer_list<std::string> parts) {
  for (const auto& p : parts) EXPECT_TRUE(contains(text, p)) << p;
}

// ---- text ---------------------------------------------------------------------------------------

TEST(ReportText, SummaryLine) {
  CaseResult c = failing_case();
  ASSERT_EQ(c.status, Status::fail);
  std::string s = render_text(c, false);
  EXPECT_EQ(s, "FAIL  concurrent_fetch/async  1 run  412 ms  (u=100ms)\n      run 1: failed\n");
}

TEST(ReportText, TranscriptShowsTimesAnnotationsStopAndMiss) {
  CaseResult c = failing_case();
  std::string s = render_text(c, true);
  SCOPED_TRACE(s);
  expect_contains_all(s, {"[  103.2 ms  1.03u] out| Fetching data...", "<- out @fetching 1/2 (t.expect:5)",
                          "<- out @fetching 2/2 (t.expect:5)", "<- out @fetched 2/2 (t.expect:7)"});
  // The stop marker sits just above the line where the search for the closing line began.
  const auto marker = s.find("v matching stopped here: t.expect:8:");
  const auto stopped_line = s.find("out| Async tasks failed");
  ASSERT_NE(marker, std::string::npos);
  ASSERT_NE(stopped_line, std::string::npos);
  EXPECT_LT(marker, stopped_line);
  EXPECT_EQ(s.substr(marker, stopped_line - marker).find("Data fetched!"), std::string::npos);
  // The broken bound, with bound, measured value and miss in units and in ms.
  EXPECT_TRUE(contains(s, "t.expect:9:"));
  EXPECT_TRUE(contains(s, "measured 2.01u (201.3 ms), bound <= 1.5u (150 ms), missed by 0.51u (51.3 ms)"));
}

TEST(ReportText, PassingRunsHaveNoTranscript) {
  CaseResult c = failing_case();
  c.grades[0] = RunGrade{};
  c.status = Status::pass;
  c.reason.clear();
  std::string s = render_text(c, true);
  EXPECT_EQ(s, "PASS  concurrent_fetch/async  1 run  412 ms  (u=100ms)\n");
}

TEST(ReportText, OutcomeSanitizerAndUnprintableBytes) {
  CaseResult c;
  c.expect = parse("exit: any\noutcome counter == expected ACCEPTABLE \"exact\"\n"
                   "outcome counter < expected FORBIDDEN \"lost increments\"\n");
  c.name = "shared_counter/threads";
  RunResult r;
  r.lines = {out(1, std::string("bell\x07 and \xff")), Line{Stream::err, 2, "WARNING: ThreadSanitizer: data race"}};
  SanitizerReport rep;
  rep.tool = "ThreadSanitizer";
  rep.kind = "data race";
  rep.location = "global 'counter'";
  rep.first_line = rep.last_line = 1;
  rep.text = r.lines[1].text;
  r.sanitizer_reports = {rep};
  Fact counter;
  counter.name = "counter";
  counter.number = 1998;
  counter.value_json = "1998";
  Fact expected = counter;
  expected.name = "expected";
  expected.number = 2000;
  expected.value_json = "2000";
  r.facts = {counter, expected};
  c.grades.push_back(grade_run(c.expect, r, GradeOptions{}));
  c.runs.push_back(r);
  c.status = c.grades[0].status;
  std::string s = render_text(c, true);
  SCOPED_TRACE(s);
  expect_contains_all(s, {"outcome: FORBIDDEN \"lost increments\" (t.expect:5:", "counter=1998 expected=2000",
                          "sanitizer: ThreadSanitizer: data race at global 'counter' (lines 2..2)",
                          "unexpected ThreadSanitizer report", escape_for_display(std::string("bell\x07 and \xff"))});
  EXPECT_FALSE(contains(s, "\x07"));
}

// ---- JSON ---------------------------------------------------------------------------------------

TEST(ReportJson, RoundTripsKeyFields) {
  CaseResult c = failing_case();
  c.runs[0].lines.push_back(out(306, std::string("raw \xff\xfe bytes")));
  Fact f;
  f.name = "tid";
  f.number = 4711;
  f.value_json = "4711";
  f.t_ms = 12.5;
  f.inner_ms = 12.25;
  c.runs[0].facts.push_back(f);
  const std::string text = to_json({c}).dump(2);  // must not throw on the invalid UTF-8 line
  const auto j = nlohmann::json::parse(text);
  ASSERT_EQ(j.at("cases").size(), 1u);
  const auto& jc = j["cases"][0];
  EXPECT_EQ(jc["name"], "concurrent_fetch/async");
  EXPECT_EQ(jc["status"], "FAIL");
  EXPECT_EQ(jc["unit_ms"], 100.0);
  EXPECT_EQ(jc["expect"]["scenario"], "concurrent_fetch");
  ASSERT_EQ(jc["runs"].size(), 1u);
  const auto& run = jc["runs"][0];
  EXPECT_EQ(run["ending"], "exited");
  EXPECT_EQ(run["exit_code"], 0);
  ASSERT_EQ(run["lines"].size(), 7u);
  EXPECT_EQ(run["lines"][1]["text"], "Fetching data...");
  EXPECT_EQ(run["lines"][1]["stream"], "out");
  EXPECT_DOUBLE_EQ(run["lines"][1]["t_ms"].get<double>(), 103.2);
  EXPECT_EQ(run["lines"][6]["hex"], "72617720fffe206279746573");  // the exact bytes survive
  EXPECT_EQ(run["facts"][0]["name"], "tid");
  EXPECT_EQ(run["facts"][0]["value"], 4711);
  EXPECT_DOUBLE_EQ(run["facts"][0]["inner_ms"].get<double>(), 12.25);
  const auto& g = run["grade"];
  EXPECT_EQ(g["status"], "FAIL");
  ASSERT_EQ(g["failures"].size(), c.grades[0].failures.size());
  EXPECT_EQ(g["failures"][0]["message"], c.grades[0].failures[0].message);
  EXPECT_EQ(g["failures"][0]["loc"]["line"], c.grades[0].failures[0].loc.line);
  EXPECT_EQ(g["stopped_at"], 5);
  ASSERT_EQ(g["times"].size(), 1u);
  EXPECT_NEAR(g["times"][0]["ms"].get<double>(), 201.3, 1e-9);
  EXPECT_EQ(g["times"][0]["ok"], false);
  EXPECT_NEAR(g["times"][0]["miss_ms"].get<double>(), 51.3, 1e-9);
  EXPECT_DOUBLE_EQ(g["times"][0]["bound_hi_ms"].get<double>(), 150);
  bool found = false;
  for (const auto& a : g["annotations"])
    if (a["line"] == 1) found = a["notes"][0] == "out @fetching 1/2 (t.expect:5)";
  EXPECT_TRUE(found);
}

// ---- JUnit --------------------------------------------------------------------------------------

// A tiny well-formedness check: tags balance, text has no raw '<', every '&' starts a known
// entity, and no character XML 1.0 forbids appears.
::testing::AssertionResult well_formed(const std::string& x) {
  std::vector<std::string> open;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(x[i]);
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
      return ::testing::AssertionFailure() << "control character at " << i;
    if (c == '&') {
      static const char* entities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#10;", "&#13;", "&#9;"};
      bool ok = false;
      for (const char* e : entities) ok = ok || x.compare(i, std::strlen(e), e) == 0;
      if (!ok) return ::testing::AssertionFailure() << "bare & at " << i;
    }
    if (c != '<') continue;
    const std::size_t end = x.find('>', i);
    if (end == std::string::npos) return ::testing::AssertionFailure() << "unclosed tag at " << i;
    std::string tag = x.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string::npos) return ::testing::AssertionFailure() << "'<' inside a tag at " << i;
    i = end;
    if (tag[0] == '?') continue;
    if (tag.back() == '/') continue;
    const std::string name = tag.substr(tag[0] == '/' ? 1 : 0, tag.find(' ') - (tag[0] == '/' ? 1 : 0));
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name)
        return ::testing::AssertionFailure() << "</" << name << "> closes " << (open.empty() ? "nothing" : open.back());
      open.pop_back();
    } else {
      open.push_back(name);
    }
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> never closed";
  return ::testing::AssertionSuccess();
}

TEST(ReportJunit, WellFormedEscapedWithFailureAndSkipped) {
  CaseResult fail = failing_case();
  fail.name = "weird <&\"> name";
  fail.runs[0].lines.push_back(out(400, std::string("ctl \x01\x1b[0m and bad \xff utf8 & <tags>")));
  fail.grades[0].annotations.add(6, "x");
  CaseResult skip;
  skip.name = "spawn_overhead/processes";
  skip.status = Status::skip;
  skip.reason = "needs 2 cores";
  CaseResult pass;
  pass.name = "worker_join/threads";
  pass.status = Status::pass;
  const std::string x = to_junit({fail, skip, pass}, "conkit & co");
  SCOPED_TRACE(x);
  EXPECT_TRUE(well_formed(x));
  EXPECT_TRUE(contains(x, "name=\"weird &lt;&amp;&quot;&gt; name\""));
  EXPECT_TRUE(contains(x, "name=\"conkit &amp; co\""));
  EXPECT_TRUE(contains(x, "tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""));
  EXPECT_TRUE(contains(x, "<failure type=\"FAIL\" message=\"run 1: failed\">"));
  EXPECT_TRUE(contains(x, "<skipped message=\"needs 2 cores\"/>"));
  // Exactly one failure element (the passing and skipped cases have none).
  EXPECT_EQ(x.find("<failure"), x.rfind("<failure"));
  EXPECT_TRUE(contains(x, "missed by 0.51u (51.3 ms)"));  // the transcript is the failure's body
}

TEST(ReportJunit, EveryFailingStatusIsAFailure) {
  for (Status s : {Status::fail, Status::flaky, Status::timeout, Status::crash, Status::flood, Status::error,
                   Status::invalid}) {
    CaseResult c;
    c.name = "c";
    c.status = s;
    const std::string x = to_junit({c}, "suite");
    EXPECT_TRUE(well_formed(x)) << x;
    EXPECT_TRUE(contains(x, "<failure type=\"" + to_string(s) + "\"")) << x;
  }
}

// ---- write_file ---------------------------------------------------------------------------------

// The one escaper of the JUnit, claims and HTML reports (common/text.hpp).
TEST(ReportEscaping, XmlEntitiesControlsAndBytesThatAreNotUtf8) {
  EXPECT_EQ(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
  EXPECT_EQ(xml_escape("l1\nl2\tx\r"), "l1\nl2\tx&#13;");       // text keeps newlines and tabs
  EXPECT_EQ(xml_escape("l1\nl2\t", true), "l1&#10;l2&#9;");      // attributes do not
  EXPECT_EQ(xml_escape("bell\x07"), "bell\\x07");                // XML 1.0 cannot carry C0 controls
  EXPECT_EQ(xml_escape("caf\xc3\xa9 \xff"), "caf\xc3\xa9 \\xff");  // not UTF-8: the bad byte shown escaped
  EXPECT_EQ(xml_escape("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(ReportWriteFile, CreatesParentsAndFailsLoudly) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "conkit-report-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::filesystem::path dir = tmpl;
  const auto path = dir / "a" / "b" / "out.json";
  write_file(path.string(), "{\"x\": 1}\n");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "{\"x\": 1}\n");
  EXPECT_THROW(write_file((dir / "a" / "b" / "out.json" / "below-a-file").string(), "x"), std::runtime_error);
  std::filesystem::remove_all(dir);
}


// ---- bounded reports ---------------------------------------------------------------------------

// 1000 lines "line <i>"; matching stops at line 501 (index), where "never" was expected.
CaseResult long_failing_case() {
  CaseResult c;
  c.expect = parse("out \"line 500\"\nout \"never\"\n");
  c.name = "long/run";
  RunResult r;
  for (int i = 0; i < 1000; ++i) r.lines.add(Stream::out, i * 0.1, "line " + std::to_string(i));
  r.exit_code = 0;
  c.grades.push_back(grade_run(c.expect, r, GradeOptions{}));
  c.runs.push_back(r);
  c.status = c.grades[0].status;
  return c;
}

TEST(ReportBounds, FailuresDumpShowsTheEndsAndTheLinesAroundTheFailure) {
  CaseResult c = long_failing_case();
  ASSERT_EQ(c.grades[0].stopped_at, 501u);
  std::string s = render_text(c, true);
  for (int i : {0, 4, 498, 500, 504, 995, 999}) EXPECT_TRUE(contains(s, "out| line " + std::to_string(i) + "\n") ||
                                                           contains(s, "out| line " + std::to_string(i) + " ")) << i;
  for (int i : {5, 250, 497, 505, 994}) EXPECT_FALSE(contains(s, "out| line " + std::to_string(i) + "\n")) << i;
  EXPECT_TRUE(contains(s, "... 493 lines not shown"));  // 5..497
  EXPECT_TRUE(contains(s, "... 490 lines not shown"));  // 505..994
  EXPECT_TRUE(contains(s, "v matching stopped here"));

  ReportOptions all;
  all.dump = Dump::all;
  std::string every = render_text(c, true, all);
  EXPECT_TRUE(contains(every, "out| line 250\n"));
  EXPECT_FALSE(contains(every, "not shown"));

  ReportOptions none;
  none.dump = Dump::none;
  std::string findings = render_text(c, true, none);
  EXPECT_FALSE(contains(findings, "out| "));
  EXPECT_TRUE(contains(findings, "never"));  // the finding is still there
}

TEST(ReportBounds, ALongLineIsCutWithItsLengthShown) {
  CaseResult c = failing_case();
  c.runs[0].lines.push_back(out(400, std::string(10000, 'a')));
  std::string s = render_text(c, true);
  EXPECT_TRUE(contains(s, std::string(4096, 'a') + " [... cut: the line has 10000 bytes]"));
  EXPECT_FALSE(contains(s, std::string(4097, 'a')));
}

TEST(ReportBounds, JsonKeepsLinesUpToTheLimitAndSaysHowManyItLeftOut) {
  CaseResult c = long_failing_case();
  ReportOptions o;
  o.keep_lines = 100;
  auto run = to_json({c}, o)["cases"][0]["runs"][0];
  EXPECT_EQ(run["lines"].size(), 100u);
  EXPECT_EQ(run["lines_total"], 1000);
  EXPECT_EQ(run["lines_left_out"], 900);
  std::set<int> kept;
  for (const auto& l : run["lines"]) {
    kept.insert(l["i"].get<int>());
    EXPECT_EQ(l["text"], "line " + std::to_string(l["i"].get<int>()));
  }
  for (int i : {0, 9, 498, 501, 504, 990, 999}) EXPECT_TRUE(kept.count(i)) << i;  // head, failure, tail
  for (const auto& a : run["grade"]["annotations"]) EXPECT_TRUE(kept.count(a["line"].get<int>()));
  EXPECT_TRUE(kept.count(500));  // the annotated line "line 500"

  o.keep_lines = ReportOptions::kAllLines;
  run = to_json({c}, o)["cases"][0]["runs"][0];
  EXPECT_EQ(run["lines"].size(), 1000u);
  EXPECT_EQ(run["lines_left_out"], 0);
}

TEST(ReportBounds, SparseAnnotationsKeepEachLinesNotesInOrder) {
  Annotations a;
  auto form = a.numbered("out @tick ", "/3 (t.expect:3)");
  a.add_numbered(7, form, 2);
  a.add(2, "not out (t.expect:5) FORBIDDEN", true);
  a.add_numbered(2, form, 1);
  a.add(7, "expected data race");
  for (bool sealed : {false, true}) {
    if (sealed) a.seal();
    EXPECT_EQ(a.at(2), (std::vector<std::string>{"not out (t.expect:5) FORBIDDEN", "out @tick 1/3 (t.expect:3)"}));
    EXPECT_EQ(a.at(7), (std::vector<std::string>{"out @tick 2/3 (t.expect:3)", "expected data race"}));
    EXPECT_TRUE(a.at(3).empty());
    EXPECT_EQ(a.lines(), (std::vector<std::size_t>{2, 7}));
    EXPECT_EQ(a.problem_lines(), (std::vector<std::size_t>{2}));
    EXPECT_TRUE(a.has_problem(2));
    EXPECT_FALSE(a.has_problem(7));
  }
  // Another set's notes appended after these: forms are copied, problem flags kept.
  Annotations b;
  auto other = b.numbered("err ", "/2 (t.expect:9)");
  b.add_numbered(2, other, 2);
  b.add(9, "UNEXPECTED ThreadSanitizer report", true);
  a.append(b);
  a.seal();
  EXPECT_EQ(a.at(2), (std::vector<std::string>{"not out (t.expect:5) FORBIDDEN", "out @tick 1/3 (t.expect:3)",
                                               "err 2/2 (t.expect:9)"}));
  EXPECT_EQ(a.problem_lines(), (std::vector<std::size_t>{2, 9}));
  EXPECT_EQ(a.notes(), 6u);
  // Rendered, several notes of one line are joined in that order.
  CaseResult c = failing_case();
  c.grades[0].annotations.add(1, "second note");
  c.grades[0].annotations.seal();
  EXPECT_TRUE(contains(render_text(c, true), "<- out @fetching 1/2 (t.expect:5); second note"));
}

TEST(ReportBounds, ConsecutiveNotesAreStoredAsOneRun) {
  Annotations a;
  auto form = a.numbered("out ", "/1000 (t.expect:3)");
  for (std::size_t i = 0; i < 1000; ++i) a.add_numbered(10 + i, form, i + 1);  // lines 10..1009
  a.add(500, "not out (t.expect:4) FORBIDDEN", true);                           // inside the run
  for (std::size_t l = 2000; l < 2010; ++l) a.add(l, "x");
  a.add_numbered(2020, form, 7);  // the same form, not the next line: a run of its own
  a.seal();
  EXPECT_EQ(a.notes(), 1012u);
  EXPECT_EQ(a.runs(), 4u);
  using V = std::vector<std::string>;
  EXPECT_EQ(a.at(10), (V{"out 1/1000 (t.expect:3)"}));
  EXPECT_EQ(a.at(500), (V{"out 491/1000 (t.expect:3)", "not out (t.expect:4) FORBIDDEN"}));
  EXPECT_EQ(a.at(1009), (V{"out 1000/1000 (t.expect:3)"}));
  EXPECT_EQ(a.at(2020), (V{"out 7/1000 (t.expect:3)"}));
  EXPECT_TRUE(a.at(9).empty());
  EXPECT_TRUE(a.at(1010).empty());
  EXPECT_TRUE(a.has(2005));
  EXPECT_FALSE(a.has(2010));
  EXPECT_EQ(a.lines().size(), 1000u + 10u + 1u);
  EXPECT_EQ(a.problem_lines(), (std::vector<std::size_t>{500}));
  std::vector<std::size_t> first;
  a.for_each_line([&](std::size_t l) {
    first.push_back(l);
    return first.size() < 3;
  });
  EXPECT_EQ(first, (std::vector<std::size_t>{10, 11, 12}));
}

// ---- the compact stores ------------------------------------------------------------------------

namespace store {

TEST(TranscriptStore, GivesBackEveryLineWithItsStreamStampAndBytes) {
  std::vector<Line> in;
  for (int i = 0; i < 300; ++i) {  // crosses several offset blocks; stamps shared and not
    Stream s = i % 7 == 3 ? Stream::err : Stream::out;
    std::string text = i % 50 == 0 ? std::string() : "line " + std::to_string(i);
    if (i == 130) text = std::string(70000, 'x');  // longer than a 2-byte length
    if (i == 131) text = std::string("raw \xff\x00 bytes", 12);
    in.push_back(Line{s, static_cast<double>(i / 4) * 1.5, text});
  }
  Transcript t(in);
  ASSERT_EQ(t.size(), in.size());
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(t[i].stream, in[i].stream) << i;
    EXPECT_EQ(t[i].t_ms, in[i].t_ms) << i;
    EXPECT_EQ(t[i].text, in[i].text) << i;
    bytes += in[i].text.size();
  }
  std::size_t i = 0;
  for (LineView l : t) {  // iteration agrees with random access
    ASSERT_LT(i, in.size());
    EXPECT_EQ(l.text, in[i].text) << i;
    EXPECT_EQ(l.stream, in[i].stream) << i;
    EXPECT_EQ(l.t_ms, in[i].t_ms) << i;
    ++i;
  }
  EXPECT_EQ(i, in.size());
  EXPECT_EQ(t.text_bytes(), bytes);
  EXPECT_EQ(t.back().text, in.back().text);
}

TEST(TranscriptStore, CostsAFewBytesPerLineBesidesTheText) {
  Transcript t;
  for (int i = 0; i < 100000; ++i) t.add(Stream::out, 1.0 + i / 1000, "data " + std::to_string(i));
  // 2 bytes of length per line, 8 per 64 lines, one 16-byte stamp per read; capacity doubling
  // may double each part.
  EXPECT_LE(t.memory_bytes(), 2 * (t.text_bytes() + 3 * t.size()) + 4096);
}

TEST(FactLogStore, KeepsEveryFieldAndInternsNames) {
  Fact plain;
  plain.name = "model";
  plain.value_json = "\"threads\"";
  plain.string = "threads";
  plain.t_ms = 2.5;
  plain.pid = 10;
  plain.tid = 11;
  Fact escaped;
  escaped.name = "model";
  escaped.value_json = "\"a\\\"b\"";
  escaped.string = "a\"b";
  escaped.inner_ms = 1.25;
  Fact number;
  number.name = "counter";
  number.value_json = "1998";
  number.number = 1998;
  number.tid = 12;
  FactLog log{plain, escaped, number};
  ASSERT_EQ(log.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    Fact want = i == 0 ? plain : i == 1 ? escaped : number;
    Fact got = log[i].to_fact();
    EXPECT_EQ(got.name, want.name) << i;
    EXPECT_EQ(got.value_json, want.value_json) << i;
    EXPECT_EQ(got.string, want.string) << i;
    EXPECT_EQ(got.number, want.number) << i;
    EXPECT_EQ(got.t_ms, want.t_ms) << i;
    EXPECT_EQ(got.inner_ms, want.inner_ms) << i;
    EXPECT_EQ(got.pid, want.pid) << i;
    EXPECT_EQ(got.tid, want.tid) << i;
  }
  EXPECT_EQ(log[0].name.data(), log[1].name.data());  // one copy of the name
}

// The facts channel's fast scanner must read every line as nlohmann::json reads it.
TEST(FactLineParse, AgreesWithTheGeneralJsonReading) {
  const std::int64_t spawn_ns = 1000000;
  const std::vector<std::string> lines = {
      R"({"fact":"counter","value":1998,"t_ns":3500000,"pid":7,"tid":8})",
      R"({"fact":"r","value":0.1})", R"({"fact":"r","value":1e3})", R"({"fact":"r","value":-0})",
      R"({"fact":"r","value":-12.50E-1})", R"({"fact":"b","value":true})", R"({"fact":"b","value":false})",
      R"({"fact":"n","value":null})", R"({"fact":"s","value":"plain text"})", R"({"fact":"s","value":"esc\"aped"})",
      "{\"fact\":\"s\",\"value\":\"caf\xc3\xa9\"}", "{\"fact\":\"s\",\"value\":\"\xff\"}", R"({"value":1})",
      R"({"fact":"x","value":[1,2]})", R"({"fact":"x","value":1,"extra":"y","more":{"a":1}})",
      R"({"fact":"x","value":1,"pid":1.5,"tid":-3})", R"( { "fact" : "x" , "value" : 12345678901234567890 } )",
      R"({"fact":"x","value":01})", R"({"fact":"x","value":1} x)", "not json", R"({"fact":"x","value":1,"fact":"y"})",
      R"({"fact":2,"value":1})", R"({"fact":"x"})", R"({"fact":"x","value":1,"t_ns":"late"})", R"([1])"};
  for (const auto& line : lines) {
    // The reference: the whole object through nlohmann::json.
    std::optional<Fact> want;
    try {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.is_object() && j.contains("fact") && j["fact"].is_string() && j.contains("value")) {
        Fact f;
        const auto& v = j["value"];
        f.name = j["fact"].get<std::string>();
        f.value_json = v.dump();
        if (v.is_boolean()) f.number = v.get<bool>() ? 1.0 : 0.0;
        else if (v.is_number()) f.number = v.get<double>();
        else if (v.is_string()) f.string = v.get<std::string>();
        f.t_ms = 9;
        if (j.contains("t_ns") && j["t_ns"].is_number()) f.inner_ms = (j["t_ns"].get<double>() - 1e6) / 1e6;
        if (j.contains("pid") && j["pid"].is_number_integer()) f.pid = j["pid"].get<std::int64_t>();
        if (j.contains("tid") && j["tid"].is_number_integer()) f.tid = j["tid"].get<std::int64_t>();
        want = f;
      }
    } catch (const std::exception&) {
      want.reset();
    }
    FactLog log;
    bool ok = detail::add_fact_line(line, 9, spawn_ns, log);
    ASSERT_EQ(ok, want.has_value()) << line;
    ASSERT_EQ(log.size(), ok ? 1u : 0u) << line;
    if (!ok) continue;
    Fact got = log[0].to_fact();
    EXPECT_EQ(got.name, want->name) << line;
    EXPECT_EQ(got.value_json, want->value_json) << line;
    EXPECT_EQ(got.number, want->number) << line;
    EXPECT_EQ(got.string, want->string) << line;
    EXPECT_EQ(got.t_ms, want->t_ms) << line;
    EXPECT_EQ(got.inner_ms, want->inner_ms) << line;
    EXPECT_EQ(got.pid, want->pid) << line;
    EXPECT_EQ(got.tid, want->tid) << line;
  }
}

}  // namespace store

}  // namespace
}  // namespace conkit
