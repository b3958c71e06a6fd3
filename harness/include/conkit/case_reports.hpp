// conkit/case_reports.hpp — `conkit check` and `conkit run` past their options, as library calls:
// run shipped cases, count them, write their JSON and JUnit reports (marked incomplete after a
// stop), judge a meta test of the grader, and tell whether a rerun with a terminal would show more.
// Nothing here prints; the caller prints what it returns.
//
//   std::vector<conkit::CaseResult> rs = conkit::run_shipped(conkit::load_manifest(m), base, "");
//   for (const auto& r : rs) std::cout << conkit::render_text(r, !conkit::passed(r.status));
//   conkit::write_case_reports(rs, {"out/r.json", "out/r.xml"}, {}, "my.suite");
//   const conkit::CaseTally t = conkit::tally(rs);
//   std::cout << t.summary() << "\n";
//   return t.exit_status();
//
// Thread safety: as check_file (conkit/grade.hpp); the reports write one file at a time.
#pragma once

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conkit/grade.hpp"
#include "conkit/report.hpp"
#include "conkit/verify.hpp"

namespace conkit {

// PASS or SKIP: a case that did not fail (a skip says why it could not run here).
bool passed(Status s);

// How many cases passed, failed (every status but PASS and SKIP) and were skipped.
struct CaseTally {
  int pass = 0, fail = 0, skip = 0;
  std::string summary() const;  // "2 passed, 1 failed, 0 skipped"
  int exit_status() const;      // 0 when none failed, else 1
};
CaseTally tally(const std::vector<CaseResult>& results);

// The shipped cases in order, each checked with case_options(c, base, python); `python` is first
// resolved (resolve_python) when not empty. Once *base.run.cancel is set no further case starts:
// the results hold the cases that ran, and the reports say they are incomplete.
std::vector<CaseResult> run_shipped(const std::vector<ShippedCase>& cases, const CheckOptions& base,
                                    const std::string& python);

// Where `--json` and `--junit` write; an empty path is not written.
struct ReportFiles {
  std::string json, junit;
};

// Writes `raw` (as JSON, indented by 2) and `junit_xml` to the files asked for. With an
// `incomplete_reason` (a stop signal came) both say so: the JSON in "complete": false and
// "incomplete_reason", the XML in a comment after its declaration. Throws std::runtime_error when
// a file cannot be written. Used for case reports and claims reports alike.
void write_reports(nlohmann::json raw, std::string junit_xml, const ReportFiles& files,
                   const std::string& incomplete_reason = "");

// The case reports: to_json(results, options) with "complete": true, and to_junit(results, suite),
// each rendered only when its file is asked for (a run's JSON costs ~300 bytes per fact and kept
// line), written by write_reports.
void write_case_reports(const std::vector<CaseResult>& results, const ReportFiles& files, const ReportOptions& options,
                        const std::string& suite, const std::string& incomplete_reason = "");

// A JUnit document that says it is incomplete: a comment after its XML declaration (at the start
// when it has none in its first 200 bytes).
std::string mark_incomplete_xml(const std::string& xml, const std::string& why);

// A meta test of the grader (`conkit check --expect-status S --expect-finding RE...`): the case
// must end with `status` and, for each regex, have a finding (its own or one of its runs') that
// matches it, i.e. which rule broke.
struct ExpectedOutcome {
  Status status = Status::pass;
  std::vector<std::string> findings;  // std::regex (ECMAScript), searched in each finding's text
};

// Judges `result` against `want`, calling `each` with every check in order as it is decided:
// whether it holds and what it checked ("status FAIL, wanted FAIL", "a finding matching /RE/").
// Returns whether all hold. Throws std::regex_error for a bad regex (after the checks before it).
bool judge_outcome(const CaseResult& result, const ExpectedOutcome& want,
                   const std::function<void(bool ok, const std::string& what)>& each);

// Whether a finding of the case (its own or one of its runs') matches `re`.
bool has_finding(const CaseResult& result, const std::regex& re);

// Whether the case's stdout came over a pipe and, in some run, arrived in one burst at exit
// (find_exit_bursts, conkit/stdio.hpp): a rerun with a terminal for stdout would show when each
// line was printed.
bool stdout_burst_over_pipe(const CaseResult& result);

// `word` as one word for a POSIX shell: as it is when it is not empty and made only of characters
// no shell treats specially, else in single quotes (a ' inside as '\'').
std::string shell_quote(const std::string& word);

}  // namespace conkit
