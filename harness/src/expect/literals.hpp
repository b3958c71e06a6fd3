// expect/literals.hpp — the expected-file parser's literal scanners (private to the harness).
// Each skips the blanks before its literal, leaves the cursor right after it, and fails the
// line (Scanner::fail) with an "expected ..., found ..." message when the literal is malformed.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "conkit/expect.hpp"
#include "expect/scanner.hpp"

namespace conkit::expect_detail {

// digits [ '.' digits ]; stops before ".." so that `1..2` reads as a range. nullopt (no move)
// if no digit is next.
std::optional<double> scan_number(Scanner& sc);

// A whole number in lo..hi; `what` names it in the message.
long long scan_integer(Scanner& sc, const std::string& what, long long lo, long long hi);

// Where a matcher's `${name}` uses are, for the messages about unbound captures.
struct UseCols {
  std::vector<int> cols;  // one per Matcher::uses entry
};

// The one-letter escapes of a "string", both ways: \LETTER reads as BYTE, and BYTE prints as
// \LETTER (Matcher::to_string). `\$` reads as '$' too, but prints only where a '$' would start a
// capture use; other control bytes print as \xNN.
struct LetterEscape {
  char letter;
  char byte;
};
inline constexpr LetterEscape kLetterEscapes[] = {
    {'"', '"'}, {'\\', '\\'}, {'t', '\t'}, {'n', '\n'}, {'r', '\r'}};
inline std::optional<char> unescape_letter(char letter) {
  for (const auto& e : kLetterEscapes)
    if (e.letter == letter) return e.byte;
  return std::nullopt;
}
inline std::optional<char> escape_letter(char byte) {
  for (const auto& e : kLetterEscapes)
    if (e.byte == byte) return e.letter;
  return std::nullopt;
}

// "..." with \" \\ \t \n \r \$ \xNN; the cursor is on the opening quote. With `uses`, `${name}`
// is a capture use (recorded, not part of the text) and `\$` a plain '$'.
std::string scan_string(Scanner& sc, std::vector<CaptureUse>* uses = nullptr, UseCols* cols = nullptr);

// "string", ~"substring" or /regex/, capture uses and named groups recorded.
Matcher scan_matcher(Scanner& sc, UseCols* cols = nullptr);

// An integer (at least `min`) or $fact.
Count scan_count(Scanner& sc, const std::string& what, long long min);

// A comparison operator at the cursor, one of `allowed` (==, !=, <=, >=, <, >, in): the operator
// written there, or nullopt (and no move) if none of them is. `<=` is tried before `<`.
std::optional<CmpOp> accept_cmp(Scanner& sc, std::initializer_list<CmpOp> allowed);

enum class Unit { none, u, ms, s };

struct Duration {
  double value = 0;
  Unit unit = Unit::none;
  int col = 0;
};

// A number with an optional unit suffix (and a leading '-' if `allow_negative`).
Duration scan_duration(Scanner& sc, bool allow_negative);

}  // namespace conkit::expect_detail
