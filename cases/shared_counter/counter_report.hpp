// counter_report.hpp — how every native shared_counter case ends: its facts (docs/facts.md) and
// the line a person sees, the same in every model (the Python cases print it too):
//   counter = 7993211 of 8000000
#pragma once

#include <string>

#include <conkit/facts.hpp>

namespace conkit::cases {

inline void report_counter(const char* model, const std::string& variant, int workers, int iterations, long counter) {
  const long expected = long{workers} * iterations;
  fact("model", model);
  fact("variant", variant);
  fact("workers", workers);
  fact("iterations", iterations);
  fact("expected", expected);
  fact("counter", counter);
  fact("lost", expected - counter);  // updates the parent does not see: lost, or never shared
  say("counter = " + std::to_string(counter) + " of " + std::to_string(expected));
}

}  // namespace conkit::cases
