// The expected-file parser: text -> conkit::ExpectFile (docs/expected-format.md, "Grammar").
//
// The format is line-oriented, so the parser is too: each line is scanned by a Scanner
// (expect/scanner.hpp) that knows the context (a matcher here, an expression there), which is
// what lets `#` start a comment everywhere except inside "strings" and /regexes/. A problem aborts
// only its line (a LineError, caught per line), so one run reports many errors, capped at
// kMaxErrors. Nothing escapes parse_expect(): every input, however broken, yields a ParseResult.
// The literals are in expect/literals.cpp, the fact expressions in expect/fact_expr.cpp, the
// to_string functions in expect/to_string.cpp.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <variant>
#include <vector>

#include "conkit/expect.hpp"
#include "conkit/run.hpp"
#include "conkit/stdio.hpp"

#include "common/signals.hpp"
#include "expect/fact_expr.hpp"
#include "expect/literals.hpp"
#include "expect/scanner.hpp"
#include "expect/stream_uses.hpp"

namespace conkit {

namespace {

using namespace expect_detail;

constexpr std::size_t kMaxErrors = 50;

class FileParser {
 public:
  explicit FileParser(std::string path) { result_.file.path = std::move(path); }

  ParseResult parse(const std::string& text) {
    int lineno = 0;
    std::size_t start = 0;
    Scanner sc;
    while (start <= text.size() && !stopped()) {
      std::size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string_view line(text.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      sc = Scanner{line, ++lineno, 0};
      parse_line(sc);
      start = nl + 1;
    }
    finish(sc);
    return std::move(result_);
  }

 private:
  // An ordered sequence of checks: the file's output section, or one report block. It knows what
  // came last on each stream (adjacency continues a line check) and which captures are bound.
  struct Sequence {
    enum class Prev { none, line, group };
    std::vector<OutputStep>* steps = nullptr;
    Prev prev[3] = {Prev::none, Prev::none, Prev::none};
    std::set<std::string> bound;  // capture names bound by earlier checks
  };

  ParseResult result_;
  ExpectFile& f_ = result_.file;
  bool proves_is_pass_ = false;
  std::map<std::string, int> header_lines_;
  std::map<std::string, int> label_lines_;
  std::set<std::string> env_names_;
  std::optional<AnyOrderGroup> group_;
  std::optional<ReportExpectation> report_;  // an open report block
  Sequence main_{&result_.file.steps, {}, {}};
  Sequence report_seq_;
  SourceLoc marker_loc_;
  SourceLoc race_loc_;
  SourceLoc stdio_loc_;  // where `stdio:` was given

  bool stopped() const { return result_.errors.size() >= kMaxErrors; }
  SourceLoc loc(const Scanner& sc, int col) const { return SourceLoc{f_.path, sc.line, col}; }
  void error(SourceLoc at, std::string message) {
    if (!stopped()) result_.errors.push_back(ParseError{std::move(at), std::move(message)});
  }

  void parse_line(Scanner& sc) {
    sc.ws();
    std::size_t first = sc.s.find_first_not_of(" \t\r\v\f");
    if (first != std::string_view::npos && sc.s[first] == '#') {
      take_proves(sc.s.substr(first + 1));
      return;
    }
    if (sc.at_end()) return;
    try {
      statement(sc);
    } catch (const LineError& e) {
      error(loc(sc, e.col), e.message);
    }
  }

  void take_proves(std::string_view c) {
    while (!c.empty() && is_space(c.front())) c.remove_prefix(1);
    while (!c.empty() && is_space(c.back())) c.remove_suffix(1);
    bool is_pass = c.substr(0, 12) == "Pass proves:";
    if (proves_is_pass_ || (!f_.proves.empty() && !is_pass) || c.empty()) return;
    f_.proves = std::string(c);
    proves_is_pass_ = is_pass;
  }

  // A header is `key:` at the start of a line; returns the key's length, or 0.
  static std::size_t header_key_length(const Scanner& sc) {
    std::size_t j = sc.pos;
    while (j < sc.s.size() && is_keyword_char(sc.s[j])) ++j;
    std::size_t len = j - sc.pos;
    while (j < sc.s.size() && is_space(sc.s[j])) ++j;
    return len > 0 && j < sc.s.size() && sc.s[j] == ':' ? len : 0;
  }

  static int si(Stream s) { return s == Stream::out ? 0 : s == Stream::err ? 1 : 2; }
  static const char* stream_word(Stream s) { return s == Stream::out ? "out" : s == Stream::err ? "err" : "merged"; }

  // Every `${name}` must name a capture an earlier check binds.
  void check_uses(const Scanner& sc, const Matcher& m, const UseCols& cols, const Sequence& seq) const {
    for (std::size_t i = 0; i < m.uses.size(); ++i)
      if (!seq.bound.count(m.uses[i].name))
        sc.fail(i < cols.cols.size() ? cols.cols[i] : sc.col(),
                "expected a capture bound by an earlier check (a named group (?<" + m.uses[i].name +
                    ">...) in an out/err regex), found '${" + display(m.uses[i].name) + "}'");
  }
  Matcher matcher_in(Scanner& sc, const Sequence& seq) {
    UseCols cols;
    Matcher m = scan_matcher(sc, &cols);
    check_uses(sc, m, cols, seq);
    return m;
  }

  // `out`, `err-next`, ...: the stream and the form, or nullopt if `kw` is no line-check keyword.
  struct LineKeyword {
    Stream stream;
    Adjacency adjacency;
    bool ranged_not;
  };
  static std::optional<LineKeyword> line_keyword(const std::string& kw) {
    Stream st;
    std::string rest;
    if (kw.rfind("out", 0) == 0) st = Stream::out, rest = kw.substr(3);
    else if (kw.rfind("err", 0) == 0) st = Stream::err, rest = kw.substr(3);
    else if (kw.rfind("merged", 0) == 0) st = Stream::merged, rest = kw.substr(6);
    else return std::nullopt;
    if (rest.empty()) return LineKeyword{st, Adjacency::after, false};
    if (rest == "-next") return LineKeyword{st, Adjacency::next, false};
    if (rest == "-same") return LineKeyword{st, Adjacency::same, false};
    if (rest == "-empty") return LineKeyword{st, Adjacency::empty, false};
    if (rest == "-not") return LineKeyword{st, Adjacency::after, true};
    return std::nullopt;
  }

  void statement(Scanner& sc) {
    std::size_t start = sc.pos;
    int col = sc.col();
    if (group_) {
      group_line(sc, col);
      return;
    }
    if (header_key_length(sc) > 0) {
      if (report_) sc.fail(col, "expected an err check or '}' in the report block opened at line " +
                                    std::to_string(report_->loc.line) + ", found a header");
      header(sc);
      return;
    }
    Sequence& seq = report_ ? report_seq_ : main_;
    if (sc.peek() == '}') {
      if (report_) return close_report(sc, col);
      sc.fail(col, "expected a statement, found '}' without an open any-order group or report block");
    }
    std::string kw = sc.keyword();
    if (report_) {
      auto lk = line_keyword(kw);
      if (kw == "any-order") {
        open_group(sc, col);
        return;
      }
      if (!lk || lk->stream != Stream::err) {
        sc.pos = start;
        sc.expected("an err check (err, err-next, err-same, err-empty, err-not), any-order or '}' in the "
                    "report block opened at line " + std::to_string(report_->loc.line) +
                    " (a report is stderr text)");
      }
    }
    if (auto lk = line_keyword(kw)) {
      if (lk->ranged_not) {
        RangedNot n{loc(sc, col), lk->stream, matcher_in(sc, seq)};
        sc.expect_eol();
        seq.steps->emplace_back(std::move(n));
        return;
      }
      LineCheck c = line_check(sc, kw, *lk, col, seq);
      seq.prev[si(c.stream)] = Sequence::Prev::line;
      for (const auto& b : c.matcher.binds) seq.bound.insert(b);
      seq.steps->emplace_back(std::move(c));
    } else if (kw == "any-order") {
      open_group(sc, col);
    } else if (kw == "not") {
      NotCheck n{loc(sc, col), stream(sc, "'out', 'err' or 'merged' after 'not'"), {}};
      n.matcher = matcher_in(sc, main_);
      sc.expect_eol();
      f_.nots.push_back(std::move(n));
    } else if (kw == "count") {
      count_check(sc, col);
    } else if (kw == "time") {
      time_check(sc, col, start);
    } else if (kw == "outcome" || kw == "require") {
      outcome(sc, col, kw == "outcome");
    } else if (kw == "report") {
      open_report(sc, col);
    } else {
      sc.pos = start;
      sc.expected("a header or a statement (out, err, merged, out-next, out-same, out-empty, out-not, any-order, "
                  "not, count, report, time, outcome, require)");
    }
  }

  Stream stream(Scanner& sc, const std::string& what) {
    if (sc.accept("out")) return Stream::out;
    if (sc.accept("err")) return Stream::err;
    if (sc.accept("merged")) return Stream::merged;
    sc.expected(what);
  }

  void define_label(const Scanner& sc, const std::string& label, int col) {
    auto [it, fresh] = label_lines_.emplace(label, sc.line);
    if (!fresh)
      error(loc(sc, col), "expected a new label, found '@" + display(label) +
                              "' (already defined at line " + std::to_string(it->second) + ")");
  }

  std::string label(Scanner& sc) {
    ++sc.pos;  // '@'
    if (!is_ident_start(sc.peek())) sc.expected("a label name after '@'");
    return sc.ident();
  }

  // out/err[-next|-same|-empty] [M] [xK] [@label], the keyword already read.
  LineCheck line_check(Scanner& sc, const std::string& kw, const LineKeyword& lk, int col, const Sequence& seq) {
    LineCheck c;
    c.loc = loc(sc, col);
    c.stream = lk.stream;
    c.adjacency = lk.adjacency;
    if (c.adjacency != Adjacency::after && !group_) {
      auto prev = seq.prev[si(c.stream)];
      if (prev != Sequence::Prev::line)
        sc.fail(col, "expected a " + std::string(stream_word(c.stream)) + " check before '" + kw +
                         "' to continue from, found " +
                         (prev == Sequence::Prev::none ? std::string(report_ ? "the start of the report block"
                                                                            : "none on its stream")
                                                       : std::string("an any-order group")));
    }
    if (c.adjacency != Adjacency::empty) c.matcher = matcher_in(sc, seq);
    bool have_times = false;
    int label_col = 0;
    const bool times_allowed = c.adjacency != Adjacency::same;
    while (!sc.eol()) {
      if (times_allowed && !have_times && sc.peek() == 'x' && (is_digit(sc.peek(1)) || sc.peek(1) == '$')) {
        ++sc.pos;
        c.times = scan_count(sc, "a count of lines", 1);
        have_times = true;
      } else if (c.label.empty() && sc.peek() == '@') {
        label_col = sc.col();
        c.label = label(sc);
      } else if (c.adjacency == Adjacency::empty && !have_times && c.label.empty() &&
                 (sc.peek() == '"' || sc.peek() == '/' || sc.peek() == '~')) {
        sc.expected("xCOUNT, @label or end of line ('" + kw + "' takes no matcher)");
      } else {
        sc.expected(!c.label.empty() ? "end of line" : times_allowed ? "xCOUNT, @label or end of line"
                                                                      : "@label or end of line");
      }
    }
    if (!c.label.empty() && report_)
      sc.fail(label_col, "expected no label in a report block (its lines are no events), found '@" + display(c.label) + "'");
    if (!c.label.empty()) define_label(sc, c.label, label_col);
    return c;
  }

  void open_group(Scanner& sc, int col) {
    AnyOrderGroup g;
    g.loc = loc(sc, col);
    int label_col = 0;
    sc.ws();
    if (sc.peek() == '@') {
      label_col = sc.col();
      g.label = label(sc);
    }
    sc.expect("{", "'{' to open the any-order group");
    sc.expect_eol();
    if (!g.label.empty()) define_label(sc, g.label, label_col);
    group_ = std::move(g);
  }

  void group_line(Scanner& sc, int col) {
    std::string opened = std::to_string(group_->loc.line);
    Sequence& seq = report_ ? report_seq_ : main_;
    if (sc.peek() == '}') {
      AnyOrderGroup g = close_block(sc, col, group_, &AnyOrderGroup::lines, "out/err line", "any-order group");
      for (const auto& l : g.lines) {
        seq.prev[si(l.stream)] = Sequence::Prev::group;
        for (const auto& b : l.matcher.binds) seq.bound.insert(b);
      }
      seq.steps->emplace_back(std::move(g));
      return;
    }
    std::size_t start = sc.pos;
    std::string kw = sc.keyword();
    auto lk = line_keyword(kw);
    const bool plain = lk && lk->adjacency == Adjacency::after && !lk->ranged_not;
    if (!plain || (report_ && lk->stream != Stream::err)) {
      sc.pos = start;
      std::string which = report_ ? "'err'" : "'out', 'err', 'merged'";
      sc.expected(which + " or '}' in the any-order group opened at line " + opened +
                  (kw == "any-order" ? " (groups do not nest)"
                   : lk ? " (adjacency and ranged not have no place in a group)" : ""));
    }
    LineCheck c = line_check(sc, kw, *lk, col, seq);
    group_->lines.push_back(std::move(c));
  }

  // report TOOL [KIND] [xN | xN..M | xN..] [match M] [{]
  void open_report(Scanner& sc, int col) {
    ReportExpectation r;
    r.loc = loc(sc, col);
    sc.ws();
    int tool_col = sc.col();
    std::string tool = sc.keyword();
    auto t = sanitizer_tool(tool);
    if (!t) {
      sc.pos = static_cast<std::size_t>(tool_col - 1);
      sc.expected("a sanitizer (tsan, asan, lsan, ubsan, ThreadSanitizer, AddressSanitizer, LeakSanitizer, "
                  "UndefinedBehaviorSanitizer)");
    }
    r.tool = *t;
    sc.ws();
    if (sc.peek() == '"' || sc.peek() == '/' || sc.peek() == '~') r.kind = matcher_in(sc, main_);
    bool open_block = false, have_count = false;
    while (!sc.eol()) {
      if (!have_count && sc.peek() == 'x' && is_digit(sc.peek(1))) {
        ++sc.pos;
        have_count = true;
        r.min = scan_integer(sc, "a number of reports", 1, 1'000'000);
        r.max = r.min;
        if (sc.accept("..")) {
          sc.ws();
          if (is_digit(sc.peek())) {
            int hi_col = sc.col();
            r.max = scan_integer(sc, "a number of reports", 1, 1'000'000);
            if (r.max < r.min)
              sc.fail(hi_col, "expected A <= B in xA..B, found " + std::to_string(r.min) + ".." + std::to_string(r.max));
          } else {
            r.max = -1;
          }
        }
      } else if (!r.match && sc.accept("match")) {
        r.match = matcher_in(sc, main_);
      } else if (sc.peek() == '{') {
        ++sc.pos;
        open_block = true;
        sc.expect_eol();
        break;
      } else {
        sc.expected(r.kind ? "xCOUNT, match, '{' or end of line" : "a kind (\"string\" or /regex/), xCOUNT, match, '{' or end of line");
      }
    }
    if (!open_block) {
      f_.reports.push_back(std::move(r));
      return;
    }
    report_ = std::move(r);
    report_seq_ = Sequence{};
    report_seq_.steps = &report_->checks;
    report_seq_.bound = main_.bound;
  }

  void close_report(Scanner& sc, int col) {
    f_.reports.push_back(close_block(sc, col, report_, &ReportExpectation::checks, "err check", "report block"));
  }

  // The '}' at the cursor closes the `open` block (an any-order group, a report block): takes the
  // block out, and fails the line unless it holds at least one of its `items` (named `what`).
  template <class Block, class Item>
  static Block close_block(Scanner& sc, int col, std::optional<Block>& open, std::vector<Item> Block::*items,
                           const std::string& what, const std::string& block) {
    ++sc.pos;
    Block b = std::move(*open);
    open.reset();
    sc.expect_eol();
    if ((b.*items).empty())
      sc.fail(col, "expected at least one " + what + " in the " + block + " opened at line " +
                       std::to_string(b.loc.line) + ", found '}'");
    return b;
  }

  void count_check(Scanner& sc, int col) {
    CountCheck c;
    c.loc = loc(sc, col);
    c.stream = stream(sc, "'out', 'err' or 'merged' after 'count'");
    c.matcher = matcher_in(sc, main_);
    auto op = accept_cmp(sc, {CmpOp::eq, CmpOp::ne, CmpOp::le, CmpOp::ge, CmpOp::lt, CmpOp::gt, CmpOp::in_range});
    if (!op) sc.expected("a comparison (==, !=, <=, >=, <, >, in A..B)");
    c.op = *op;
    c.n = scan_count(sc, "a number of lines or $fact", 0);
    if (c.op == CmpOp::in_range) {
      sc.expect("..", "'..' in A..B");
      sc.ws();
      int hi_col = sc.col();
      c.n_hi = scan_count(sc, "a number of lines or $fact", 0);
      if (c.n.fact.empty() && c.n_hi.fact.empty() && c.n.value > c.n_hi.value)
        sc.fail(hi_col, "expected A <= B in A..B, found " + std::to_string(c.n.value) + ".." +
                            std::to_string(c.n_hi.value));
    }
    sc.expect_eol();
    f_.counts.push_back(std::move(c));
  }

  EventRef event(Scanner& sc) {
    sc.ws();
    EventRef e;
    if (sc.peek() == '@') {
      e.label = label(sc);
      if (sc.peek() == '.') {
        ++sc.pos;
        if (sc.accept("last")) e.last = true;
        else if (!sc.accept("first")) sc.expected("'first' or 'last' after '.'");
      }
    } else if (sc.accept("start")) {
      e.kind = EventRef::Kind::start;
    } else if (sc.accept("end")) {
      e.kind = EventRef::Kind::end;
    } else {
      sc.expected("an event (@label, @label.first, @label.last, start or end)");
    }
    return e;
  }

  void time_check(Scanner& sc, int col, std::size_t start) {
    TimeCheck t;
    t.loc = loc(sc, col);
    if (sc.accept("total")) {
      t.kind = TimeCheck::Kind::total;
    } else if (sc.accept("span")) {
      t.kind = TimeCheck::Kind::span;
      sc.ws();
      if (sc.peek() != '@') sc.expected("'@label' after 'span'");
      t.a = event(sc);
    } else {
      t.a = event(sc);
      sc.ws();
      if (sc.peek() == '-') {
        ++sc.pos;
        t.kind = TimeCheck::Kind::difference;
        t.b = event(sc);
      }
    }
    auto op = accept_cmp(sc, {CmpOp::le, CmpOp::ge, CmpOp::lt, CmpOp::gt, CmpOp::in_range});
    if (!op) sc.expected("a comparison (<=, >=, <, >, in A..B)");
    t.op = *op;
    Duration lo = scan_duration(sc, true);
    Duration hi = lo;
    if (t.op == CmpOp::in_range) {
      sc.expect("..", "'..' in A..B");
      hi = scan_duration(sc, true);
      if (lo.unit == Unit::none) lo.unit = hi.unit;
      if (hi.unit == Unit::none) hi.unit = lo.unit;
      if ((lo.unit == Unit::u) != (hi.unit == Unit::u))
        sc.fail(hi.col, "expected the same kind of unit on both ends (u, or ms/s), found '" +
                            display(sc.s.substr(lo.col - 1, sc.pos - lo.col + 1)) + "'");
    }
    auto resolve = [](const Duration& d) { return d.unit == Unit::s ? d.value * 1000 : d.value; };
    t.in_units = lo.unit == Unit::none || lo.unit == Unit::u;
    t.lo = resolve(lo);
    t.hi = resolve(hi);
    if (t.op == CmpOp::in_range && t.lo > t.hi)
      sc.fail(lo.col, "expected A <= B in A..B, found '" +
                          display(sc.s.substr(lo.col - 1, sc.pos - lo.col + 1)) + "'");
    std::size_t end = sc.pos;
    sc.expect_eol();
    t.source = std::string(sc.s.substr(start, end - start));
    f_.times.push_back(std::move(t));
  }

  void outcome(Scanner& sc, int col, bool is_outcome) {
    PExpr cond = parse_condition(sc, f_.path);
    std::string source(sc.s.substr(cond.begin, cond.end - cond.begin));
    OutcomeClass cls = OutcomeClass::acceptable;
    if (is_outcome) {
      if (sc.accept("ACCEPTABLE")) cls = OutcomeClass::acceptable;
      else if (sc.accept("INTERESTING")) cls = OutcomeClass::interesting;
      else if (sc.accept("FORBIDDEN")) cls = OutcomeClass::forbidden;
      else sc.expected("ACCEPTABLE, INTERESTING or FORBIDDEN");
    }
    sc.ws();
    if (sc.peek() != '"') sc.expected("a \"description\"");
    std::string description = scan_string(sc);
    bool must_see = is_outcome && sc.accept("must-see");
    sc.expect_eol();
    if (is_outcome)
      f_.outcomes.push_back(OutcomeRule{loc(sc, col), cond.e, cls, description, must_see, source});
    else
      f_.requirements.push_back(Requirement{loc(sc, col), cond.e, description, source});
  }

  // ---- headers ----
  //
  // Every header key is one row of header_keys(): its name, whether it may appear on several
  // lines (each adding a value), and the member that parses its value. To add a key, add a row
  // and a value parser; the unknown-key message and the once-only rule follow from the table.

  using ValueParser = void (FileParser::*)(Scanner& sc, int value_col);
  struct HeaderKey {
    std::string_view key;
    bool repeatable;  // env, inherit: one value per line, any number of lines
    ValueParser value;
  };

  static const std::vector<HeaderKey>& header_keys() {
    static const std::vector<HeaderKey> keys = {
        {"scenario", false, &FileParser::scenario_value},
        {"model", false, &FileParser::model_value},
        {"claims", false, &FileParser::claims_value},
        {"exit", false, &FileParser::exit_header},
        {"timeout", false, &FileParser::timeout_value},
        {"repeat", false, &FileParser::repeat_value},
        {"timing", false, &FileParser::timing_value},
        {"marker", false, &FileParser::marker_value},
        {"race", false, &FileParser::race_value},
        {"race-match", false, &FileParser::race_match_value},
        {"deflake", false, &FileParser::deflake_value},
        {"env", true, &FileParser::env_value},
        {"inherit", true, &FileParser::inherit_value},
        {"run", false, &FileParser::run_value},
        {"sanitizer-options", true, &FileParser::sanitizer_options_value},
        {"memory-limit", false, &FileParser::memory_limit_value},
        {"process-limit", false, &FileParser::process_limit_value},
        {"cpu-limit", false, &FileParser::cpu_limit_value},
        {"output-limit", false, &FileParser::output_limit_value},
        {"strays", false, &FileParser::strays_value},
        {"stdio", false, &FileParser::stdio_value},
    };
    return keys;
  }

  static const HeaderKey* find_header(std::string_view key) {
    for (const auto& h : header_keys())
      if (h.key == key) return &h;
    return nullptr;
  }

  static std::string header_key_list() {
    std::string out;
    for (const auto& h : header_keys()) out += (out.empty() ? "" : ", ") + std::string(h.key);
    return out;
  }

  void header(Scanner& sc) {
    int key_col = sc.col();
    std::string key = sc.keyword();
    sc.expect(":", "':'");
    const HeaderKey* h = find_header(key);
    if (!h) sc.fail(key_col, "expected a header key (" + header_key_list() + "), found '" + display(key) + "'");
    if (!h->repeatable) {
      auto [it, fresh] = header_lines_.emplace(key, sc.line);
      if (!fresh)
        sc.fail(key_col, "expected each header once, found a second '" + key + ":' (first at line " +
                             std::to_string(it->second) + ")");
    }
    sc.ws();
    (this->*(h->value))(sc, sc.col());
  }

  void scenario_value(Scanner& sc, int) { f_.scenario = required_name(sc, "scenario"); }
  void model_value(Scanner& sc, int) { f_.model = required_name(sc, "model"); }
  std::string required_name(Scanner& sc, const std::string& key) {
    std::string n = sc.name();
    if (n.empty()) sc.expected("a " + key + " name");
    sc.expect_eol();
    return n;
  }

  // WORD[,] WORD[,] ... to the end of the line, each WORD read by `word` (named `what` in the
  // message when one is missing).
  static void word_list(Scanner& sc, std::string (Scanner::*word)(), const std::string& what,
                        std::vector<std::string>& out) {
    do {
      std::string w = (sc.*word)();
      if (w.empty()) sc.expected(what);
      out.push_back(w);
      sc.accept(",");
    } while (!sc.eol());
  }

  void claims_value(Scanner& sc, int) { word_list(sc, &Scanner::name, "a claim id", f_.claims); }

  void exit_header(Scanner& sc, int) { f_.exit = exit_value(sc); }

  void timeout_value(Scanner& sc, int value_col) {
    Duration d = scan_duration(sc, false);
    require_suffix(sc, d);
    if (d.value <= 0) sc.fail(value_col, "expected a positive duration, found '" + display(sc.s.substr(value_col - 1, sc.pos - value_col + 1)) + "'");
    if (d.unit == Unit::u) f_.timeout_units = d.value;
    else f_.timeout_ms = d.unit == Unit::s ? d.value * 1000 : d.value;
    sc.expect_eol();
  }

  void timing_value(Scanner& sc, int) {
    if (sc.accept("median")) f_.timing_median = true;
    else if (sc.accept("all")) f_.timing_median = false;
    else sc.expected("'all' or 'median'");
    sc.expect_eol();
  }

  void marker_value(Scanner& sc, int value_col) {
    if (sc.peek() != '@') sc.expected("'@label'");
    f_.marker = label(sc);
    marker_loc_ = loc(sc, value_col);
    sc.expect_eol();
  }

  void race_value(Scanner& sc, int value_col) {
    race_loc_ = loc(sc, value_col);
    if (sc.accept("expected")) f_.race_expected = true;
    else if (sc.accept("forbidden")) f_.race_expected = false;
    else sc.expected("'expected' or 'forbidden'");
    sc.expect_eol();
  }

  void race_match_value(Scanner& sc, int) {
    f_.race_match = matcher_in(sc, main_);
    sc.expect_eol();
  }

  // The runner's limits (conkit/run.hpp parse_size / parse_duration_ms read the same forms).
  std::string limit_text(Scanner& sc) {
    sc.ws();
    std::size_t end = sc.pos;
    while (end < sc.s.size() && sc.s[end] != '#') ++end;
    std::string t(sc.s.substr(sc.pos, end - sc.pos));
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
    return t;
  }
  std::uint64_t size_limit(Scanner& sc, int value_col) {
    auto v = parse_size(limit_text(sc));
    if (!v || *v == 0) sc.fail(value_col, "expected a size such as 512KiB, 64MiB or 2GiB, found " + sc.found());
    sc.pos = sc.s.size();
    return *v;
  }
  void memory_limit_value(Scanner& sc, int value_col) { f_.memory_limit = size_limit(sc, value_col); }
  void output_limit_value(Scanner& sc, int value_col) { f_.output_limit = size_limit(sc, value_col); }
  void process_limit_value(Scanner& sc, int) {
    f_.process_limit = static_cast<std::uint64_t>(scan_integer(sc, "a number of processes", 1, 1'000'000));
    sc.expect_eol();
  }
  void cpu_limit_value(Scanner& sc, int value_col) {
    auto v = parse_duration_ms(limit_text(sc));
    if (!v || *v <= 0) sc.fail(value_col, "expected a CPU time such as 500ms or 2s, found " + sc.found());
    sc.pos = sc.s.size();
    f_.cpu_limit_ms = *v;
  }
  void strays_value(Scanner& sc, int) {
    if (sc.accept("forbidden")) f_.strays_forbidden = true;
    else if (sc.accept("allowed")) f_.strays_forbidden = false;
    else sc.expected("'allowed' or 'forbidden'");
    sc.expect_eol();
  }

  void deflake_value(Scanner& sc, int) {
    f_.deflake = static_cast<int>(scan_integer(sc, "a number of extra runs", 0, 1'000'000));
    sc.expect_eol();
  }

  // sanitizer-options: TOOL KEY=VALUE[:KEY=VALUE ...]  (':' or blanks between options)
  void sanitizer_options_value(Scanner& sc, int value_col) {
    std::string tool = sc.keyword();
    auto t = sanitizer_tool(tool);
    if (!t) {
      sc.pos = static_cast<std::size_t>(value_col - 1);
      sc.expected("a sanitizer (tsan, asan, lsan, ubsan)");
    }
    sc.ws();
    std::string options;
    while (!sc.eol()) {
      int at = sc.col();
      std::string key = sc.ident();
      if (key.empty() || sc.peek() != '=') {
        sc.pos = static_cast<std::size_t>(at - 1);
        sc.expected("a sanitizer option KEY=VALUE");
      }
      ++sc.pos;
      std::size_t b = sc.pos;
      while (sc.pos < sc.s.size() && !is_space(sc.s[sc.pos]) && sc.s[sc.pos] != ':' && sc.s[sc.pos] != '#') ++sc.pos;
      if (sc.pos == b) sc.expected("a value after '" + key + "='");
      options += (options.empty() ? "" : ":") + key + "=" + std::string(sc.s.substr(b, sc.pos - b));
      if (sc.peek() == ':') ++sc.pos;
    }
    if (options.empty()) sc.expected("a sanitizer option KEY=VALUE");
    f_.sanitizer_options.emplace_back(*t, options);
  }

  void inherit_value(Scanner& sc, int) {
    word_list(sc, &Scanner::ident, "an environment variable name", f_.inherit);
  }

  void stdio_value(Scanner& sc, int value_col) {
    std::string mode = sc.keyword();
    f_.stdio = parse_stdio_mode(mode);
    if (!f_.stdio)
      sc.fail(value_col, "expected 'pipe', 'pty' or 'merged', found " + (mode.empty() ? sc.found() : "'" + display(mode) + "'"));
    stdio_loc_ = loc(sc, value_col);
    sc.expect_eol();
  }

  // run: PROGRAM ARG...: blank-separated words of name characters (letters, digits, _ - .).
  void run_value(Scanner& sc, int) {
    do {
      std::string word = sc.name();
      if (word.empty()) sc.expected("a program or argument (letters, digits, '_', '-', '.')");
      f_.run.push_back(word);
    } while (!sc.eol());
  }

  void require_suffix(Scanner& sc, const Duration& d) {
    if (d.unit == Unit::none)
      sc.fail(sc.col(), "expected a unit (u, ms or s) after the number, found " + sc.found());
  }

  void repeat_value(Scanner& sc, int value_col) {
    Duration d = scan_duration(sc, false);
    if (d.unit == Unit::none) {
      std::size_t end = sc.pos;
      sc.pos = static_cast<std::size_t>(value_col - 1);
      f_.repeat = static_cast<int>(scan_integer(sc, "a number of runs or a duration", 1, 1'000'000));
      sc.pos = end;
    } else {
      if (d.value <= 0) sc.fail(value_col, "expected a positive duration, found '" + display(sc.s.substr(value_col - 1, sc.pos - value_col + 1)) + "'");
      if (d.unit == Unit::u) f_.repeat_budget_units = d.value;
      else f_.repeat_budget_ms = d.unit == Unit::s ? d.value * 1000 : d.value;
    }
    sc.expect_eol();
  }

  ExitExpectation exit_value(Scanner& sc) {
    ExitExpectation e;
    if (sc.accept("any")) {
      e.kind = ExitExpectation::Kind::any;
    } else if (sc.accept("nonzero")) {
      e.kind = ExitExpectation::Kind::nonzero;
    } else if (sc.accept("signal")) {
      e.kind = ExitExpectation::Kind::signal;
      sc.ws();
      if (is_digit(sc.peek())) {
        e.signal = static_cast<int>(scan_integer(sc, "a signal number", 1, 64));
      } else {
        int at = sc.col();
        e.signal = signal_number(sc.ident());
        if (e.signal == 0) {
          sc.pos = static_cast<std::size_t>(at - 1);
          sc.expected("a signal name (TERM, SIGKILL, ...) or number");
        }
      }
    } else {
      e.codes.clear();
      do e.codes.push_back(static_cast<int>(scan_integer(sc, "an exit code, any, nonzero or signal", 0, 255)));
      while (sc.accept(","));
    }
    sc.expect_eol();
    return e;
  }

  void env_value(Scanner& sc, int name_col) {
    std::string n = sc.ident();
    if (n.empty()) sc.expected("NAME=VALUE");
    sc.expect("=", "'=' after the variable name");
    sc.ws();
    std::string value;
    if (sc.peek() == '"') {
      value = scan_string(sc);
      sc.expect_eol();
    } else {
      std::size_t b = sc.pos;
      while (sc.pos < sc.s.size() && sc.s[sc.pos] != '#') ++sc.pos;
      std::size_t e = sc.pos;
      while (e > b && is_space(sc.s[e - 1])) --e;
      value = std::string(sc.s.substr(b, e - b));
    }
    if (!env_names_.insert(n).second)
      sc.fail(name_col, "expected each env name once, found a second '" + n + "'");
    f_.env.emplace_back(n, value);
  }

  // ---- end of file ----

  void finish(const Scanner& last) {
    const SourceLoc end{f_.path, last.line, static_cast<int>(last.s.size()) + 1};
    if (group_) {
      error(end, "expected '}' to close the any-order group opened at line " +
                     std::to_string(group_->loc.line) + ", found end of file");
      group_.reset();
    }
    if (report_) {
      error(end, "expected '}' to close the report block opened at line " +
                     std::to_string(report_->loc.line) + ", found end of file");
      report_.reset();
    }
    if (f_.race_expected) {  // `race: expected` is `report tsan "data race" [match M]`
      ReportExpectation r;
      r.loc = race_loc_;
      r.tool = SanitizerTool::thread;
      r.kind = Matcher{Matcher::Kind::exact, "data race", {}, {}};
      r.match = f_.race_match;
      r.from_race_header = true;
      f_.reports.push_back(std::move(r));
    }
    if (!f_.marker.empty() && !label_lines_.count(f_.marker))
      error(marker_loc_, "expected an output label defined in this file, found '@" +
                             display(f_.marker) + "'");
    if (f_.scenario.empty() && !header_lines_.count("scenario"))
      error(SourceLoc{f_.path, 1, 1}, "expected a 'scenario:' header, found end of file");
    if (f_.model.empty() && !header_lines_.count("model"))
      error(SourceLoc{f_.path, 1, 1}, "expected a 'model:' header, found end of file");
    check_streams_match_stdio();
  }

  // Under `stdio: merged` stdout and stderr are one stream, read only by `merged` checks; without
  // it there is no merged stream. A check on a stream the run cannot have is an error here. (A
  // report block's err checks read the report's own lines, whichever stream carried them.)
  void check_streams_match_stdio() {
    const bool merged = f_.stdio == StdioMode::merged;
    auto check = [&](const SourceLoc& at, Stream s) {
      if (merged && s != Stream::merged)
        error(at, std::string("expected 'merged' (stdio: merged at line ") + std::to_string(stdio_loc_.line) +
                      " puts stdout and stderr on one stream), found '" + stream_word(s) + "'");
      else if (!merged && s == Stream::merged)
        error(at, "expected 'out' or 'err', found 'merged' (a merged stream needs the header 'stdio: merged')");
    };
    for_each_stream_use(f_, check);
  }
};

}  // namespace

ParseResult parse_expect(const std::string& text, const std::string& path) {
  try {
    return FileParser(path).parse(text);
  } catch (const std::exception& e) {  // bad_alloc and the like: still an answer, not a throw
    ParseResult r;
    r.file.path = path;
    r.errors.push_back(ParseError{SourceLoc{path, 1, 1},
                                  std::string("expected a parsable file, found an internal error: ") + e.what()});
    return r;
  }
}

ParseResult parse_expect_file(const std::string& path) {
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  std::string text;
  int err = 0;
  if (!fp) {
    err = errno;
  } else {
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, fp)) > 0) text.append(buf, n);
    if (std::ferror(fp)) err = errno ? errno : EIO;
    std::fclose(fp);
  }
  if (err != 0) {
    ParseResult r;
    r.file.path = path;
    r.errors.push_back(ParseError{SourceLoc{path, 0, 0}, std::string("cannot read file: ") + std::strerror(err)});
    return r;
  }
  return parse_expect(text, path);
}

}  // namespace conkit
