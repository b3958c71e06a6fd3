// case_args.hpp — read a case's own flags (`--workers 4`, `--variant pool`) without a CLI library.
//
// Cases take few flags, each with a default, so `int_arg(argc, argv, "--workers", 2)` is all they
// need. A flag given without a value, or with a value that is not a number, ends the case with
// exit code 2 and a message: a mistyped command line must not run with silent defaults.
#pragma once

#include <cstdio>
#include <cstdlib>
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

}  // namespace conkit::cases
