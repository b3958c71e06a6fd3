// The expected-file parser's literals: numbers, integers, "strings", /regexes/, matchers, counts
// and durations, each scanned at a Scanner's cursor (docs/expected-format.md, "Grammar").
#include "expect/literals.hpp"

#include <boost/regex.hpp>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

namespace conkit::expect_detail {

// digits [ '.' digits ]; stops before ".." so that `1..2` reads as a range.
std::optional<double> scan_number(Scanner& sc) {
  sc.ws();
  if (!is_digit(sc.peek())) return std::nullopt;
  std::size_t b = sc.pos;
  while (is_digit(sc.peek())) ++sc.pos;
  if (sc.peek() == '.' && is_digit(sc.peek(1))) {
    ++sc.pos;
    while (is_digit(sc.peek())) ++sc.pos;
  }
  double v = 0;
  auto text = sc.s.substr(b, sc.pos - b);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !(v < 1e300))
    sc.fail(static_cast<int>(b) + 1, "expected a number of a sane size, found '" + display(text) + "'");
  return v;
}

long long scan_integer(Scanner& sc, const std::string& what, long long lo, long long hi) {
  sc.ws();
  int at = sc.col();
  if (!is_digit(sc.peek())) sc.expected(what);
  std::size_t b = sc.pos;
  while (is_digit(sc.peek())) ++sc.pos;
  if (is_ident_char(sc.peek()) || (sc.peek() == '.' && sc.peek(1) != '.')) {
    while (is_name_char(sc.peek()) && !(sc.peek() == '.' && sc.peek(1) == '.')) ++sc.pos;
    sc.fail(at, "expected " + what + ", found '" + display(sc.s.substr(b, sc.pos - b)) + "'");
  }
  auto text = sc.s.substr(b, sc.pos - b);
  long long v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || v < lo || v > hi)
    sc.fail(at, "expected " + what + " (" + std::to_string(lo) + ".." + std::to_string(hi) +
                    "), found '" + display(text) + "'");
  return v;
}

namespace {

// A capture use `${name}` at the cursor, if `uses` asks for them: records it (at `text_at` in the
// literal's text, and its column in `cols`) and moves past it. False (no move) if there is none.
bool take_use(Scanner& sc, std::size_t text_at, std::vector<CaptureUse>* uses, UseCols* cols) {
  if (!uses || sc.peek() != '$' || sc.peek(1) != '{' || !is_ident_start(sc.peek(2))) return false;
  std::size_t e = sc.pos + 2;
  while (e < sc.s.size() && is_ident_char(sc.s[e])) ++e;
  if (e >= sc.s.size() || sc.s[e] != '}') return false;
  uses->push_back(CaptureUse{text_at, std::string(sc.s.substr(sc.pos + 2, e - sc.pos - 2))});
  if (cols) cols->cols.push_back(sc.col());
  sc.pos = e + 1;
  return true;
}

[[noreturn]] void unclosed(const Scanner& sc, char delim, const char* what, int open) {
  sc.fail(sc.col(), std::string("expected '") + delim + "' to close the " + what + " opened at col " +
                        std::to_string(open) + ", found end of line");
}

// Inside a literal opened at col `open`: true (and past it) at its closing `delim`, false at any
// other character; at the end of the line it fails the line. (Called once a character: the
// message is built out of line, so that this inlines.)
bool closes(Scanner& sc, char delim, const char* what, int open) {
  if (sc.at_end()) unclosed(sc, delim, what, open);
  if (sc.s[sc.pos] != delim) return false;
  ++sc.pos;
  return true;
}

}  // namespace

// "..." with \" \\ \t \n \r \$ \xNN; the cursor is on the opening quote. With `uses`, `${name}`
// is a capture use (recorded, not part of the text) and `\$` a plain '$'.
std::string scan_string(Scanner& sc, std::vector<CaptureUse>* uses, UseCols* cols) {
  int open = sc.col();
  ++sc.pos;
  std::string out;
  while (!closes(sc, '"', "string", open)) {
    char c = sc.s[sc.pos];
    if (c == '$' && take_use(sc, out.size(), uses, cols)) continue;
    if (c != '\\') {
      out += c;
      ++sc.pos;
      continue;
    }
    int esc = sc.col();
    char e = sc.peek(1);
    auto hexval = [](char h) {
      if (is_digit(h)) return h - '0';
      if (h >= 'a' && h <= 'f') return h - 'a' + 10;
      if (h >= 'A' && h <= 'F') return h - 'A' + 10;
      return -1;
    };
    if (auto byte = unescape_letter(e)) {
      out += *byte;
    } else if (e == '$') {
      out += '$';
    } else if (e == 'x') {
      int hi = hexval(sc.peek(2)), lo = hexval(sc.peek(3));
      if (hi < 0 || lo < 0)
        sc.fail(esc, "expected two hex digits after '\\x', found '" +
                         display(sc.s.substr(sc.pos, 4)) + "'");
      out += static_cast<char>(hi * 16 + lo);
      sc.pos += 2;
    } else {
      sc.fail(esc, "expected an escape (\\\" \\\\ \\t \\n \\r \\$ \\xNN), found '" +
                       display(sc.s.substr(sc.pos, 2)) + "'");
    }
    sc.pos += 2;
  }
  return out;
}

namespace {

// The names of a regex's named groups, (?<name>...), outside escapes.
std::vector<std::string> named_groups(const std::string& re) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\') {
      ++i;
      continue;
    }
    if (re.compare(i, 2, "(?") != 0) continue;
    std::size_t j = i + 2;
    if (j >= re.size() || re[j] != '<' || j + 1 >= re.size() || !is_ident_start(re[j + 1])) continue;
    std::size_t e = j + 1;
    while (e < re.size() && is_ident_char(re[e])) ++e;
    if (e < re.size() && re[e] == '>') {
      std::string n = re.substr(j + 1, e - j - 1);
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  return names;
}

// /.../ where \/ is a slash; other escapes are kept for the regex engine. Validated here (a
// capture use counts as an empty group). With `uses`, `${name}` is a capture use.
std::string scan_regex(Scanner& sc, std::vector<CaptureUse>* uses, UseCols* cols) {
  int open = sc.col();
  ++sc.pos;
  std::string out, checked;
  while (!closes(sc, '/', "regex", open)) {
    char c = sc.s[sc.pos];
    if (c == '$' && take_use(sc, out.size(), uses, cols)) {
      checked += "(?:)";
      continue;
    }
    if (c == '\\' && sc.pos + 1 < sc.s.size()) {
      std::string piece;
      if (sc.s[sc.pos + 1] != '/') piece += '\\';
      piece += sc.s[sc.pos + 1];
      out += piece;
      checked += piece;
      sc.pos += 2;
      continue;
    }
    out += c;
    checked += c;
    ++sc.pos;
  }
  if (out.empty() && (!uses || uses->empty())) sc.fail(open, "expected a non-empty regex, found '//'");
  try {
    boost::regex re(checked, boost::regex::perl);
  } catch (const std::exception& e) {
    sc.fail(open, "expected a valid Perl regex, found /" + display(out, 40) + "/: " +
                      display(e.what(), 200));
  }
  return out;
}

}  // namespace

// "string", ~"substring" or /regex/, capture uses and named groups recorded.
Matcher scan_matcher(Scanner& sc, UseCols* cols) {
  sc.ws();
  Matcher m;
  if (sc.peek() == '"') {
    m.kind = Matcher::Kind::exact;
    m.text = scan_string(sc, &m.uses, cols);
  } else if (sc.peek() == '~' && sc.peek(1) == '"') {
    int open = sc.col();
    ++sc.pos;
    m.kind = Matcher::Kind::substring;
    m.text = scan_string(sc, &m.uses, cols);
    if (m.text.find_first_not_of(" \t") == std::string::npos && m.uses.empty())
      sc.fail(open, "expected a non-blank ~\"substring\", found '~\"" + display(m.text) + "\"'");
  } else if (sc.peek() == '/') {
    m.kind = Matcher::Kind::regex;
    m.text = scan_regex(sc, &m.uses, cols);
    m.binds = named_groups(m.text);
  } else {
    sc.expected("a matcher (\"string\", ~\"substring\" or /regex/)");
  }
  return m;
}

// An integer or $fact.
Count scan_count(Scanner& sc, const std::string& what, long long min) {
  sc.ws();
  Count c;
  if (sc.peek() == '$') {
    ++sc.pos;
    if (!is_ident_start(sc.peek())) sc.expected("a fact name after '$'");
    c.fact = sc.ident();
  } else {
    if (!is_digit(sc.peek())) sc.expected(what);
    c.value = scan_integer(sc, what, min, 1'000'000'000'000LL);
  }
  return c;
}

namespace {

// A unit suffix right after a number, or none.
Unit scan_unit(Scanner& sc) {
  std::size_t b = sc.pos;
  while (is_ident_char(sc.peek())) ++sc.pos;
  auto suffix = sc.s.substr(b, sc.pos - b);
  if (suffix.empty()) return Unit::none;
  if (suffix == "u") return Unit::u;
  if (suffix == "ms") return Unit::ms;
  if (suffix == "s") return Unit::s;
  sc.pos = b;
  sc.expected("a unit (u, ms or s)");
}

}  // namespace

std::optional<CmpOp> accept_cmp(Scanner& sc, std::initializer_list<CmpOp> allowed) {
  static constexpr std::pair<std::string_view, CmpOp> kOps[] = {
      {"==", CmpOp::eq}, {"!=", CmpOp::ne}, {"<=", CmpOp::le}, {">=", CmpOp::ge},
      {"<", CmpOp::lt},  {">", CmpOp::gt},  {"in", CmpOp::in_range}};
  for (auto [text, op] : kOps)
    if (std::find(allowed.begin(), allowed.end(), op) != allowed.end() && sc.accept(text)) return op;
  return std::nullopt;
}

Duration scan_duration(Scanner& sc, bool allow_negative) {
  sc.ws();
  Duration d;
  d.col = sc.col();
  bool negative = allow_negative && sc.peek() == '-';
  if (negative) ++sc.pos;
  auto v = scan_number(sc);
  if (!v) sc.expected("a number");
  d.value = negative ? -*v : *v;
  d.unit = scan_unit(sc);
  return d;
}

}  // namespace conkit::expect_detail
