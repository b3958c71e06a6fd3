// case_reports.cpp — `conkit check` and `conkit run` past their options (conkit/case_reports.hpp).
#include "conkit/case_reports.hpp"

#include <algorithm>

#include "common/findings.hpp"
#include "conkit/stdio.hpp"

namespace conkit {

bool passed(Status s) { return s == Status::pass || s == Status::skip; }

std::string CaseTally::summary() const {
  return std::to_string(pass) + " passed, " + std::to_string(fail) + " failed, " + std::to_string(skip) + " skipped";
}

int CaseTally::exit_status() const { return fail == 0 ? 0 : 1; }

CaseTally tally(const std::vector<CaseResult>& results) {
  CaseTally t;
  for (const auto& r : results) (r.status == Status::pass ? t.pass : r.status == Status::skip ? t.skip : t.fail)++;
  return t;
}

std::vector<CaseResult> run_shipped(const std::vector<ShippedCase>& cases, const CheckOptions& base,
                                    const std::string& python) {
  const std::string interpreter = python.empty() ? std::string() : resolve_python(python);
  std::vector<CaseResult> results;
  for (const auto& c : cases) {
    if (base.run.cancel && *base.run.cancel) break;
    results.push_back(check_file(c.expect, case_options(c, base, interpreter)));
  }
  return results;
}

std::string mark_incomplete_xml(const std::string& xml, const std::string& why) {
  std::size_t at = xml.find("?>");
  at = at == std::string::npos || at > 200 ? 0 : at + 2;
  return xml.substr(0, at) + "\n<!-- incomplete: " + why + " -->" + xml.substr(at);
}

void write_reports(nlohmann::json raw, std::string junit_xml, const ReportFiles& files,
                   const std::string& incomplete_reason) {
  if (!incomplete_reason.empty()) {
    raw["complete"] = false;
    raw["incomplete_reason"] = incomplete_reason;
    junit_xml = mark_incomplete_xml(junit_xml, incomplete_reason);
  }
  if (!files.json.empty()) write_file(files.json, raw.dump(2) + "\n");
  if (!files.junit.empty()) write_file(files.junit, junit_xml);
}

void write_case_reports(const std::vector<CaseResult>& results, const ReportFiles& files, const ReportOptions& options,
                        const std::string& suite, const std::string& incomplete_reason) {
  nlohmann::json j;
  if (!files.json.empty()) {
    j = to_json(results, options);
    j["complete"] = true;  // write_reports marks it incomplete after a stop signal
  }
  write_reports(std::move(j), files.junit.empty() ? std::string() : to_junit(results, suite), files, incomplete_reason);
}

bool has_finding(const CaseResult& result, const std::regex& re) {
  auto matches = [&](const Finding& f) { return std::regex_search(finding_text(f), re); };
  if (std::any_of(result.failures.begin(), result.failures.end(), matches)) return true;
  return std::any_of(result.grades.begin(), result.grades.end(), [&](const RunGrade& g) {
    return std::any_of(g.failures.begin(), g.failures.end(), matches);
  });
}

bool judge_outcome(const CaseResult& result, const ExpectedOutcome& want,
                   const std::function<void(bool ok, const std::string& what)>& each) {
  bool ok = result.status == want.status;
  each(ok, "status " + to_string(result.status) + ", wanted " + to_string(want.status));
  for (const auto& re : want.findings) {
    const bool found = has_finding(result, std::regex(re));
    each(found, "a finding matching /" + re + "/");
    ok = ok && found;
  }
  return ok;
}

bool stdout_burst_over_pipe(const CaseResult& result) {
  if (result.stdio != StdioMode::pipe) return false;
  for (const auto& run : result.runs)
    for (const auto& b : find_exit_bursts(run))
      if (b.stream == Stream::out) return true;
  return false;
}

std::string shell_quote(const std::string& word) {
  static constexpr const char* kPlain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:@%";
  if (!word.empty() && word.find_first_not_of(kPlain) == std::string::npos) return word;
  std::string q = "'";
  for (char c : word) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace conkit
