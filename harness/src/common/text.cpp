#include "common/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace conkit {

std::string format_number(double v, int decimals) {
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::size_t utf8_at(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  const char32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool valid_utf8(std::string_view s) {
  char32_t cp = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_at(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

namespace {

void append_hex(std::string& out, unsigned char c) {
  static const char* hex = "0123456789abcdef";
  out += "\\x";
  out += hex[c >> 4];
  out += hex[c & 15];
}

}  // namespace

std::string escape_for_display(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  char32_t cp = 0;
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8_at(bytes, i, cp);
    const bool control = n != 0 && (cp < 0x20 || (cp >= 0x7F && cp < 0xA0));  // C0, DEL, C1
    if (n == 0 || control) {
      for (std::size_t k = 0; k < std::max<std::size_t>(n, 1); ++k)
        append_hex(out, static_cast<unsigned char>(bytes[i + k]));
      i += std::max<std::size_t>(n, 1);
    } else {
      out.append(bytes, i, n);
      i += n;
    }
  }
  return out;
}

std::string json_text(std::string_view s) { return valid_utf8(s) ? std::string(s) : escape_for_display(s); }

namespace {

// The entity XML needs for `cp` in text (or, with `attribute`, in an attribute value); nullptr if
// the character stands for itself.
const char* xml_entity(char32_t cp, bool attribute) {
  static constexpr std::pair<char32_t, const char*> kAlways[] = {
      {'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&apos;"}, {'\r', "&#13;"}};
  for (const auto& [c, entity] : kAlways)
    if (c == cp) return entity;
  if (attribute && cp == '\n') return "&#10;";
  if (attribute && cp == '\t') return "&#9;";
  return nullptr;
}

}  // namespace

std::string xml_escape(const std::string& raw, bool attribute) {
  const std::string s = json_text(raw);
  std::string out;
  char32_t cp = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_at(s, i, cp);
    if (n == 0) n = 1, cp = 0xFFFD;
    if (const char* entity = xml_entity(cp, attribute)) out += entity;
    else if (cp < 0x20 && cp != '\n' && cp != '\t') out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    else if (cp == 0xFFFE || cp == 0xFFFF) out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
    else out.append(s, i, n);
    i += n;
  }
  return out;
}

}  // namespace conkit
