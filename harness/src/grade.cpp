// grade.cpp — judge one run against its expected file (grade_run): pure, no running. The rules are
// those of docs/expected-format.md; each rule is one method of Grader, in the order the document
// lists them. Running and combining runs into a case result is check.cpp.
#include "conkit/grade.hpp"
#include "conkit/exit_codes.hpp"

#include "common/findings.hpp"
#include "common/signals.hpp"
#include "common/text.hpp"
#include "grade_time.hpp"

#include <algorithm>
#include <cmath>
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

const char* word(Stream s) { return s == Stream::out ? "out" : "err"; }
const char* stream_name(Stream s) { return s == Stream::out ? "stdout" : "stderr"; }

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

// A compiled Matcher: whole-line equality, or a Perl regex searched in the line.
class LineMatcher {
 public:
  explicit LineMatcher(const Matcher& m) : m_(m) {
    if (m.kind != Matcher::Kind::regex) return;
    try {
      re_.assign(m.text, boost::regex::perl);
    } catch (const std::exception& e) {
      error_ = std::string("invalid regex ") + m.to_string() + ": " + e.what();
    }
  }
  const std::string& error() const { return error_; }
  bool matches(std::string_view line) const {
    if (m_.kind == Matcher::Kind::exact) return line == m_.text;
    if (!error_.empty()) return false;
    try {
      return boost::regex_search(line.data(), line.data() + line.size(), re_);
    } catch (const std::exception&) {
      return false;  // boost gives up on pathological backtracking: treat as no match
    }
  }

 private:
  const Matcher& m_;
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

// ---- the grader ---------------------------------------------------------------------------------

class Grader {
 public:
  Grader(const ExpectFile& e, const RunResult& r, const GradeOptions& o, RunGrade& g)
      : e_(e), r_(r), o_(o), g_(g) {
    g_.annotations.resize(r_.lines.size());
    for (std::size_t i = 0; i < r_.lines.size(); ++i)
      (r_.lines[i].stream == Stream::out ? out_ : err_).push_back(i);
    declare_labels();
  }

  void grade() {
    judge_ending();
    if (g_.status == Status::error || g_.status == Status::skip) return;
    for (const auto& step : e_.steps) {
      if (auto* lc = std::get_if<LineCheck>(&step)) ordered_line(*lc);
      else group(std::get<AnyOrderGroup>(step));
    }
    for (const auto& n : e_.nots) not_check(n);
    for (const auto& c : e_.counts) count_check(c);
    sanitizer_reports();
    // Times and facts only mean something for a run that ended the way the file expects to end.
    if (g_.status == Status::pass) {
      time_checks();
      outcomes();
      requirements();
    }
    for (const auto& b : r_.bad_facts) g_.notes.push_back("not a fact: " + escape_for_display(b));
    if (r_.truncated_facts) g_.notes.push_back("the facts channel passed the output cap");
    if (g_.status == Status::pass && !g_.failures.empty()) g_.status = Status::fail;
  }

 private:
  SourceLoc file_loc() const { return SourceLoc{e_.path, 0, 0}; }
  void fail(const SourceLoc& loc, std::string msg, std::optional<std::size_t> line = std::nullopt) {
    g_.failures.push_back(Finding{loc, std::move(msg), line});
  }
  const std::vector<std::size_t>& lines_of(Stream s) const { return s == Stream::out ? out_ : err_; }
  int si(Stream s) const { return s == Stream::out ? 0 : 1; }

  void declare_labels() {
    for (const auto& step : e_.steps) {
      if (auto* lc = std::get_if<LineCheck>(&step)) {
        if (!lc->label.empty()) labels_[lc->label];
      } else {
        const auto& grp = std::get<AnyOrderGroup>(step);
        if (!grp.label.empty()) labels_[grp.label];
        for (const auto& l : grp.lines)
          if (!l.label.empty()) labels_[l.label];
      }
    }
  }
  void bind(const std::string& label, std::size_t line) {
    if (!label.empty()) labels_[label].push_back(line);
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
    // TSan exits 66 after reporting; with an expected race that is the normal ending.
    if (!ok && code == exit_code::tsan_report && e_.race_expected && o_.sanitizer == Sanitizer::tsan) ok = true;
    if (!ok) fail(file_loc(), "exited with code " + std::to_string(code) + ", expected exit: " + x.to_string());
  }

  std::string skip_reason() const {
    if (auto f = last_fact(r_, "skip_reason"))
      return escape_for_display(f->string ? *f->string : f->value_json);
    for (auto it = err_.rbegin(); it != err_.rend(); ++it)
      if (!r_.lines[*it].text.empty()) return escape_for_display(r_.lines[*it].text);
    return "exit code " + std::to_string(exit_code::skip);
  }

  // ---- ordered output
  // Up to k positions (in the stream's line list) at or after `from` whose lines match and are
  // not yet claimed.
  std::vector<std::size_t> take(Stream s, std::size_t from, long long k, const LineMatcher& m,
                                const std::set<std::size_t>* claimed) const {
    std::vector<std::size_t> found;
    const auto& idx = lines_of(s);
    for (std::size_t p = from; p < idx.size() && static_cast<long long>(found.size()) < k; ++p) {
      if (claimed && claimed->count(idx[p])) continue;
      if (m.matches(r_.lines[idx[p]].text)) found.push_back(p);
    }
    return found;
  }

  std::string where(Stream s) const {
    const std::size_t c = cursor_[si(s)];
    if (c == 0) return std::string("on ") + stream_name(s);
    return std::string("after ") + stream_name(s) + " line " + std::to_string(c);
  }

  // Ordered matching on stream `s` failed at its cursor: checks after this one on the stream are
  // not tried (FileCheck stops at the first failed CHECK; the cursor has no meaning past it).
  void stop(Stream s) {
    stopped_[si(s)] = true;
    if (g_.stopped_at) return;
    const auto& idx = lines_of(s);
    const std::size_t c = cursor_[si(s)];
    g_.stopped_at = c < idx.size() ? idx[c] : r_.lines.size();  // lines.size(): at the end
  }
  std::optional<std::size_t> cursor_line(Stream s) const {
    const auto& idx = lines_of(s);
    const std::size_t c = cursor_[si(s)];
    if (c < idx.size()) return idx[c];
    return std::nullopt;
  }

  void annotate(std::size_t line, const LineCheck& lc, const std::string& label, std::size_t i, long long k) {
    std::string a = word(lc.stream);
    if (!label.empty()) a += " @" + label;
    a += " " + std::to_string(i) + "/" + std::to_string(k) + " (" + short_loc(lc.loc) + ")";
    g_.annotations[line].push_back(std::move(a));
  }

  // Matches one out/err check; returns the positions found, or nullopt if the count is invalid.
  std::optional<std::vector<std::size_t>> match_line(const LineCheck& lc, const std::set<std::size_t>* claimed,
                                                     const std::string& shown_label, long long& k) {
    std::string why;
    auto kk = resolve(lc.times, r_, why);
    if (!kk) {
      fail(lc.loc, "cannot count lines for " + lc.matcher.to_string() + ": " + why, cursor_line(lc.stream));
      return std::nullopt;
    }
    k = *kk;
    LineMatcher m(lc.matcher);
    if (!m.error().empty()) {
      fail(lc.loc, m.error());
      return std::nullopt;
    }
    auto found = take(lc.stream, cursor_[si(lc.stream)], k, m, claimed);
    const auto& idx = lines_of(lc.stream);
    for (std::size_t i = 0; i < found.size(); ++i) {
      annotate(idx[found[i]], lc, shown_label, i + 1, k);
      bind(lc.label, idx[found[i]]);
    }
    if (static_cast<long long>(found.size()) < k) {
      fail(lc.loc,
           fmt::format("expected {} {} matching {} {}, found {}", k, lines_word(k), lc.matcher.to_string(),
                       where(lc.stream), found.size()),
           cursor_line(lc.stream));
    }
    return found;
  }

  void ordered_line(const LineCheck& lc) {
    if (stopped_[si(lc.stream)]) return;
    long long k = 0;
    auto found = match_line(lc, nullptr, lc.label, k);
    if (!found || static_cast<long long>(found->size()) < k) {
      stop(lc.stream);
      return;
    }
    if (!found->empty()) cursor_[si(lc.stream)] = found->back() + 1;
  }

  void group(const AnyOrderGroup& grp) {
    for (const auto& lc : grp.lines)
      if (stopped_[si(lc.stream)]) return;
    std::set<std::size_t> claimed;
    std::optional<std::size_t> last[2];
    std::optional<Stream> failed;
    for (const auto& lc : grp.lines) {
      long long k = 0;
      auto found = match_line(lc, &claimed, lc.label.empty() ? grp.label : lc.label, k);
      const auto& idx = lines_of(lc.stream);
      if (found) {
        for (std::size_t p : *found) {
          claimed.insert(idx[p]);
          bind(grp.label, idx[p]);
          auto& l = last[si(lc.stream)];
          if (!l || p > *l) l = p;
        }
      }
      if ((!found || static_cast<long long>(found->size()) < k) && !failed) failed = lc.stream;
    }
    if (failed) {
      stop(*failed);
      for (const auto& lc : grp.lines) stopped_[si(lc.stream)] = true;
      return;
    }
    for (int s = 0; s < 2; ++s)
      if (last[s]) cursor_[s] = *last[s] + 1;
  }

  // ---- not / count
  void not_check(const NotCheck& n) {
    LineMatcher m(n.matcher);
    if (!m.error().empty()) return fail(n.loc, m.error());
    std::vector<std::size_t> hits;
    for (std::size_t i : lines_of(n.stream))
      if (m.matches(r_.lines[i].text)) {
        hits.push_back(i);
        g_.annotations[i].push_back(std::string("not ") + word(n.stream) + " (" + short_loc(n.loc) + ") FORBIDDEN");
      }
    if (hits.empty()) return;
    std::string msg = std::string("forbidden ") + stream_name(n.stream) + " line matches " + n.matcher.to_string() +
                      ": \"" + escape_for_display(r_.lines[hits[0]].text) + "\"";
    if (hits.size() > 1) msg += " (and " + std::to_string(hits.size() - 1) + " more)";
    fail(n.loc, msg, hits[0]);
  }

  void count_check(const CountCheck& c) {
    LineMatcher m(c.matcher);
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
  void sanitizer_reports() {
    const bool race_ok = e_.race_expected && o_.sanitizer == Sanitizer::tsan;
    std::optional<LineMatcher> race_match;
    if (e_.race_match) race_match.emplace(*e_.race_match);
    for (const auto& rep : r_.sanitizer_reports) {
      const bool is_race = rep.tool == "ThreadSanitizer" && rep.kind == "data race";
      std::string where = rep.location.empty() ? rep.first_frame : rep.location;
      std::string what = rep.tool + " report: " + rep.kind + (where.empty() ? "" : " at " + where);
      if (race_ok && is_race) {
        bool matches = !race_match || race_match->matches(rep.text);
        if (matches) g_.race_seen = true;
        else g_.notes.push_back("expected " + escape_for_display(what) + " does not mention race-match " +
                                e_.race_match->to_string());
        if (rep.first_line < g_.annotations.size())
          g_.annotations[rep.first_line].push_back(matches ? "expected data race" : "data race (race-match differs)");
        continue;
      }
      if (rep.first_line < g_.annotations.size())
        g_.annotations[rep.first_line].push_back("UNEXPECTED " + rep.tool + " report");
      fail(file_loc(), "unexpected " + escape_for_display(what), rep.first_line);
    }
  }

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
      if (!m.ms || (!m.ok && !e_.timing_median)) fail(tc.loc, time_message(tc, m, o_.unit_ms, why));
    }
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
  std::vector<std::size_t> out_, err_;       // line indices per stream
  std::size_t cursor_[2] = {0, 0};           // position in out_/err_
  bool stopped_[2] = {false, false};
  std::map<std::string, std::vector<std::size_t>> labels_;  // declared labels -> bound lines
};

}  // namespace

RunGrade grade_run(const ExpectFile& expect, const RunResult& run, const GradeOptions& options) {
  RunGrade g;
  Grader(expect, run, options, g).grade();
  return g;
}

}  // namespace conkit
