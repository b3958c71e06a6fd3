// cli_flags.hpp — the few flags the fetch and join cases take: `--n N` (how many tasks) and plain
// switches such as `--sequential`. Small on purpose: a case's argv is part of its expectation.
#pragma once

#include <cstdlib>
#include <string_view>

namespace conkit::cases {

// The integer after `name` (e.g. `--n 1000`), or `fallback` when the flag is absent.
inline int int_flag(int argc, char** argv, std::string_view name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return std::atoi(argv[i + 1]);
  return fallback;
}

inline bool has_flag(int argc, char** argv, std::string_view name) {
  for (int i = 1; i < argc; ++i)
    if (name == argv[i]) return true;
  return false;
}

}  // namespace conkit::cases
