// common/text.hpp — how the harness shows numbers and raw bytes: one rule each for the text
// report, the JSON and JUnit reports, the claims reports and the grader's messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace conkit {

// A number with at most `decimals` decimals and no trailing zeros: 150, 1.5, 201.3 ("-0" is "0").
std::string format_number(double v, int decimals);

// Decodes the UTF-8 code point at s[i] into `cp`; returns its length in bytes, 0 if the bytes
// there are not valid UTF-8 (overlong, surrogate, above U+10FFFF, cut short).
std::size_t utf8_at(std::string_view s, std::size_t i, char32_t& cp);
bool valid_utf8(std::string_view s);

// Shows raw bytes printable: valid UTF-8 as is, invalid bytes and C0/C1 control characters as \xNN.
std::string escape_for_display(std::string_view bytes);

// Text a JSON document can carry (JSON must be valid UTF-8): `s` itself if it is valid UTF-8,
// else escape_for_display(s).
std::string json_text(std::string_view s);

// Escapes for XML 1.0 (and HTML, SVG) text or, with `attribute`, attribute values. Bytes that are
// not UTF-8 are shown escaped first; control characters XML cannot carry become \xNN.
std::string xml_escape(const std::string& raw, bool attribute = false);

}  // namespace conkit
