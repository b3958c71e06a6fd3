// check.cpp — run a case as its expected file (or the caller) asks and combine the runs into a
// CaseResult: repeat (a count or a time budget), deflake runs for must-see outcomes and expected
// races, the median of each time check with `timing: median`, and retries (a pass on retry is
// FLAKY). Judging one run is grade_run() (grade.cpp).
#include "conkit/grade.hpp"
#include "conkit/stdio.hpp"

#include "common/findings.hpp"
#include "common/stats.hpp"
#include "expect/stream_uses.hpp"
#include "grade_time.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace conkit {

using detail::judge_time;
using detail::time_message;

namespace {

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

bool retryable(Status s) {
  return s == Status::fail || s == Status::timeout || s == Status::crash || s == Status::flood;
}

RunOptions run_options_for(const ExpectFile& e, const CheckOptions& o) {
  RunOptions ro = o.run;
  if (o.stdio) ro.stdio = *o.stdio;
  else if (e.stdio) ro.stdio = *e.stdio;
  if (o.timeout_ms) ro.timeout_ms = *o.timeout_ms;
  else ro.timeout_ms = e.timeout_units ? *e.timeout_units * ro.unit_ms : e.timeout_ms;
  for (const auto& [k, v] : e.env) ro.env.emplace(k, v);  // the caller's own settings win
  // Each sanitizer's options: conkit's defaults, then the file's `sanitizer-options:`, unless the
  // caller, an `env:` header or an `inherit:` of the variable set it whole.
  for (SanitizerTool t : {SanitizerTool::thread, SanitizerTool::address, SanitizerTool::leak, SanitizerTool::undefined}) {
    const std::string var = sanitizer_options_variable(t);
    if (std::find(ro.inherit.begin(), ro.inherit.end(), var) != ro.inherit.end() ||
        std::find(e.inherit.begin(), e.inherit.end(), var) != e.inherit.end())
      continue;
    std::string value = sanitizer_defaults(t);
    for (const auto& [tool, options] : e.sanitizer_options)
      if (tool == t) value += ":" + options;
    ro.env.emplace(var, value);
  }
  for (const auto& name : e.inherit)
    if (std::find(ro.inherit.begin(), ro.inherit.end(), name) == ro.inherit.end()) ro.inherit.push_back(name);
  // Limits: the caller's override, else the file's header, else the runner's default.
  if (o.memory_limit) ro.memory_limit = *o.memory_limit;
  else if (e.memory_limit) ro.memory_limit = *e.memory_limit;
  if (o.process_limit) ro.process_limit = *o.process_limit;
  else if (e.process_limit) ro.process_limit = *e.process_limit;
  if (o.cpu_limit_ms) ro.cpu_limit_ms = *o.cpu_limit_ms;
  else if (e.cpu_limit_ms) ro.cpu_limit_ms = *e.cpu_limit_ms;
  if (o.output_limit) ro.output_cap = static_cast<std::size_t>(*o.output_limit);
  else if (e.output_limit) ro.output_cap = static_cast<std::size_t>(*e.output_limit);
  ro.sanitized = o.sanitizer != Sanitizer::none;
  return ro;
}

// One attempt: repeat runs, deflake runs, then the case-level rules.
struct Attempt {
  Status status = Status::pass;
  std::string reason;
  std::vector<RunResult> runs;
  std::vector<RunGrade> grades;
  std::vector<Finding> failures;
  std::vector<TimeMeasure> median_times;
};

class Attempter {
 public:
  Attempter(const ExpectFile& e, const CheckOptions& o) : e_(e), o_(o), ro_(run_options_for(e, o)) {
    go_.unit_ms = ro_.unit_ms;
    go_.sanitizer = o.sanitizer;
  }

  Attempt go() {
    const double t0 = now_ms();
    std::optional<double> budget;
    if (!o_.repeat) {
      if (e_.repeat_budget_ms) budget = *e_.repeat_budget_ms;
      else if (e_.repeat_budget_units) budget = *e_.repeat_budget_units * ro_.unit_ms;
    }
    const int n = std::max(1, o_.repeat.value_or(e_.repeat));
    for (int i = 0;; ++i) {
      if (i > 0 && (budget ? now_ms() - t0 >= *budget : i >= n)) break;
      if (!one_run()) return std::move(a_);
    }
    for (int extra = 0; !unseen().empty() && extra < e_.deflake; ++extra)
      if (!one_run()) return std::move(a_);
    for (const auto& [loc, what] : unseen())
      a_.failures.push_back(Finding{loc, what + " never seen in " + std::to_string(a_.runs.size()) +
                                             (a_.runs.size() == 1 ? " run" : " runs"), std::nullopt});
    medians();
    if (!a_.failures.empty()) {
      a_.status = Status::fail;
      a_.reason = finding_text(a_.failures.front());
    }
    return std::move(a_);
  }

 private:
  // Runs and grades once; false if the run did not pass (its status decides the attempt).
  bool one_run() {
    a_.runs.push_back(run(ro_));
    a_.grades.push_back(grade_run(e_, a_.runs.back(), go_));
    const RunGrade& g = a_.grades.back();
    if (g.status == Status::pass) return true;
    a_.status = g.status;
    const std::string run_no = "run " + std::to_string(a_.runs.size());
    if (g.status == Status::skip) a_.reason = g.skip_reason;
    else a_.reason = run_no + ": " + (g.failures.empty() ? to_string(g.status) : finding_text(g.failures.front()));
    return false;
  }

  std::vector<std::pair<SourceLoc, std::string>> unseen() const {
    std::vector<std::pair<SourceLoc, std::string>> v;
    for (std::size_t i = 0; i < e_.outcomes.size(); ++i) {
      if (!e_.outcomes[i].must_see) continue;
      bool seen = std::any_of(a_.grades.begin(), a_.grades.end(),
                              [&](const RunGrade& g) { return g.outcome_rule == i; });
      if (!seen) v.emplace_back(e_.outcomes[i].loc, "must-see outcome \"" + e_.outcomes[i].description + "\"");
    }
    for (std::size_t x = 0; x < e_.reports.size(); ++x) {
      const auto& want = e_.reports[x];
      if (!can_report(want.tool)) continue;
      bool seen = std::any_of(a_.grades.begin(), a_.grades.end(), [&](const RunGrade& g) {
        return x < g.reports_seen.size() && g.reports_seen[x];
      });
      if (seen) continue;
      std::string what;
      if (want.from_race_header) {
        what = "expected ThreadSanitizer data race";
        if (e_.race_match) what += " matching " + e_.race_match->to_string();
      } else {
        what = "expected " + want.to_string();
        if (!want.checks.empty()) what += " {...} (block held in no run)";
      }
      v.emplace_back(want.loc, what);
    }
    return v;
  }

  // Whether a report of `tool` can show up: the program was built with it (--sanitizer; the asan
  // build has AddressSanitizer, LeakSanitizer and UBSan) or some run printed one (so it was, or a
  // child was, whatever --sanitizer says).
  bool can_report(SanitizerTool tool) const {
    if (o_.sanitizer == Sanitizer::tsan && tool == SanitizerTool::thread) return true;
    if (o_.sanitizer == Sanitizer::asan && tool != SanitizerTool::thread) return true;
    for (const auto& r : a_.runs)
      for (const auto& rep : r.sanitizer_reports)
        if (sanitizer_tool(rep.tool) == tool) return true;
    return false;
  }

  void medians() {
    if (!e_.timing_median) return;
    for (std::size_t i = 0; i < e_.times.size(); ++i) {
      std::vector<double> v;
      for (const auto& g : a_.grades)
        for (const auto& m : g.times)
          if (m.check == i && m.ms) v.push_back(*m.ms);
      std::optional<double> med;
      if (!v.empty()) med = stats::median(v);
      TimeMeasure m = judge_time(i, e_.times[i], med, ro_.unit_ms);
      a_.median_times.push_back(m);
      if (!m.ok)
        a_.failures.push_back(Finding{e_.times[i].loc,
                                      "median over " + std::to_string(v.size()) + " runs: " +
                                          time_message(e_.times[i], m, ro_.unit_ms, "no run measured it"),
                                      std::nullopt});
    }
  }

  const ExpectFile& e_;
  const CheckOptions& o_;
  RunOptions ro_;
  GradeOptions go_;
  Attempt a_;
};

// Why the file cannot grade runs with this stdio mode ("" if it can): `merged` checks need the
// merged stream, and out/err checks need two streams.
std::string stdio_mismatch(const ExpectFile& e, StdioMode mode) {
  const SourceLoc* wrong = nullptr;
  auto look = [&](const SourceLoc& loc, Stream s) {
    if (!wrong && (s == Stream::merged) != (mode == StdioMode::merged)) wrong = &loc;
  };
  expect_detail::for_each_stream_use(e, look);
  if (!wrong) return "";
  return wrong->to_string() + ": " +
         (mode == StdioMode::merged ? "this check reads stdout or stderr, but stdio merged puts both on one stream"
                                    : "this check reads the merged stream, but stdio is " + to_string(mode)) +
         " (the file's checks need stdio: " + (mode == StdioMode::merged ? "pipe or pty" : "merged") + ")";
}

// One note per stream whose output arrived in one burst at exit, from the first run that shows it.
std::vector<std::string> burst_notes(const std::vector<RunResult>& runs) {
  std::vector<std::string> notes;
  bool seen[3] = {false, false, false};
  for (const auto& r : runs)
    for (const auto& b : find_exit_bursts(r)) {
      bool& s = seen[b.stream == Stream::out ? 0 : b.stream == Stream::err ? 1 : 2];
      if (!s) notes.push_back(burst_note(b, r.stdio));
      s = true;
    }
  return notes;
}

std::string default_name(const ExpectFile& e, const std::string& path) {
  if (!e.scenario.empty() || !e.model.empty()) return e.scenario + "/" + e.model;
  return std::filesystem::path(path).stem().string();
}

}  // namespace

CaseResult check(const ExpectFile& expect, const CheckOptions& options) {
  const double t0 = now_ms();
  CaseResult res;
  res.name = options.name.empty() ? default_name(expect, expect.path) : options.name;
  res.expect_path = expect.path;
  res.expect = expect;
  res.unit_ms = options.run.unit_ms;
  res.sanitizer = options.sanitizer;
  res.attempts = 0;
  res.stdio = run_options_for(expect, options).stdio;
  if (std::string why = stdio_mismatch(expect, res.stdio); !why.empty()) {
    res.status = Status::invalid;
    res.reason = why;
    return res;
  }
  std::string first_failure;
  for (int attempt = 0; attempt <= options.retries; ++attempt) {
    Attempt a = Attempter(expect, options).go();
    ++res.attempts;
    for (auto& r : a.runs) res.runs.push_back(std::move(r));
    for (auto& g : a.grades) res.grades.push_back(std::move(g));
    res.median_times = a.median_times;
    const std::string prefix = options.retries > 0 ? "attempt " + std::to_string(attempt + 1) + ": " : "";
    for (auto& f : a.failures) {
      f.message = prefix + f.message;
      res.failures.push_back(std::move(f));
    }
    if (a.status == Status::pass) {
      res.status = attempt == 0 ? Status::pass : Status::flaky;
      res.reason = attempt == 0 ? "" : "passed on retry " + std::to_string(attempt) + " after: " + first_failure;
      break;
    }
    res.status = a.status;
    res.reason = a.reason;
    if (first_failure.empty()) first_failure = to_string(a.status) + " " + a.reason;
    if (!retryable(a.status)) break;
  }
  res.notes = burst_notes(res.runs);
  res.wall_ms = now_ms() - t0;
  return res;
}

// Why `path` cannot be an expected file (empty if it can): it must be a readable regular file of
// at most kMaxExpectFileBytes. Looked at before it is opened: a FIFO would block, a device never end.
std::string not_an_expect_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "cannot read the expected file: " + std::string(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return "the expected file is a directory";
  if (S_ISFIFO(st.st_mode)) return "the expected file is a FIFO (named pipe), not a regular file";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "the expected file is a device, not a regular file";
  if (S_ISSOCK(st.st_mode)) return "the expected file is a socket, not a regular file";
  if (!S_ISREG(st.st_mode)) return "the expected file is not a regular file";
  if (static_cast<std::uint64_t>(st.st_size) > kMaxExpectFileBytes)
    return "the expected file is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
           std::to_string(kMaxExpectFileBytes >> 20) + " MiB";
  if (::access(path.c_str(), R_OK) != 0) return "cannot read the expected file: " + std::string(std::strerror(errno));
  return {};
}

CaseResult check_file(const std::string& expect_path, const CheckOptions& options) {
  ParseResult p;
  if (std::string why = not_an_expect_file(expect_path); !why.empty()) {
    p.file.path = expect_path;
    p.errors.push_back(ParseError{SourceLoc{expect_path, 0, 0}, why});
  } else {
    p = parse_expect_file(expect_path);
  }
  if (p.ok()) {
    CaseResult r = check(p.file, options);
    r.expect_path = expect_path;
    return r;
  }
  CaseResult r;
  r.name = options.name.empty() ? default_name(p.file, expect_path) : options.name;
  r.expect_path = expect_path;
  r.expect = p.file;
  r.status = Status::invalid;
  r.parse_errors = p.errors;
  r.reason = p.errors.front().to_string();
  if (p.errors.size() > 1) r.reason += " (and " + std::to_string(p.errors.size() - 1) + " more)";
  r.unit_ms = options.run.unit_ms;
  r.sanitizer = options.sanitizer;
  r.attempts = 0;
  return r;
}

}  // namespace conkit
