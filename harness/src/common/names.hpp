// common/names.hpp — a closed enum's names, kept in one table per enum so that printing a value
// and parsing its name can never disagree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace conkit::detail {

template <class Enum, std::size_t N>
using NameTable = std::pair<Enum, std::string_view>[N];

// The name of `value` in `table`, or `fallback` for a value the table does not list.
template <class Enum, std::size_t N>
std::string name_of(const NameTable<Enum, N>& table, Enum value, std::string_view fallback = "?") {
  for (const auto& [v, name] : table)
    if (v == value) return std::string(name);
  return std::string(fallback);
}

// The value named `text` in `table`, if any.
template <class Enum, std::size_t N>
std::optional<Enum> value_named(const NameTable<Enum, N>& table, std::string_view text) {
  for (const auto& [v, name] : table)
    if (name == text) return v;
  return std::nullopt;
}

}  // namespace conkit::detail
