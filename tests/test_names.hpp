// test_names.hpp — printable names for parameterized tests: gtest shows a parameter it cannot
// print as a byte dump ("16-byte object <57-1A ...>"); these name each instance after its row.
#pragma once

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace conkit::testing_names {

// "L245_count_out_hit_3" from a prefix and any text: letters and digits kept, runs of anything
// else one '_', at most 48 characters of the text (gtest names must be unique and [A-Za-z0-9_]).
inline std::string param_name(const std::string& prefix, std::string_view text) {
  std::string name = prefix;
  bool gap = !name.empty();
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      if (gap && !name.empty()) name += '_';
      name += c;
      gap = false;
    } else {
      gap = true;
    }
    if (name.size() >= prefix.size() + 48) break;
  }
  return name;
}

}  // namespace conkit::testing_names
