// case_args.hpp — read a case's own flags (`--workers 4`, `--variant pool`) without a CLI library.
//
// Cases take few flags, each with a default (a case's argv is part of its expectation: keep it
// small): `int_arg(argc, argv, "--workers", 2)`, `range_arg(..., "--peers", peers, 1, 64)`,
// `choice_arg(..., "--variant", variant, {"racy", "mutex"})`, `has_flag(..., "--sequential")`.
// A flag without a value, a value that is not a number, out of range or not among the choices
// ends the case with exit code 2 and a message: a mistyped command line must not run with silent
// defaults.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

namespace conkit::cases {

inline const char* raw_arg(int argc, char** argv, std::string_view name) {
  for (int i = 1; i < argc; ++i) {
    if (name != argv[i]) continue;
    if (i + 1 < argc) return argv[i + 1];
    std::fprintf(stderr, "flag %s needs a value\n", argv[i]);
    std::exit(2);
  }
  return nullptr;
}

inline std::string string_arg(int argc, char** argv, std::string_view name, std::string fallback) {
  const char* v = raw_arg(argc, argv, name);
  return v ? std::string(v) : fallback;
}

inline double number_arg(int argc, char** argv, std::string_view name, double fallback) {
  const char* v = raw_arg(argc, argv, name);
  if (!v) return fallback;
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  if (end == v || *end != '\0') {
    std::fprintf(stderr, "flag %s: not a number: %s\n", std::string(name).c_str(), v);
    std::exit(2);
  }
  return d;
}

inline int int_arg(int argc, char** argv, std::string_view name, int fallback) {
  return static_cast<int>(number_arg(argc, argv, name, fallback));
}

// A whole number in [lo, hi] into `value` (kept when the flag is absent); anything else exits 2.
template <class Int>
void range_arg(int argc, char** argv, std::string_view name, Int& value, long long lo, long long hi) {
  const double d = number_arg(argc, argv, name, static_cast<double>(value));
  if (d != static_cast<double>(static_cast<long long>(d)) || d < lo || d > hi) {
    std::fprintf(stderr, "flag %s: %g is not a whole number in %lld..%lld\n", std::string(name).c_str(), d, lo, hi);
    std::exit(2);
  }
  value = static_cast<Int>(d);
}

// One of `choices` into `value` (kept when the flag is absent); anything else exits 2.
inline void choice_arg(int argc, char** argv, std::string_view name, std::string& value,
                       std::initializer_list<std::string_view> choices) {
  value = string_arg(argc, argv, name, value);
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    std::fprintf(stderr, "flag %s: unknown value %s\n", std::string(name).c_str(), value.c_str());
    std::exit(2);
  }
}

// A switch without a value (`--sequential`).
inline bool has_flag(int argc, char** argv, std::string_view name) {
  for (int i = 1; i < argc; ++i)
    if (name == argv[i]) return true;
  return false;
}

}  // namespace conkit::cases
