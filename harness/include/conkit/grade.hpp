// conkit/grade.hpp — grade runs of a case against its expected file.
//
// grade_run() judges one RunResult against an ExpectFile: output order, any-order groups, counts,
// forbidden lines, sanitizer reports, exit status, time bounds and fact outcomes. check() runs the
// program as often as the file (or the caller) asks, combines the runs (all must pass; median for
// timing if the file says so; must-see outcomes and expected races across runs, with deflake
// reruns), retries a failed case if asked (a pass on retry is FLAKY, never PASS) and returns a
// CaseResult. Rendering lives in conkit/report.hpp.
//
//   conkit::CheckOptions opt;
//   opt.argv = {"./build/cases/worker_join_threads"};
//   opt.unit_ms = 100;
//   conkit::CaseResult r = conkit::check_file("expected/worker_join/threads.expect", opt);
//   if (r.status != conkit::Status::pass) std::cerr << conkit::render_text(r, true);
//
// Thread safety: no shared state; see run() for the one-call-at-a-time note.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conkit/expect.hpp"
#include "conkit/run.hpp"

namespace conkit {

// The closed set of case statuses. LIMIT: the case passed a memory, process, CPU or output limit
// (RunResult::limit says which, the peak and the mechanism). INTERRUPTED: conkit itself was told to
// stop (SIGINT, SIGTERM, SIGHUP) and cut the run short; never a verdict on the case. Every status
// but PASS and SKIP makes `conkit check`/`run` exit 1; an interrupted command exits 128 + signal.
enum class Status { pass, fail, flaky, timeout, crash, flood, skip, invalid, error, limit, interrupted };
std::string to_string(Status s);  // "PASS", "FAIL", ..., "LIMIT", "INTERRUPTED"

// One broken rule: where the rule is in the expected file, what went wrong, and (if it points at
// output) the index of the line in RunResult::lines.
struct Finding {
  SourceLoc loc;
  std::string message;
  std::optional<std::size_t> line;
};

// A time expression as measured in one run (or as the median over runs).
struct TimeMeasure {
  std::size_t check = 0;        // index into ExpectFile::times
  std::optional<double> ms;     // measured; empty if an event was missing
  double bound_lo_ms = 0, bound_hi_ms = 0;  // resolved bounds in ms (hi used for in_range)
  bool ok = false;
  double miss_ms = 0;           // how far outside the bound (0 if ok)
};

// What the program under test was built with (`--sanitizer`): with tsan, exit 66 and a data race
// report are the expected ending of a case whose file says `race: expected`.
enum class Sanitizer { none, tsan, asan };
std::string to_string(Sanitizer s);                            // "none", "tsan", "asan"
std::optional<Sanitizer> sanitizer_from_string(const std::string& name);  // empty if none of those

struct GradeOptions {
  double unit_ms = 100;
  Sanitizer sanitizer = Sanitizer::none;
};

// The notes the grader attached to transcript lines (what matched there, what broke a rule), kept
// only for lines that have some. A note that many lines share (one check matching a million lines:
// "out @tick 17/1000000 (t.expect:3)") is stored once; consecutive lines with the same note (or
// the same numbered note with consecutive ordinals) are one run of 16 bytes, so a check matching
// a million lines in a row costs nothing per line.
//
//   g.annotations.add(4, "not out (t.expect:7) FORBIDDEN", /*problem=*/true);
//   auto form = g.annotations.numbered("out @tick ", "/3 (t.expect:3)");
//   g.annotations.add_numbered(5, form, 1);          // "out @tick 1/3 (t.expect:3)"
//   g.annotations.seal();                            // done adding: lookups by line are indexed
//   for (std::size_t line : g.annotations.lines()) render(line, g.annotations.at(line));
class Annotations {
 public:
  // `problem`: the note says the line broke a rule (a bounded dump shows the lines around it).
  void add(std::size_t line, std::string_view note, bool problem = false);
  // A note "<head><i><tail>" shared by many lines; add_numbered() gives each line its i.
  std::uint32_t numbered(std::string head, std::string tail);
  void add_numbered(std::size_t line, std::uint32_t form, std::uint64_t i);
  // Adds every note of `other` after this one's (its forms are copied, not shared).
  void append(const Annotations& other);
  // Indexes the notes by line once the grader is done; adding more afterwards needs another seal()
  // (until then lookups scan every run).
  void seal();

  std::vector<std::string> at(std::size_t line) const;  // the notes of `line`, in the order added
  bool has(std::size_t line) const;
  bool has_problem(std::size_t line) const;
  std::vector<std::size_t> lines() const;               // annotated lines, ascending
  std::vector<std::size_t> problem_lines() const;       // lines with a problem note, ascending
  // Calls f(line) for each annotated line in ascending order while f returns true (no copy made).
  void for_each_line(const std::function<bool(std::size_t)>& f) const;
  std::size_t notes() const { return notes_; }          // notes, not runs
  std::size_t runs() const { return entries_.size(); }  // what is stored: 16 bytes each
  bool empty() const { return entries_.empty(); }

 private:
  struct Form {
    std::string head, tail;
    bool numbered = false, problem = false;
  };
  struct Entry {  // lines [line, line + count), with ordinals i, i + 1, ... if the form is numbered
    std::uint32_t line, count, form, i;  // a Transcript has at most 2^32 - 1 lines
  };
  void push(const Entry& e);
  template <class F> void for_line(std::size_t line, F&& f) const;
  template <class F> void sweep(bool problems_only, F&& f) const;
  std::vector<std::uint32_t> by_first_line() const;
  std::string text(const Entry& e, std::size_t line) const;

  std::vector<Form> forms_;
  std::map<std::pair<std::string, bool>, std::uint32_t> plain_forms_;
  std::vector<Entry> entries_;        // runs, in the order added
  std::vector<std::uint32_t> order_;  // sealed: entries_ by first line (stable)
  std::vector<std::uint32_t> reach_;  // sealed: reach_[k] = the furthest end of order_[0..k]
  std::size_t notes_ = 0;
  bool sealed_ = true;
};

struct RunGrade {
  Status status = Status::pass;        // pass, fail, timeout, crash, flood, skip, error, limit or interrupted
  std::vector<Finding> failures;       // empty iff status == pass (or skip)
  std::vector<std::string> notes;      // remarks that do not fail the run
  std::string skip_reason;
  // Outcome classification (only when the file has outcome rules).
  std::optional<std::size_t> outcome_rule;  // index into ExpectFile::outcomes; empty: unlisted
  std::optional<OutcomeClass> outcome_class;
  std::string outcome_values;          // "counter=1998 expected=2000": the facts the rules read
  bool race_seen = false;              // the race that `race: expected` asks for was reported
  std::vector<bool> reports_seen;      // per ExpectFile::reports: one showed up (and its block held)
  std::vector<TimeMeasure> times;      // one per ExpectFile::times entry
  // For the annotated transcript: the directives that matched each line, and the rules it broke.
  Annotations annotations;
  std::optional<std::size_t> stopped_at;  // line index where ordered matching stopped (if it failed)
};

RunGrade grade_run(const ExpectFile& expect, const RunResult& run, const GradeOptions& options);

struct CheckOptions {
  RunOptions run;                    // argv, unit_ms, env... (timeout from the file unless set)
  std::optional<int> repeat;         // overrides the file's repeat
  std::optional<double> timeout_ms;  // overrides the file's timeout
  int retries = 0;                   // reruns of a failed case; a pass on retry is FLAKY
  // Override the file's memory-limit / process-limit / cpu-limit / output-limit headers.
  std::optional<std::uint64_t> memory_limit, process_limit, output_limit;
  std::optional<double> cpu_limit_ms;
  std::optional<StdioMode> stdio;    // overrides the file's `stdio:` (else run.stdio when the file has none)
  Sanitizer sanitizer = Sanitizer::none;
  std::string name;                  // for reports; default: scenario/model
};

struct CaseResult {
  std::string name;
  std::string expect_path;
  ExpectFile expect;
  Status status = Status::pass;
  std::string reason;                  // one line: why this status
  std::vector<RunResult> runs;
  std::vector<RunGrade> grades;        // one per run
  std::vector<Finding> failures;       // case-level: must-see, expected race, median timing
  std::vector<TimeMeasure> median_times;  // when timing: median
  std::vector<ParseError> parse_errors;   // when INVALID
  double unit_ms = 100;
  Sanitizer sanitizer = Sanitizer::none;
  int attempts = 1;                    // 1 + retries used
  // Remarks shown beside the status whatever it is, e.g. that stdout arrived in one burst at exit
  // (conkit/stdio.hpp); `stdio` is how the runs' stdout and stderr were connected.
  std::vector<std::string> notes;
  StdioMode stdio = StdioMode::pipe;
  double wall_ms = 0;
};

// Runs and grades. `expect` must have parsed cleanly.
CaseResult check(const ExpectFile& expect, const CheckOptions& options);
// Parses `expect_path` first: INVALID with the parse errors if it does not parse, and at once
// (without opening it) if it is not a readable regular file of at most kMaxExpectFileBytes.
constexpr std::uint64_t kMaxExpectFileBytes = 16u << 20;
CaseResult check_file(const std::string& expect_path, const CheckOptions& options);

}  // namespace conkit
