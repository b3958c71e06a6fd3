// conkit/expect.hpp — the expected file, parsed.
//
// An expected file (docs/expected-format.md) says what a correct run of a case looks like. This
// header is its syntax tree; parse_expect() builds it and never throws or crashes on any input:
// errors come back as `FILE:LINE:COL: expected ...` in ParseResult::errors.
//
//   conkit::ParseResult p = conkit::parse_expect_file("expected/worker_join/threads.expect");
//   if (!p.ok()) { for (auto& e : p.errors) std::cerr << e.to_string() << "\n"; }
//
// Thread safety: the types are plain values; parse functions share no state.
#pragma once

#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "conkit/run.hpp"

namespace conkit {

// Where a statement came from, for messages ("worker_join.expect:12:3").
struct SourceLoc {
  std::string file;
  int line = 0;  // 1-based
  int col = 0;   // 1-based
  std::string to_string() const;
};

// A use of a capture, `${name}` in a matcher: the captured text goes in at offset `at` of
// Matcher::text (for a regex, matched literally).
struct CaptureUse {
  std::size_t at = 0;
  std::string name;
  bool operator==(const CaptureUse& o) const { return at == o.at && name == o.name; }
};

// A quoted string (whole-line equality), ~"text" (substring; blank runs match any blank run), or
// a /regex/ (searched, Perl syntax; a named group (?<name>...) binds a capture).
struct Matcher {
  enum class Kind { exact, regex, substring } kind = Kind::exact;
  std::string text;               // the unescaped string, or the regex source; without the uses
  std::vector<CaptureUse> uses;   // ${name} placeholders, in order
  std::vector<std::string> binds; // regex only: the names of its named groups
  std::string to_string() const;  // as written: "...", ~"..." or /.../
};

// A count: an integer, or the integer value of a fact ($name).
struct Count {
  long long value = 1;
  std::string fact;  // non-empty: take the value from this fact
};

// Where a line check looks, relative to the previous check on its stream (FileCheck's -NEXT,
// -SAME, -EMPTY): anywhere after it, the very next line(s), further on the same line, or the
// next line(s) being empty.
enum class Adjacency { after, next, same, empty };
std::string to_string(Adjacency a);  // "", "-next", "-same", "-empty"

// out/err[-next|-same|-empty] M [xK] [@label]   (-empty takes no matcher)
struct LineCheck {
  SourceLoc loc;
  Stream stream = Stream::out;
  Adjacency adjacency = Adjacency::after;
  Matcher matcher;
  Count times;
  std::string label;  // without '@'; empty if none
};

// any-order [@label] { LineCheck... }
struct AnyOrderGroup {
  SourceLoc loc;
  std::string label;
  std::vector<LineCheck> lines;
};

// not out/err M: no line of the stream matches, anywhere.
struct NotCheck {
  SourceLoc loc;
  Stream stream = Stream::out;
  Matcher matcher;
};

// out-not/err-not M, between two ordered checks: no line between the previous check's match and
// the next check's match (or the stream's start/end) matches (FileCheck's CHECK-NOT).
struct RangedNot {
  SourceLoc loc;
  Stream stream = Stream::out;
  Matcher matcher;
};

enum class CmpOp { eq, ne, lt, le, gt, ge, in_range };
std::string to_string(CmpOp op);

// count out/err M OP N   (N, or A..B for in_range)
struct CountCheck {
  SourceLoc loc;
  Stream stream = Stream::out;
  Matcher matcher;
  CmpOp op = CmpOp::eq;
  Count n;
  Count n_hi;  // upper end for in_range
};

// An event for time bounds: @label[.first|.last], `start`, `end`.
struct EventRef {
  enum class Kind { label, start, end } kind = Kind::label;
  std::string label;
  bool last = false;  // .last (default .first)
  std::string to_string() const;
};

// time EXPR OP BOUND, with bounds already in units or ms.
struct TimeCheck {
  SourceLoc loc;
  enum class Kind { event, difference, span, total } kind = Kind::event;
  EventRef a;  // event, span: the event; difference: the minuend
  EventRef b;  // difference: the subtrahend
  CmpOp op = CmpOp::le;
  // Bounds: value and whether it was given in units (else milliseconds).
  double lo = 0, hi = 0;  // for in_range lo..hi; otherwise the bound is `lo`
  bool in_units = true;   // true: lo/hi are in u; false: in ms
  std::string source;     // the statement as written, for reports
};

// Fact expressions for outcome/require.
struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;
struct Expr {
  enum class Kind {
    number, string, fact,      // literal, literal, a fact's last value
    call,                      // fn(args): count distinct sum first last min max
    add, sub, mul, div,        // arithmetic on args[0], args[1]
    cmp,                       // args[0] op args[1]
    and_, or_, not_            // boolean
  } kind = Kind::number;
  double number = 0;
  std::string text;            // string literal, fact name, or function name
  CmpOp op = CmpOp::eq;        // for cmp
  std::vector<ExprPtr> args;
  SourceLoc loc;
};

enum class OutcomeClass { acceptable, interesting, forbidden };
std::string to_string(OutcomeClass c);

struct OutcomeRule {
  SourceLoc loc;
  ExprPtr cond;
  OutcomeClass cls = OutcomeClass::acceptable;
  std::string description;
  bool must_see = false;
  std::string source;  // the condition as written
};

struct Requirement {
  SourceLoc loc;
  ExprPtr cond;
  std::string description;
  std::string source;
};

// exit: 0 | 0, 66 | any | nonzero | signal NAME
struct ExitExpectation {
  enum class Kind { codes, any, nonzero, signal } kind = Kind::codes;
  std::vector<int> codes{0};
  int signal = 0;
  std::string to_string() const;
};

// One ordered statement of the output section.
using OutputStep = std::variant<LineCheck, AnyOrderGroup, RangedNot>;

// The sanitizers whose reports conkit recognises, by their report names.
enum class SanitizerTool { thread, address, leak, undefined };
std::string to_string(SanitizerTool t);  // "ThreadSanitizer", ..., "UndefinedBehaviorSanitizer"
std::string short_name(SanitizerTool t);  // "tsan", "asan", "lsan", "ubsan"
std::optional<SanitizerTool> sanitizer_tool(const std::string& name);  // either spelling

// report TOOL [KIND] [xN | xN..M | xN..] [match M] [{ err checks }]
// Expects reports of one sanitizer (and kind): they do not fail the run, and at least one run must
// show one (must-see, with deflake reruns) whenever that sanitizer can report. The block's err
// checks are matched against the lines of each such report, and only in runs that show one.
struct ReportExpectation {
  SourceLoc loc;
  SanitizerTool tool = SanitizerTool::thread;
  std::optional<Matcher> kind;   // on SanitizerReport::kind: "data race" equals, /regex/ searches
  std::optional<Matcher> match;  // on the report's whole text: searched ("..." as a substring)
  long long min = 1, max = -1;   // reports of this kind per run that shows any; max -1: no limit
  std::vector<OutputStep> checks;  // the block, matched against the report's lines
  bool from_race_header = false;   // made from `race: expected` (+ `race-match:`)
  std::string to_string() const;   // "report tsan \"data race\" match /counter/"
};

struct ExpectFile {
  std::string path;
  // headers
  std::string scenario, model;
  std::vector<std::string> claims;
  std::string proves;  // the first comment line, if any ("# Pass proves: ...")
  ExitExpectation exit;
  double timeout_ms = 30000;
  std::optional<double> timeout_units;  // set if the timeout was given in u
  int repeat = 1;
  std::optional<double> repeat_budget_ms;  // repeat given as a duration (ms)
  std::optional<double> repeat_budget_units;  // ... or in units
  bool timing_median = false;
  std::string marker;  // label name, empty if none
  bool race_expected = false;
  std::optional<Matcher> race_match;
  int deflake = 0;
  std::vector<ReportExpectation> reports;  // `report` statements, then the one `race:` implies
  // sanitizer-options: TOOL OPTIONS, appended after conkit's defaults (sanitizer_defaults()).
  std::vector<std::pair<SanitizerTool, std::string>> sanitizer_options;
  std::optional<StdioMode> stdio;  // `stdio: pipe|pty|merged`; empty: the caller's choice (pipe)
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> inherit;
  // `run:` — how a shipped case is run: its program (built from cases/<scenario>/<word>.cpp, or the
  // script <word>.py) and its arguments. The build registers the case from it (conkit_add_case);
  // grading does not read it. Empty if the file has none.
  std::vector<std::string> run;
  // limits and containment (runner; the CLI's --memory-limit etc. override them)
  std::optional<std::uint64_t> memory_limit;   // bytes
  std::optional<std::uint64_t> process_limit;
  std::optional<double> cpu_limit_ms;
  std::optional<std::uint64_t> output_limit;   // bytes per stream
  bool strays_forbidden = false;               // `strays: forbidden`: a process left behind fails the run
  // body
  std::vector<OutputStep> steps;  // ordered checks and groups, per stream cursor
  std::vector<NotCheck> nots;
  std::vector<CountCheck> counts;
  std::vector<TimeCheck> times;
  std::vector<OutcomeRule> outcomes;
  std::vector<Requirement> requirements;
};

struct ParseError {
  SourceLoc loc;
  std::string message;  // "expected ..." (without the location)
  std::string to_string() const;  // "FILE:LINE:COL: expected ..."
};

struct ParseResult {
  ExpectFile file;
  std::vector<ParseError> errors;
  bool ok() const { return errors.empty(); }
};

// conkit's default options for each sanitizer's *_OPTIONS variable ("atexit_sleep_ms=0:..."),
// and the variable's name ("TSAN_OPTIONS"). docs/expected-format.md, "Sanitizer options".
std::string sanitizer_defaults(SanitizerTool t);
std::string sanitizer_options_variable(SanitizerTool t);

// Parses text; `path` is used in locations. Never throws on any input.
ParseResult parse_expect(const std::string& text, const std::string& path);
// Reads and parses a file; a missing file is one error at line 0.
ParseResult parse_expect_file(const std::string& path);

}  // namespace conkit
