// grade.cpp — judge one run against its expected file (grade_run): pure, no running. The rules are
// those of docs/expected-format.md; each rule is one method of Grader, in the order the document
// lists them. Running and combining runs into a case result is check.cpp.
#include "conkit/grade.hpp"
#include "conkit/exit_codes.hpp"
#include "conkit/stdio.hpp"

#include "common/findings.hpp"
#include "common/signals.hpp"
#include "common/text.hpp"
#include "grade_time.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include <boost/regex.hpp>
#include <fmt/format.h>

namespace conkit {

namespace {
// Indexed by Sanitizer: the names --sanitizer takes and the JSON report writes.
constexpr const char* kSanitizerNames[] = {"none", "tsan", "asan"};
}  // namespace

std::string to_string(Sanitizer s) { return kSanitizerNames[static_cast<int>(s)]; }

std::optional<Sanitizer> sanitizer_from_string(const std::string& name) {
  for (int i = 0; i < 3; ++i)
    if (name == kSanitizerNames[i]) return static_cast<Sanitizer>(i);
  return std::nullopt;
}

std::string to_string(Status s) {
  switch (s) {
    case Status::pass: return "PASS";
    case Status::fail: return "FAIL";
    case Status::flaky: return "FLAKY";
    case Status::timeout: return "TIMEOUT";
    case Status::crash: return "CRASH";
    case Status::flood: return "FLOOD";
    case Status::skip: return "SKIP";
    case Status::invalid: return "INVALID";
    case Status::error: return "ERROR";
    case Status::limit: return "LIMIT";
    case Status::interrupted: return "INTERRUPTED";
  }
  return "ERROR";
}

namespace {

// ---- small formatting helpers -------------------------------------------------------------------

// "2.01u (201.3 ms)"
std::string ms_and_units(double ms, double unit_ms) {
  return format_number(ms / unit_ms, 2) + "u (" + format_number(ms, 1) + " ms)";
}

const char* word(Stream s) { return s == Stream::out ? "out" : s == Stream::err ? "err" : "merged"; }
const char* stream_name(Stream s) { return s == Stream::out ? "stdout" : s == Stream::err ? "stderr" : "merged output"; }
constexpr Stream kStreams[] = {Stream::out, Stream::err, Stream::merged};

// "async.expect:14": short enough to sit next to a transcript line.
std::string short_loc(const SourceLoc& l) {
  return std::filesystem::path(l.file).filename().string() + ":" + std::to_string(l.line);
}

std::string lines_word(long long n) { return n == 1 ? "line" : "lines"; }

bool compare(double a, CmpOp op, double b, double b_hi) {
  switch (op) {
    case CmpOp::eq: return a == b;
    case CmpOp::ne: return a != b;
    case CmpOp::lt: return a < b;
    case CmpOp::le: return a <= b;
    case CmpOp::gt: return a > b;
    case CmpOp::ge: return a >= b;
    case CmpOp::in_range: return b <= a && a <= b_hi;
  }
  return false;
}

// ---- matchers -----------------------------------------------------------------------------------

// Matches Boost.Regex abandoned (it throws when a search passes its complexity limit, e.g. on
// catastrophic backtracking): the grader turns each into a failure naming the regex, stream and
// line, so an abandoned search never counts as "no match" (`not out` must not pass on one).
struct AbandonedMatch {
  std::string regex;
  const char* line;  // where the RunResult line's text starts (views point into the transcript)
};
thread_local std::vector<AbandonedMatch> abandoned_matches;

using Captures = std::map<std::string, std::string>;

// Where a matcher matched in a line: bytes [begin, end).
struct Span {
  std::size_t begin = 0, end = 0;
};

// `text` as a regex that matches it literally.
std::string regex_literal(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}/-").find(c) != std::string_view::npos) out += '\\';
    if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// ~"text": a substring in which every run of blanks matches any run of blanks (FileCheck's
// default, without --strict-whitespace); blanks at either end do not count.
std::string substring_regex(const std::string& text, const std::vector<std::pair<std::size_t, std::string>>& values) {
  std::string out;
  std::size_t v = 0;
  bool blank = false;
  auto flush_blank = [&] {
    if (blank && !out.empty()) out += "[ \\t]+";
    blank = false;
  };
  for (std::size_t i = 0; i <= text.size(); ++i) {
    for (; v < values.size() && values[v].first == i; ++v) {
      flush_blank();
      out += regex_literal(values[v].second);
    }
    if (i == text.size()) break;
    if (text[i] == ' ' || text[i] == '\t') {
      blank = true;
      continue;
    }
    flush_blank();
    out += regex_literal(std::string_view(&text[i], 1));
  }
  return out;
}

// A compiled Matcher. Capture uses are filled in from `captures` when it is built; a regex's named
// groups bind captures when find() is given somewhere to put them.
//   exact "..."      the whole line equals the text (with `search_exact`: contains it)
//   substring ~"..." contains the text, blank runs matching blank runs
//   regex /.../      searched
class LineMatcher {
 public:
  explicit LineMatcher(const Matcher& m, const Captures* captures = nullptr, bool search_exact = false)
      : m_(m), search_exact_(search_exact) {
    std::vector<std::pair<std::size_t, std::string>> values;
    for (const auto& u : m.uses) {
      auto it = captures ? captures->find(u.name) : Captures::const_iterator{};
      if (!captures || it == captures->end()) {
        error_ = "capture ${" + u.name + "} is not bound (the check that binds it did not match)";
        return;
      }
      values.emplace_back(u.at, it->second);
    }
    std::string source;
    if (m.kind == Matcher::Kind::exact) {
      text_ = m.text;
      for (auto it = values.rbegin(); it != values.rend(); ++it) text_.insert(it->first, it->second);
      return;
    }
    if (m.kind == Matcher::Kind::substring) {
      source = substring_regex(m.text, values);
    } else {
      source = m.text;
      for (auto it = values.rbegin(); it != values.rend(); ++it) source.insert(it->first, regex_literal(it->second));
    }
    try {
      re_.assign(source, boost::regex::perl);
    } catch (const std::exception& e) {
      error_ = std::string("invalid regex ") + m.to_string() + ": " + e.what();
    }
  }
  const std::string& error() const { return error_; }

  // The first match at or after byte `from`; binds the regex's named groups into `bind`.
  std::optional<Span> find(std::string_view line, std::size_t from = 0, Captures* bind = nullptr) const {
    if (!error_.empty() || from > line.size()) return std::nullopt;
    if (m_.kind == Matcher::Kind::exact) {
      if (search_exact_) {
        std::size_t at = line.find(text_, from);
        if (at == std::string_view::npos) return std::nullopt;
        return Span{at, at + text_.size()};
      }
      if (from == 0 && line == text_) return Span{0, line.size()};
      return std::nullopt;
    }
    try {
      boost::match_results<const char*> mr;
      auto flags = from > 0 ? boost::match_prev_avail : boost::match_default;
      if (!boost::regex_search(line.data() + from, line.data() + line.size(), mr, re_, flags)) return std::nullopt;
      Span sp{static_cast<std::size_t>(mr[0].first - line.data()), static_cast<std::size_t>(mr[0].second - line.data())};
      if (bind)
        for (const auto& name : m_.binds)
          if (mr[name].matched) (*bind)[name] = mr[name].str();
      return sp;
    } catch (const std::exception&) {
      abandoned_matches.push_back({m_.to_string(), line.data()});  // the grader fails the run for it
      return std::nullopt;
    }
  }
  bool matches(std::string_view line) const { return find(line).has_value(); }

 private:
  const Matcher& m_;
  bool search_exact_ = false;
  std::string text_;  // exact: the text with captures filled in
  boost::regex re_;
  std::string error_;
};

// ---- facts --------------------------------------------------------------------------------------

std::optional<FactView> last_fact(const RunResult& r, const std::string& name) {
  for (std::size_t i = r.facts.size(); i-- > 0;)
    if (FactView f = r.facts[i]; f.name == name) return f;
  return std::nullopt;
}

// The integer value of a fact, for `xK` and `count ... N` with `$fact`.
std::optional<long long> fact_integer(const RunResult& r, const std::string& name, std::string& why) {
  auto f = last_fact(r, name);
  if (!f) {
    why = "fact $" + name + " was not written";
    return std::nullopt;
  }
  if (!f->number || std::fabs(*f->number - std::round(*f->number)) > 1e-9) {
    why = "fact $" + name + " is not an integer (value " + std::string(f->value_json) + ")";
    return std::nullopt;
  }
  return static_cast<long long>(std::llround(*f->number));
}

std::optional<long long> resolve(const Count& c, const RunResult& r, std::string& why) {
  if (c.fact.empty()) return c.value;
  return fact_integer(r, c.fact, why);
}

std::string count_text(const Count& c) { return c.fact.empty() ? std::to_string(c.value) : "$" + c.fact; }

// A value of a fact expression. Conditions are three-valued: a comparison that reads a missing fact
// is unknown, `not unknown` stays unknown, and an unknown condition does not hold (the document:
// "a condition that names a fact the run did not write is false").
struct Value {
  enum class Kind { missing, number, string } kind = Kind::missing;
  double n = 0;
  std::string s;
  static Value number(double v) { return {Kind::number, v, {}}; }
  static Value text(std::string v) { return {Kind::string, 0, std::move(v)}; }
};
enum class Truth { no, yes, unknown };

Value fact_value(const FactView& f) {
  if (f.number) return Value::number(*f.number);
  if (f.string) return Value::text(std::string(*f.string));
  if (f.value_json == "null" || f.value_json.empty()) return {};
  return Value::text(std::string(f.value_json));
}

class FactEval {
 public:
  explicit FactEval(const RunResult& r) : r_(r) {}

  Truth cond(const Expr& e) const {
    switch (e.kind) {
      case Expr::Kind::and_: {
        Truth a = arg_cond(e, 0), b = arg_cond(e, 1);
        if (a == Truth::no || b == Truth::no) return Truth::no;
        if (a == Truth::yes && b == Truth::yes) return Truth::yes;
        return Truth::unknown;
      }
      case Expr::Kind::or_: {
        Truth a = arg_cond(e, 0), b = arg_cond(e, 1);
        if (a == Truth::yes || b == Truth::yes) return Truth::yes;
        if (a == Truth::no && b == Truth::no) return Truth::no;
        return Truth::unknown;
      }
      case Expr::Kind::not_: {
        Truth a = arg_cond(e, 0);
        return a == Truth::unknown ? a : (a == Truth::yes ? Truth::no : Truth::yes);
      }
      case Expr::Kind::cmp: return comparison(e);
      default: {  // a bare value used as a condition: non-zero / non-empty holds
        Value v = value(e);
        if (v.kind == Value::Kind::missing) return Truth::unknown;
        if (v.kind == Value::Kind::number) return v.n != 0 ? Truth::yes : Truth::no;
        return v.s.empty() ? Truth::no : Truth::yes;
      }
    }
  }

  Value value(const Expr& e) const {
    switch (e.kind) {
      case Expr::Kind::number: return Value::number(e.number);
      case Expr::Kind::string: return Value::text(e.text);
      case Expr::Kind::fact: {
        auto f = last_fact(r_, e.text);
        return f ? fact_value(*f) : Value{};
      }
      case Expr::Kind::call: return call(e);
      case Expr::Kind::add:
      case Expr::Kind::sub:
      case Expr::Kind::mul:
      case Expr::Kind::div: return arithmetic(e);
      default: {
        Truth t = cond(e);
        return t == Truth::unknown ? Value{} : Value::number(t == Truth::yes ? 1 : 0);
      }
    }
  }

 private:
  Truth arg_cond(const Expr& e, std::size_t i) const {
    return i < e.args.size() && e.args[i] ? cond(*e.args[i]) : Truth::unknown;
  }
  Value arg(const Expr& e, std::size_t i) const {
    return i < e.args.size() && e.args[i] ? value(*e.args[i]) : Value{};
  }

  Truth comparison(const Expr& e) const {
    Value a = arg(e, 0), b = arg(e, 1);
    if (a.kind == Value::Kind::missing || b.kind == Value::Kind::missing) return Truth::unknown;
    if (e.op == CmpOp::in_range) {
      Value hi = arg(e, 2);
      if (a.kind != Value::Kind::number || b.kind != Value::Kind::number || hi.kind != Value::Kind::number)
        return hi.kind == Value::Kind::missing ? Truth::unknown : Truth::no;
      return compare(a.n, e.op, b.n, hi.n) ? Truth::yes : Truth::no;
    }
    if (a.kind != b.kind) return Truth::no;  // a number never equals a string
    bool holds = false;
    if (a.kind == Value::Kind::number) {
      holds = compare(a.n, e.op, b.n, b.n);
    } else {
      int c = a.s.compare(b.s);
      holds = compare(c, e.op, 0, 0);
    }
    return holds ? Truth::yes : Truth::no;
  }

  Value arithmetic(const Expr& e) const {
    Value a = arg(e, 0), b = arg(e, 1);
    if (a.kind != Value::Kind::number || b.kind != Value::Kind::number) return {};
    switch (e.kind) {
      case Expr::Kind::add: return Value::number(a.n + b.n);
      case Expr::Kind::sub: return Value::number(a.n - b.n);
      case Expr::Kind::mul: return Value::number(a.n * b.n);
      default: return b.n == 0 ? Value{} : Value::number(a.n / b.n);
    }
  }

  std::vector<FactView> all(const std::string& name) const {
    std::vector<FactView> v;
    for (FactView f : r_.facts)
      if (f.name == name) v.push_back(f);
    return v;
  }

  // count distinct sum first last min max. count() and distinct() of a fact never written are 0:
  // they ask "how many", and `count(error) == 0` must be able to hold.
  Value call(const Expr& e) const {
    const std::string& fn = e.text;
    const bool one_fact = e.args.size() == 1 && e.args[0] && e.args[0]->kind == Expr::Kind::fact;
    if ((fn == "min" || fn == "max") && e.args.size() >= 2) return min_max_of(e, fn == "min");
    if (!one_fact) return e.args.size() == 1 ? arg(e, 0) : Value{};
    auto facts = all(e.args[0]->text);
    if (fn == "count") return Value::number(static_cast<double>(facts.size()));
    if (fn == "distinct") {
      std::set<std::string_view> seen;
      for (const auto& f : facts) seen.insert(f.value_json);
      return Value::number(static_cast<double>(seen.size()));
    }
    if (facts.empty()) return {};
    if (fn == "first") return fact_value(facts.front());
    if (fn == "last") return fact_value(facts.back());
    std::vector<double> nums;
    for (const auto& f : facts)
      if (f.number) nums.push_back(*f.number);
    if (nums.empty()) return {};
    if (fn == "sum") {
      double s = 0;
      for (double n : nums) s += n;
      return Value::number(s);
    }
    if (fn == "min") return Value::number(*std::min_element(nums.begin(), nums.end()));
    if (fn == "max") return Value::number(*std::max_element(nums.begin(), nums.end()));
    return {};
  }

  Value min_max_of(const Expr& e, bool want_min) const {
    Value best;
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      Value v = arg(e, i);
      if (v.kind != Value::Kind::number) return {};
      if (best.kind == Value::Kind::missing || (want_min ? v.n < best.n : v.n > best.n)) best = v;
    }
    return best;
  }

  const RunResult& r_;
};

void facts_named(const Expr& e, std::vector<std::string>& names) {
  if (e.kind == Expr::Kind::fact && std::find(names.begin(), names.end(), e.text) == names.end())
    names.push_back(e.text);
  for (const auto& a : e.args)
    if (a) facts_named(*a, names);
}

// "counter=1998 expected=2000 tid=4711 (last of 4)"
std::string values_text(const RunResult& r, const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ' ';
    std::size_t n = 0;
    std::optional<FactView> last;
    for (FactView f : r.facts)
      if (f.name == name) {
        ++n;
        last = f;
      }
    out += name + "=" + (last ? escape_for_display(last->value_json) : std::string("(missing)"));
    if (n > 1) out += " (last of " + std::to_string(n) + ")";
  }
  return out;
}

// ---- time bounds --------------------------------------------------------------------------------

std::string event_text(const EventRef& ev) {
  if (ev.kind == EventRef::Kind::start) return "start";
  if (ev.kind == EventRef::Kind::end) return "end";
  return "@" + ev.label + (ev.last ? ".last" : "");
}

std::string time_source(const TimeCheck& tc) {
  std::string s = tc.source;
  if (s.empty()) {
    switch (tc.kind) {
      case TimeCheck::Kind::event: s = event_text(tc.a); break;
      case TimeCheck::Kind::difference: s = event_text(tc.a) + " - " + event_text(tc.b); break;
      case TimeCheck::Kind::span: s = "span " + event_text(tc.a); break;
      case TimeCheck::Kind::total: s = "total"; break;
    }
    const std::string unit = tc.in_units ? "" : "ms";
    s += " " + to_string(tc.op) + " " + format_number(tc.lo, 3) + unit;
    if (tc.op == CmpOp::in_range) s += ".." + format_number(tc.hi, 3) + unit;
  }
  if (s.rfind("time", 0) != 0) s = "time " + s;
  return s;
}

}  // namespace

namespace detail {

// Judges a measured (or median) value against a time check. Shared by grade_run and check() (check.cpp).
TimeMeasure judge_time(std::size_t index, const TimeCheck& tc, std::optional<double> ms, double unit_ms) {
  TimeMeasure m;
  m.check = index;
  m.ms = ms;
  const double scale = tc.in_units ? unit_ms : 1.0;
  m.bound_lo_ms = tc.lo * scale;
  m.bound_hi_ms = tc.op == CmpOp::in_range ? tc.hi * scale : m.bound_lo_ms;
  if (!ms) return m;
  const double v = *ms, lo = m.bound_lo_ms, hi = m.bound_hi_ms;
  m.ok = compare(v, tc.op, lo, hi);
  if (!m.ok) {
    switch (tc.op) {
      case CmpOp::le:
      case CmpOp::lt: m.miss_ms = v - lo; break;
      case CmpOp::ge:
      case CmpOp::gt: m.miss_ms = lo - v; break;
      case CmpOp::in_range: m.miss_ms = v < lo ? lo - v : v - hi; break;
      case CmpOp::eq: m.miss_ms = std::fabs(v - lo); break;
      case CmpOp::ne: m.miss_ms = 0; break;
    }
  }
  return m;
}

// "time @a.last - @b in 1..1.5: measured 2.01u (201.3 ms), bound <= 1.5u (150 ms), missed by ..."
std::string time_message(const TimeCheck& tc, const TimeMeasure& m, double unit_ms, const std::string& why) {
  std::string s = time_source(tc) + ": ";
  if (!m.ms) return s + "cannot measure: " + why;
  std::string op = to_string(tc.op);
  double bound = m.bound_lo_ms;
  if (tc.op == CmpOp::in_range) {
    op = *m.ms < m.bound_lo_ms ? ">=" : "<=";
    bound = *m.ms < m.bound_lo_ms ? m.bound_lo_ms : m.bound_hi_ms;
  }
  s += "measured " + ms_and_units(*m.ms, unit_ms) + ", bound " + op + " " + ms_and_units(bound, unit_ms);
  if (m.miss_ms > 0) s += ", missed by " + ms_and_units(m.miss_ms, unit_ms);
  return s;
}

}  // namespace detail

namespace {

using detail::judge_time;
using detail::time_message;

// The transcript lines of one stream, by position. While every line so far is on this stream (the
// usual case: a flood of stdout) the map is the identity and nothing is stored; after that,
// 4 bytes per line.
class StreamLines {
 public:
  void push(std::size_t line) {
    if (identity_ && line == n_) {
      ++n_;
      return;
    }
    if (identity_) {
      for (std::size_t k = 0; k < n_; ++k) v_.push_back(static_cast<std::uint32_t>(k));
      identity_ = false;
    }
    v_.push_back(static_cast<std::uint32_t>(line));
    ++n_;
  }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  std::size_t operator[](std::size_t p) const { return identity_ ? p : v_[p]; }
  // The position of transcript line `line` (pushed in ascending order), or size() if absent.
  std::size_t position_of(std::size_t line) const {
    if (identity_) return line < n_ ? line : n_;
    auto it = std::lower_bound(v_.begin(), v_.end(), line);
    return it != v_.end() && *it == line ? static_cast<std::size_t>(it - v_.begin()) : n_;
  }

  class const_iterator {
   public:
    const_iterator(const StreamLines* s, std::size_t p) : s_(s), p_(p) {}
    std::size_t operator*() const { return (*s_)[p_]; }
    const_iterator& operator++() { ++p_; return *this; }
    bool operator!=(const const_iterator& o) const { return p_ != o.p_; }
   private:
    const StreamLines* s_;
    std::size_t p_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, n_}; }

 private:
  bool identity_ = true;
  std::size_t n_ = 0;
  std::vector<std::uint32_t> v_;  // a Transcript has < 2^32 lines
};

// ---- the grader ---------------------------------------------------------------------------------

class Grader {
 public:
  Grader(const ExpectFile& e, const RunResult& r, const GradeOptions& o, RunGrade& g)
      : e_(e), r_(r), o_(o), g_(g) {
    std::size_t i = 0;
    for (LineView l : r_.lines) lines_[si(l.stream)].push(i++);
    declare_labels();
  }

  void grade() {
    abandoned_matches.clear();
    judge_ending();
    if (g_.status == Status::error || g_.status == Status::skip) return;
    Scope main = main_scope();
    run_steps(main, e_.steps);
    for (const auto& n : e_.nots) not_check(n);
    for (const auto& c : e_.counts) count_check(c);
    sanitizer_reports();
    // Times and facts only mean something for a run that ended the way the file expects to end.
    if (g_.status == Status::pass) {
      time_checks();
      outcomes();
      requirements();
    }
    abandoned_regexes();
    if (e_.strays_forbidden && !r_.strays.empty())
      fail(file_loc(), "strays: forbidden, but " + escape_for_display(run_remarks(r_).front()));
    for (const auto& b : r_.bad_facts) g_.notes.push_back("not a fact: " + escape_for_display(b));
    if (r_.truncated_facts) g_.notes.push_back("the facts channel passed the output cap");
    if (g_.status == Status::pass && !g_.failures.empty()) g_.status = Status::fail;
    g_.annotations.seal();
  }

 private:
  SourceLoc file_loc() const { return SourceLoc{e_.path, 0, 0}; }
  void fail(const SourceLoc& loc, std::string msg, std::optional<std::size_t> line = std::nullopt) {
    g_.failures.push_back(Finding{loc, std::move(msg), line});
  }
  const StreamLines& lines_of(Stream s) const { return lines_[si(s)]; }
  static int si(Stream s) { return s == Stream::out ? 0 : s == Stream::err ? 1 : 2; }

  void declare_labels() {
    for (const auto& step : e_.steps) {
      if (auto* lc = std::get_if<LineCheck>(&step)) {
        if (!lc->label.empty()) labels_[lc->label];
      } else if (auto* gp = std::get_if<AnyOrderGroup>(&step)) {
        const auto& grp = *gp;
        if (!grp.label.empty()) labels_[grp.label];
        for (const auto& l : grp.lines)
          if (!l.label.empty()) labels_[l.label];
      }
    }
  }
  void bind(const std::string& label, std::size_t line) {
    if (!label.empty()) labels_[label].push_back(line);
  }
  std::string_view text(std::size_t line) const { return r_.lines[line].text; }
  // `problem`: the note says the line broke a rule (a bounded dump shows the lines around it).
  void annotate_line(std::size_t line, std::string_view note, bool problem = false) {
    if (line < r_.lines.size()) g_.annotations.add(line, note, problem);
  }

  // A failure per regex that gave up, at its first abandoned line.
  void abandoned_regexes() {
    std::set<std::string> said;
    for (const auto& a : abandoned_matches) {
      if (!said.insert(a.regex).second) continue;
      const std::string what = "regex " + a.regex + " exceeded the matcher's complexity limit on ";
      bool on_a_line = false;
      for (std::size_t i = 0; i < r_.lines.size() && !on_a_line; ++i) {
        if (r_.lines[i].text.data() != a.line || r_.lines[i].text.empty()) continue;
        const auto& same = lines_of(r_.lines[i].stream);
        const std::size_t nth = same.position_of(i) + 1;
        fail(file_loc(), what + stream_name(r_.lines[i].stream) + " line " + std::to_string(nth), i);
        on_a_line = true;
      }
      if (!on_a_line) fail(file_loc(), what + "a sanitizer report");  // report kinds/texts are not lines
    }
    abandoned_matches.clear();
  }

  // ---- ending
  void judge_ending() {
    const auto& x = e_.exit;
    switch (r_.ending) {
      case Ending::failed_to_start:
        g_.status = Status::error;
        fail(file_loc(), "could not start the program: " + escape_for_display(r_.start_error));
        return;
      case Ending::timed_out:
        g_.status = Status::timeout;
        fail(file_loc(), "timed out: the process group was killed after " + format_number(r_.wall_ms, 1) + " ms");
        return;
      case Ending::flooded: {
        g_.status = Status::flood;
        std::string which = r_.truncated_out ? "stdout" : r_.truncated_err ? "stderr" : "output";
        if (r_.truncated_facts && !r_.truncated_out && !r_.truncated_err) which = "the facts channel";
        fail(file_loc(), which + " passed the output cap: the process group was killed");
        return;
      }
      case Ending::limited:
        g_.status = Status::limit;
        fail(file_loc(), escape_for_display(r_.limit) + ": the case was killed");
        return;
      case Ending::interrupted:
        g_.status = Status::interrupted;
        fail(file_loc(), "interrupted by " + signal_name(r_.signal) + " to conkit: the case was killed");
        return;
      case Ending::signaled:
        if (x.kind == ExitExpectation::Kind::signal && x.signal == r_.signal) return;
        g_.status = Status::crash;
        fail(file_loc(), "killed by " + signal_name(r_.signal) + " (expected exit: " + x.to_string() + ")");
        return;
      case Ending::exited: break;
    }
    const int code = r_.exit_code;
    if (code == exit_code::skip) {
      g_.status = Status::skip;
      g_.skip_reason = skip_reason();
      return;
    }
    bool ok = false;
    switch (x.kind) {
      case ExitExpectation::Kind::any: ok = true; break;
      case ExitExpectation::Kind::nonzero: ok = code != 0; break;
      case ExitExpectation::Kind::signal: ok = false; break;
      case ExitExpectation::Kind::codes:
        ok = std::find(x.codes.begin(), x.codes.end(), code) != x.codes.end();
        break;
    }
    // No exit code is accepted silently, not even a sanitizer's after an expected report: the file
    // says `exit: 0, 66` if it accepts the 66 conkit's sanitizer defaults make them exit with.
    std::string hint;
    if (code == 66 && !r_.sanitizer_reports.empty())
      hint = " (66: a sanitizer reported; `exit: " + x.to_string() + ", 66` accepts that ending)";
    if (!ok) fail(file_loc(), "exited with code " + std::to_string(code) + ", expected exit: " + x.to_string() + hint);
  }

  std::string skip_reason() const {
    if (auto f = last_fact(r_, "skip_reason"))
      return escape_for_display(f->string ? *f->string : f->value_json);
    for (Stream s : {Stream::err, Stream::merged})
      for (std::size_t p = lines_of(s).size(); p-- > 0;)
        if (!r_.lines[lines_of(s)[p]].text.empty()) return escape_for_display(r_.lines[lines_of(s)[p]].text);
    return "exit code " + std::to_string(exit_code::skip);
  }

  // ---- ordered output
  //
  // A Scope is one ordered sequence being matched: the file's output section over the whole run,
  // or a report block over one report's lines. Each stream has a cursor: where matching goes on,
  // the previous check's last line and where its match ended there (for -next and -same), and the
  // ranged nots waiting for the next match to close their range.
  struct PendingNot {
    const RangedNot* check;
    std::size_t from;  // position in the stream's line list
  };
  struct Cursor {
    std::size_t next = 0;
    std::optional<std::size_t> last;
    std::size_t last_end = 0;
    bool stopped = false;
    std::vector<PendingNot> pending;
  };
  struct Scope {
    StreamLines idx[3];  // line indices per stream (out, err, merged)
    Cursor cur[3];
    std::vector<Finding> failures;
    Annotations notes;  // on transcript lines; they become the run's when the scope counts
    std::optional<std::size_t> stopped_at;
    Captures captures;
    bool main = false;  // the output section: labels bind
  };

  Scope main_scope() const {
    Scope sc;
    for (int s = 0; s < 3; ++s) sc.idx[s] = lines_[s];
    sc.main = true;
    return sc;
  }

  void run_steps(Scope& sc, const std::vector<OutputStep>& steps) {
    for (const auto& step : steps) {
      if (auto* lc = std::get_if<LineCheck>(&step)) ordered_line(sc, *lc);
      else if (auto* grp = std::get_if<AnyOrderGroup>(&step)) group(sc, *grp);
      else {
        const auto& n = std::get<RangedNot>(step);
        Cursor& c = sc.cur[si(n.stream)];
        if (!c.stopped) c.pending.push_back(PendingNot{&n, c.next});
      }
    }
    for (Stream s : kStreams) close_nots(sc, s, sc.idx[si(s)].size());
    if (sc.main) {  // the output section writes straight into the run's grade
      for (auto& f : sc.failures) g_.failures.push_back(std::move(f));
      keep_notes(sc);
      if (sc.stopped_at && !g_.stopped_at) g_.stopped_at = sc.stopped_at;
      captures_ = sc.captures;
    }
  }

  // The next match on `s` is at position `upto`: the ranged nots before it hold on [from, upto).
  void close_nots(Scope& sc, Stream s, std::size_t upto) {
    Cursor& c = sc.cur[si(s)];
    if (c.stopped) return c.pending.clear();
    for (const auto& p : c.pending) {
      LineMatcher m(p.check->matcher, &sc.captures);
      if (!m.error().empty()) {
        sc.failures.push_back(Finding{p.check->loc, m.error(), std::nullopt});
        continue;
      }
      const auto& idx = sc.idx[si(s)];
      for (std::size_t q = p.from; q < upto && q < idx.size(); ++q) {
        if (!m.matches(text(idx[q]))) continue;
        std::string range = upto < idx.size() ? " before " + std::string(stream_name(s)) + " line " +
                                                    std::to_string(upto + 1)
                                              : " before the end of " + std::string(stream_name(s));
        sc.notes.add(idx[q], std::string(word(s)) + "-not (" + short_loc(p.check->loc) + ") FORBIDDEN here",
                     /*problem=*/true);
        sc.failures.push_back(Finding{p.check->loc,
                                      std::string(word(s)) + "-not " + p.check->matcher.to_string() + ": " +
                                          stream_name(s) + " line " + std::to_string(q + 1) + " matches, between " +
                                          (p.from == 0 ? std::string("the start") : "line " + std::to_string(p.from)) +
                                          " and the next match" + range + ": \"" +
                                          escape_for_display(std::string(text(idx[q]))) + "\"",
                                      idx[q]});
        break;
      }
    }
    c.pending.clear();
  }

  // Positions in a stream's line list (4 bytes: a Transcript has fewer than 2^32 lines).
  using Positions = std::vector<std::uint32_t>;

  // Up to k positions at or after `from` whose lines match and are not yet claimed.
  Positions take(const Scope& sc, Stream s, std::size_t from, long long k, const LineMatcher& m,
                                const std::set<std::size_t>* claimed) const {
    Positions found;
    const auto& idx = sc.idx[si(s)];
    for (std::size_t p = from; p < idx.size() && static_cast<long long>(found.size()) < k; ++p) {
      if (claimed && claimed->count(idx[p])) continue;
      if (m.find(text(idx[p]))) found.push_back(static_cast<std::uint32_t>(p));
    }
    return found;
  }

  std::string where(const Scope& sc, Stream s) const {
    const std::size_t c = sc.cur[si(s)].next;
    if (c == 0) return std::string("on ") + stream_name(s);
    return std::string("after ") + stream_name(s) + " line " + std::to_string(c);
  }

  // Ordered matching on stream `s` failed at `at` (a position; the cursor if not given): checks
  // after this one on the stream are not tried (FileCheck stops at the first failed CHECK).
  void stop(Scope& sc, Stream s, std::optional<std::size_t> at = std::nullopt) {
    sc.cur[si(s)].stopped = true;
    if (sc.stopped_at) return;
    const auto& idx = sc.idx[si(s)];
    const std::size_t c = at.value_or(sc.cur[si(s)].next);
    sc.stopped_at = c < idx.size() ? idx[c] : r_.lines.size();  // lines.size(): at the end
  }
  std::optional<std::size_t> line_at(const Scope& sc, Stream s, std::size_t pos) const {
    const auto& idx = sc.idx[si(s)];
    if (pos < idx.size()) return idx[pos];
    return std::nullopt;
  }

  std::string check_word(const LineCheck& lc) const { return word(lc.stream) + to_string(lc.adjacency); }

  // "out @label i/k (t.expect:3)" on each line a check matched: one stored form per check, so a
  // check matching a million lines costs a few bytes per line. A line where the check binds a
  // capture gets its own note with the value.
  void annotate(Scope& sc, std::size_t line, const LineCheck& lc, std::uint32_t form, const std::string& head,
                const std::string& tail, std::size_t i, const Captures* before) {
    std::string bound;
    if (before)
      for (const auto& name : lc.matcher.binds) {
        auto it = sc.captures.find(name);
        auto was = before->find(name);
        if (it != sc.captures.end() && (was == before->end() || was->second != it->second))
          bound += " ${" + name + "} = \"" + escape_for_display(it->second) + "\"";
      }
    if (bound.empty()) sc.notes.add_numbered(line, form, i);
    else sc.notes.add(line, head + std::to_string(i) + tail + bound);
  }

  // The matched positions are final: annotate, bind labels, move the cursor, close ranged nots.
  void commit(Scope& sc, const LineCheck& lc, const Positions& found, const std::string& shown_label,
              long long k, const LineMatcher& m) {
    if (found.empty()) return;
    const auto& idx = sc.idx[si(lc.stream)];
    std::string head = check_word(lc);
    if (!shown_label.empty()) head += " @" + shown_label;
    head += " ";
    const std::string tail = "/" + std::to_string(k) + " (" + short_loc(lc.loc) + ")";
    const std::uint32_t form = sc.notes.numbered(head, tail);
    const bool binds = !lc.matcher.binds.empty() && lc.adjacency != Adjacency::empty;
    for (std::size_t i = 0; i < found.size(); ++i) {
      std::optional<Captures> before;
      if (binds) {
        before = sc.captures;
        m.find(text(idx[found[i]]), i == 0 && lc.adjacency == Adjacency::same ? sc.cur[si(lc.stream)].last_end : 0,
               &sc.captures);
      }
      annotate(sc, idx[found[i]], lc, form, head, tail, i + 1, before ? &*before : nullptr);
      if (sc.main) bind(lc.label, idx[found[i]]);
    }
  }

  // A scope's notes become the run's (the output section's; a report block's that held or failed).
  void keep_notes(Scope& sc) {
    if (g_.annotations.empty()) g_.annotations = std::move(sc.notes);
    else g_.annotations.append(sc.notes);
    sc.notes = Annotations();
  }

  // Resolves xK and compiles the matcher; nullopt (and a failure) if either cannot be done.
  std::optional<long long> prepare(Scope& sc, const LineCheck& lc, std::optional<LineMatcher>& m) {
    std::string why;
    auto kk = resolve(lc.times, r_, why);
    if (!kk) {
      sc.failures.push_back(Finding{lc.loc, "cannot count lines for " + lc.matcher.to_string() + ": " + why,
                                    line_at(sc, lc.stream, sc.cur[si(lc.stream)].next)});
      return std::nullopt;
    }
    m.emplace(lc.matcher, &sc.captures);
    if (!m->error().empty()) {
      sc.failures.push_back(Finding{lc.loc, check_word(lc) + " " + lc.matcher.to_string() + ": " + m->error(),
                                    line_at(sc, lc.stream, sc.cur[si(lc.stream)].next)});
      return std::nullopt;
    }
    return kk;
  }

  void ordered_line(Scope& sc, const LineCheck& lc) {
    Cursor& cur = sc.cur[si(lc.stream)];
    if (cur.stopped) return;
    std::optional<LineMatcher> m;
    auto k = prepare(sc, lc, m);
    if (!k) return stop(sc, lc.stream);
    if (lc.adjacency != Adjacency::after) return adjacent_line(sc, lc, *k, *m);
    auto found = take(sc, lc.stream, cur.next, *k, *m, nullptr);
    commit(sc, lc, found, lc.label, *k, *m);
    if (static_cast<long long>(found.size()) < *k) {
      sc.failures.push_back(Finding{lc.loc,
                                    fmt::format("expected {} {} matching {} {}, found {}", *k, lines_word(*k),
                                                lc.matcher.to_string(), where(sc, lc.stream), found.size()),
                                    line_at(sc, lc.stream, cur.next)});
      return stop(sc, lc.stream);
    }
    if (found.empty()) return;
    close_nots(sc, lc.stream, found.front());
    moved(sc, lc.stream, found.back(), *m, 0);
  }

  // The previous check's last line is now `pos`; its match there ends where `m` ends (from `from`).
  void moved(Scope& sc, Stream s, std::size_t pos, const LineMatcher& m, std::size_t from) {
    Cursor& cur = sc.cur[si(s)];
    cur.last = pos;
    auto span = m.find(text(sc.idx[si(s)][pos]), from);
    cur.last_end = span ? span->end : text(sc.idx[si(s)][pos]).size();
    cur.next = pos + 1;
  }

  // -next (the next K lines), -empty (the next K lines are empty), -same (further on the line of
  // the previous match). A break is reported at the line where adjacency failed.
  void adjacent_line(Scope& sc, const LineCheck& lc, long long k, const LineMatcher& m) {
    Cursor& cur = sc.cur[si(lc.stream)];
    const auto& idx = sc.idx[si(lc.stream)];
    const std::string prev = cur.last ? std::string(stream_name(lc.stream)) + " line " + std::to_string(*cur.last + 1)
                                      : std::string("the start of ") + stream_name(lc.stream);
    Positions found;
    if (lc.adjacency == Adjacency::same) {
      if (cur.last && m.find(text(idx[*cur.last]), cur.last_end)) found.push_back(static_cast<std::uint32_t>(*cur.last));
      if (found.empty()) {
        const std::size_t at = cur.last.value_or(0);
        std::string line = at < idx.size() ? "\"" + escape_for_display(std::string(text(idx[at]))) + "\"" : "nothing";
        if (at < idx.size())
          sc.notes.add(idx[at], check_word(lc) + " (" + short_loc(lc.loc) + ") NOT FOUND further on this line",
                       /*problem=*/true);
        sc.failures.push_back(Finding{lc.loc,
                                      check_word(lc) + ": expected " + lc.matcher.to_string() + " further on " + prev +
                                          " (after byte " + std::to_string(cur.last_end) + "), found " + line,
                                      line_at(sc, lc.stream, at)});
        return stop(sc, lc.stream, at);
      }
      commit(sc, lc, found, lc.label, 1, m);
      const std::size_t from = cur.last_end;
      moved(sc, lc.stream, found.back(), m, from);
      return;
    }
    const std::string want = lc.adjacency == Adjacency::empty ? std::string("an empty line") : "a line matching " + lc.matcher.to_string();
    for (long long i = 0; i < k; ++i) {
      const std::size_t p = cur.next + static_cast<std::size_t>(i);
      const bool ok = p < idx.size() && (lc.adjacency == Adjacency::empty ? text(idx[p]).empty()
                                                                          : m.find(text(idx[p])).has_value());
      if (ok) {
        found.push_back(static_cast<std::uint32_t>(p));
        continue;
      }
      commit(sc, lc, found, lc.label, k, m);
      std::string got = p < idx.size() ? "\"" + escape_for_display(std::string(text(idx[p]))) + "\""
                                       : "the end of " + std::string(stream_name(lc.stream));
      if (p < idx.size())
        sc.notes.add(idx[p], check_word(lc) + " (" + short_loc(lc.loc) + ") ADJACENCY BROKEN: expected " + want,
                     /*problem=*/true);
      sc.failures.push_back(Finding{lc.loc,
                                    check_word(lc) + ": expected " + want + " as " + stream_name(lc.stream) + " line " +
                                        std::to_string(p + 1) + " (right after " +
                                        (i == 0 ? prev : "line " + std::to_string(p)) + "), found " + got,
                                    line_at(sc, lc.stream, p)});
      return stop(sc, lc.stream, p);
    }
    commit(sc, lc, found, lc.label, k, m);
    if (found.empty()) return;
    close_nots(sc, lc.stream, found.front());
    moved(sc, lc.stream, found.back(), m, 0);
  }

  void group(Scope& sc, const AnyOrderGroup& grp) {
    for (const auto& lc : grp.lines)
      if (sc.cur[si(lc.stream)].stopped) return;
    std::set<std::size_t> claimed;
    std::optional<std::size_t> first[3], last[3];
    std::optional<Stream> failed;
    std::optional<std::size_t> failed_line;
    for (const auto& lc : grp.lines) {
      std::optional<LineMatcher> m;
      auto k = prepare(sc, lc, m);
      if (!k) {
        if (!failed) failed = lc.stream;
        continue;
      }
      const auto& idx = sc.idx[si(lc.stream)];
      auto found = take(sc, lc.stream, sc.cur[si(lc.stream)].next, *k, *m, &claimed);
      commit(sc, lc, found, lc.label.empty() ? grp.label : lc.label, *k, *m);
      for (std::size_t p : found) {
        claimed.insert(idx[p]);
        if (sc.main) bind(grp.label, idx[p]);
        auto& l = last[si(lc.stream)];
        if (!l || p > *l) l = p;
        auto& f = first[si(lc.stream)];
        if (!f || p < *f) f = p;
      }
      if (static_cast<long long>(found.size()) < *k) {
        sc.failures.push_back(Finding{lc.loc,
                                      fmt::format("expected {} {} matching {} {}, found {}", *k, lines_word(*k),
                                                  lc.matcher.to_string(), where(sc, lc.stream), found.size()),
                                      line_at(sc, lc.stream, sc.cur[si(lc.stream)].next)});
        if (!failed) failed = lc.stream;
      }
    }
    (void)failed_line;
    if (failed) {
      stop(sc, *failed);
      for (const auto& lc : grp.lines) sc.cur[si(lc.stream)].stopped = true;
      return;
    }
    for (Stream s : kStreams) {
      if (!last[si(s)]) continue;
      close_nots(sc, s, *first[si(s)]);
      Cursor& cur = sc.cur[si(s)];
      cur.last = *last[si(s)];
      cur.last_end = text(sc.idx[si(s)][*last[si(s)]]).size();
      cur.next = *last[si(s)] + 1;
    }
  }

  // ---- not / count
  void not_check(const NotCheck& n) {
    LineMatcher m(n.matcher, &captures_);
    if (!m.error().empty()) return fail(n.loc, m.error());
    std::vector<std::size_t> hits;
    for (std::size_t i : lines_of(n.stream))
      if (m.matches(r_.lines[i].text)) {
        hits.push_back(i);
        annotate_line(i, std::string("not ") + word(n.stream) + " (" + short_loc(n.loc) + ") FORBIDDEN",
                      /*problem=*/true);
      }
    if (hits.empty()) return;
    std::string msg = std::string("forbidden ") + stream_name(n.stream) + " line matches " + n.matcher.to_string() +
                      ": \"" + escape_for_display(r_.lines[hits[0]].text) + "\"";
    if (hits.size() > 1) msg += " (and " + std::to_string(hits.size() - 1) + " more)";
    fail(n.loc, msg, hits[0]);
  }

  void count_check(const CountCheck& c) {
    LineMatcher m(c.matcher, &captures_);
    if (!m.error().empty()) return fail(c.loc, m.error());
    long long found = 0;
    for (std::size_t i : lines_of(c.stream))
      if (m.matches(r_.lines[i].text)) ++found;
    std::string why;
    auto n = resolve(c.n, r_, why);
    std::optional<long long> hi = c.op == CmpOp::in_range ? resolve(c.n_hi, r_, why) : n;
    std::string stmt = std::string("count ") + word(c.stream) + " " + c.matcher.to_string() + " " + to_string(c.op) +
                       " " + count_text(c.n) + (c.op == CmpOp::in_range ? ".." + count_text(c.n_hi) : "");
    if (!n || !hi) return fail(c.loc, stmt + ": " + why);
    if (!compare(static_cast<double>(found), c.op, static_cast<double>(*n), static_cast<double>(*hi))) {
      std::string bound = !c.n.fact.empty() ? " (" + count_text(c.n) + " = " + std::to_string(*n) + ")" : "";
      fail(c.loc, stmt + ": found " + std::to_string(found) + bound);
    }
  }

  // ---- sanitizer reports
  //
  // Each `report` statement selects the reports of its tool, kind and `match`; they are expected.
  // In a run that shows some, their number must be in range and, with a block, at least one of
  // them must satisfy it (else the run fails: the report is there but says something else). A run
  // without any is fine here; check() wants one in some run. Reports no statement selects fail.
  bool selects(const ReportExpectation& x, const SanitizerReport& rep, bool with_match = true) const {
    auto tool = sanitizer_tool(rep.tool);
    if (!tool || *tool != x.tool) return false;
    if (x.kind && !LineMatcher(*x.kind, &captures_).matches(rep.kind)) return false;
    if (with_match && x.match && !LineMatcher(*x.match, &captures_, true).matches(rep.text)) return false;
    return true;
  }

  // The report block against one report's lines: its own scope, captures starting from the
  // output section's.
  Scope report_scope(const SanitizerReport& rep) const {
    Scope sc;
    for (std::size_t i = rep.first_line; i <= rep.last_line && i < r_.lines.size(); ++i)
      if (r_.lines[i].stream != Stream::out) sc.idx[1].push(i);  // stderr, or merged under stdio: merged
    sc.captures = captures_;
    return sc;
  }

  static std::string report_words(const SanitizerReport& rep) {
    std::string where = rep.location.empty() ? rep.first_frame : rep.location;
    return rep.tool + " report: " + rep.kind + (where.empty() ? "" : " at " + where);
  }

  void sanitizer_reports() {
    const auto& reports = r_.sanitizer_reports;
    std::vector<bool> expected(reports.size(), false);
    g_.reports_seen.assign(e_.reports.size(), false);
    for (std::size_t x = 0; x < e_.reports.size(); ++x) {
      const auto& want = e_.reports[x];
      std::vector<std::size_t> chosen;
      for (std::size_t i = 0; i < reports.size(); ++i) {
        if (selects(want, reports[i])) chosen.push_back(i);
        // `race: expected` expects every data race; race-match only says which one must be seen.
        else if (want.from_race_header && selects(want, reports[i], false)) {
          expected[i] = true;
          annotate_line(reports[i].first_line, "data race (race-match differs)");
          g_.notes.push_back("expected " + escape_for_display(report_words(reports[i])) +
                             " does not mention race-match " + want.match->to_string());
        }
      }
      for (std::size_t i : chosen) expected[i] = true;
      if (chosen.empty()) continue;
      const long long n = static_cast<long long>(chosen.size());
      if (n < want.min || (want.max >= 0 && n > want.max)) {
        std::string range = std::to_string(want.min) +
                            (want.max == want.min ? "" : ".." + (want.max < 0 ? std::string() : std::to_string(want.max)));
        fail(want.loc, want.to_string() + ": expected " + range + " such reports in a run that shows one, found " +
                           std::to_string(n), reports[chosen.front()].first_line);
      }
      std::optional<Scope> first_try;
      bool held = want.checks.empty();
      for (std::size_t i : chosen) {
        if (held) break;
        Scope sc = report_scope(reports[i]);
        run_steps(sc, want.checks);
        if (sc.failures.empty()) {
          held = true;
          keep_notes(sc);
        } else if (!first_try) {
          first_try = std::move(sc);
        }
      }
      for (std::size_t i : chosen)
        annotate_line(reports[i].first_line, "expected " + rep_kind(reports[i]) + " (" + short_loc(want.loc) + ")");
      if (held) {
        g_.reports_seen[x] = true;
        if (want.from_race_header) g_.race_seen = true;
        continue;
      }
      // The report is there but its text is not what the block says: that fails the run.
      keep_notes(*first_try);
      const Finding& f = first_try->failures.front();
      fail(f.loc, "in the " + report_words(reports[chosen.front()]) + (chosen.size() > 1 ? " (and every other one)" : "") +
                      ": " + f.message, f.line);
    }
    for (std::size_t i = 0; i < reports.size(); ++i) {
      if (expected[i]) continue;
      annotate_line(reports[i].first_line, "UNEXPECTED " + reports[i].tool + " report", /*problem=*/true);
      fail(file_loc(), "unexpected " + escape_for_display(report_words(reports[i])), reports[i].first_line);
    }
  }
  static std::string rep_kind(const SanitizerReport& rep) { return rep.tool + " " + rep.kind; }

  // ---- time bounds
  struct Times {
    std::optional<double> first, last;
    std::string why;
  };
  Times event_times(const std::string& name) const {
    Times t;
    auto it = labels_.find(name);
    std::vector<double> v;
    if (it != labels_.end()) {
      for (std::size_t i : it->second) v.push_back(r_.lines[i].t_ms);
      if (v.empty()) t.why = "no line was bound to @" + name;
    } else {
      for (FactView f : r_.facts)
        if (f.name == name) v.push_back(f.inner_ms ? *f.inner_ms : f.t_ms);
      if (v.empty()) t.why = "@" + name + " is no output label and no fact " + name + " was written";
    }
    if (!v.empty()) {
      t.first = *std::min_element(v.begin(), v.end());
      t.last = *std::max_element(v.begin(), v.end());
    }
    return t;
  }
  std::optional<double> at(const EventRef& ev, std::string& why, bool force_last = false,
                           bool force_first = false) const {
    if (ev.kind == EventRef::Kind::start) return 0.0;
    if (ev.kind == EventRef::Kind::end) return r_.end_ms;
    Times t = event_times(ev.label);
    if (!t.first) {
      why = t.why;
      return std::nullopt;
    }
    if (force_first) return t.first;
    return (ev.last || force_last) ? t.last : t.first;
  }
  std::optional<double> measure(const TimeCheck& tc, std::string& why) const {
    switch (tc.kind) {
      case TimeCheck::Kind::total: return r_.end_ms;
      case TimeCheck::Kind::span: {
        auto lo = at(tc.a, why, false, true), hi = at(tc.a, why, true);
        if (!lo || !hi) return std::nullopt;
        return *hi - *lo;
      }
      case TimeCheck::Kind::difference: {
        auto a = at(tc.a, why), b = at(tc.b, why);
        if (!a || !b) return std::nullopt;
        return *a - *b;
      }
      case TimeCheck::Kind::event: {
        auto a = at(tc.a, why);
        if (!a) return std::nullopt;
        double zero = 0;
        if (!e_.marker.empty()) {
          EventRef m;
          m.label = e_.marker;
          auto z = at(m, why);
          if (!z) {
            why = "marker: " + why;
            return std::nullopt;
          }
          zero = *z;
        }
        return *a - zero;
      }
    }
    return std::nullopt;
  }
  void time_checks() {
    for (std::size_t i = 0; i < e_.times.size(); ++i) {
      const auto& tc = e_.times[i];
      std::string why;
      auto ms = measure(tc, why);
      TimeMeasure m = judge_time(i, tc, ms, o_.unit_ms);
      g_.times.push_back(m);
      // With `timing: median` a single run's bound does not decide: check() judges the medians.
      // An expression that cannot be measured at all fails either way.
      if (!m.ms || (!m.ok && !e_.timing_median)) fail(tc.loc, time_message(tc, m, o_.unit_ms, why) + burst_remark(tc));
    }
  }

  // " (stdout arrived in one burst at exit ...)" when a line the bound reads came in such a burst:
  // the measured time is then the buffer's flush, not the program's.
  std::string burst_remark(const TimeCheck& tc) const {
    for (const EventRef* ev : {&tc.a, &tc.b}) {
      if (ev->kind != EventRef::Kind::label) continue;
      auto it = labels_.find(ev->label);
      if (it == labels_.end()) continue;
      for (std::size_t i : it->second)
        for (const auto& b : bursts_)
          if (in_burst(b, r_, i)) return " (" + burst_note(b, r_.stdio) + ")";
    }
    return "";
  }

  // ---- outcomes and requirements
  std::string values() const {
    std::vector<std::string> names;
    for (const auto& o : e_.outcomes)
      if (o.cond) facts_named(*o.cond, names);
    for (const auto& q : e_.requirements)
      if (q.cond) facts_named(*q.cond, names);
    return values_text(r_, names);
  }
  void outcomes() {
    if (e_.outcomes.empty()) return;
    FactEval ev(r_);
    g_.outcome_values = values();
    for (std::size_t i = 0; i < e_.outcomes.size(); ++i) {
      const auto& rule = e_.outcomes[i];
      if (!rule.cond || ev.cond(*rule.cond) != Truth::yes) continue;
      g_.outcome_rule = i;
      g_.outcome_class = rule.cls;
      if (rule.cls == OutcomeClass::forbidden)
        fail(rule.loc, "forbidden outcome: \"" + rule.description + "\" (" + rule.source + "): " + g_.outcome_values);
      else if (rule.cls == OutcomeClass::interesting)
        g_.notes.push_back("interesting outcome: \"" + rule.description + "\": " + g_.outcome_values);
      return;
    }
    g_.outcome_class = OutcomeClass::forbidden;
    fail(e_.outcomes.front().loc, "unlisted outcome (no outcome rule holds): " + g_.outcome_values);
  }
  void requirements() {
    FactEval ev(r_);
    for (const auto& q : e_.requirements) {
      if (q.cond && ev.cond(*q.cond) == Truth::yes) continue;
      std::vector<std::string> names;
      if (q.cond) facts_named(*q.cond, names);
      fail(q.loc, "requirement does not hold: \"" + q.description + "\" (" + q.source + "): " + values_text(r_, names));
    }
  }

  const ExpectFile& e_;
  const RunResult& r_;
  const GradeOptions& o_;
  RunGrade& g_;
  StreamLines lines_[3];                     // line indices per stream (out, err, merged)
  Captures captures_;                        // as the output section left them
  std::map<std::string, std::vector<std::size_t>> labels_;  // declared labels -> bound lines
  std::vector<OutputBurst> bursts_ = find_exit_bursts(r_);  // streams that arrived in one burst at exit
};

}  // namespace

RunGrade grade_run(const ExpectFile& expect, const RunResult& run, const GradeOptions& options) {
  RunGrade g;
  Grader(expect, run, options, g).grade();
  return g;
}

}  // namespace conkit
