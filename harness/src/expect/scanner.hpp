// expect/scanner.hpp — the expected-file parser's line cursor (private to the harness).
//
// The format is line-oriented, so the parser is too: each line is scanned by a Scanner that the
// caller drives with the context it knows (a matcher here, an expression there), which is what
// lets `#` start a comment everywhere except inside "strings" and /regexes/. A problem aborts
// only its line: Scanner::fail throws a LineError, which the file parser catches per line.
#pragma once

#include <utility>
#include <cstddef>
#include <string>
#include <string_view>

namespace conkit::expect_detail {

// ---- display helpers -------------------------------------------------------------------------

// One byte as \xNN.
std::string hex_byte(unsigned char c);

// Bytes as they may safely appear in a message: printable ASCII kept, the rest as \xNN.
std::string display(std::string_view s, std::size_t max = 32);

inline bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
// Names of scenarios, models and claim ids: async-concurrent-io, python_asyncio, v1.2.
inline bool is_name_char(char c) { return is_ident_char(c) || c == '-' || c == '.'; }
// Keywords and header keys: any-order, must-see, race-match.
inline bool is_keyword_char(char c) { return is_ident_char(c) || c == '-'; }

// ---- the line scanner ------------------------------------------------------------------------

struct LineError {
  int col;
  std::string message;
};

// A cursor over one line. Every consumer skips the whitespace *before* its token and leaves the
// cursor right after it, so `pos` after a construct is where its source text ends.
struct Scanner {
  std::string_view s;
  int line = 0;
  std::size_t pos = 0;

  int col() const { return static_cast<int>(pos) + 1; }
  bool at_end() const { return pos >= s.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos + ahead < s.size() ? s[pos + ahead] : '\0';
  }
  // Skips blanks; a `#` here starts a comment that runs to the end of the line.
  void ws() {
    while (pos < s.size() && is_space(s[pos])) ++pos;
    if (pos < s.size() && s[pos] == '#') pos = s.size();
  }
  bool eol() {
    ws();
    return at_end();
  }

  [[noreturn]] void fail(int at_col, std::string message) const {
    throw LineError{at_col, std::move(message)};
  }
  // "expected WHAT, found <the token here>", at the token.
  [[noreturn]] void expected(const std::string& what) {
    ws();
    fail(col(), "expected " + what + ", found " + found());
  }

  // The token at the cursor, quoted for a message, or "end of line".
  std::string found() const;

  // Consumes `text` if it is next (a word must not run on into more word characters).
  bool accept(std::string_view text) {
    ws();
    if (s.substr(pos, text.size()) != text) return false;
    if (is_ident_char(text.back()) && pos + text.size() < s.size() &&
        is_ident_char(s[pos + text.size()]))
      return false;
    pos += text.size();
    return true;
  }
  void expect(std::string_view text, const std::string& what) {
    if (!accept(text)) expected(what);
  }
  void expect_eol() {
    if (!eol()) expected("end of line");
  }

  // The run of characters from the cursor (after blanks) that `in_word` accepts; may be empty.
  template <class InWord>
  std::string take_while(InWord in_word) {
    ws();
    std::size_t b = pos;
    while (pos < s.size() && in_word(s[pos])) ++pos;
    return std::string(s.substr(b, pos - b));
  }
  // [A-Za-z_][A-Za-z0-9_]* or empty.
  std::string ident() {
    ws();
    if (at_end() || !is_ident_start(s[pos])) return {};
    return take_while(is_ident_char);
  }
  std::string name() { return take_while(is_name_char); }
  // A keyword: letters, digits, '_' and '-' (any-order, must-see).
  std::string keyword() { return take_while(is_keyword_char); }
};

}  // namespace conkit::expect_detail
