// The expected-file parser's line cursor: what it shows of a line in a message.
#include "expect/scanner.hpp"

#include <algorithm>

namespace conkit::expect_detail {

std::string hex_byte(unsigned char c) {
  static constexpr char digits[] = "0123456789abcdef";
  return std::string{'\\', 'x', digits[c >> 4], digits[c & 15]};
}

std::string display(std::string_view s, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += hex_byte(c);
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string Scanner::found() const {
  if (at_end()) return "end of line";
  std::size_t end = pos + 1;
  char c = s[pos];
  if (is_ident_char(c) || c == '@' || c == '$') {
    while (end < s.size() && (is_name_char(s[end]))) ++end;
  } else if (c == '"') {
    while (end < s.size() && s[end] != '"') end += s[end] == '\\' ? 2 : 1;
    end = std::min(end + 1, s.size());
  } else {
    static constexpr std::string_view two[] = {"<=", ">=", "==", "!=", ".."};
    for (auto t : two)
      if (s.substr(pos, 2) == t) end = pos + 2;
  }
  return "'" + display(s.substr(pos, end - pos), 24) + "'";
}

}  // namespace conkit::expect_detail
