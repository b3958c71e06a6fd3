// overhead.hpp — how every spawn_overhead case reports what one unit of concurrency costs.
//
// Each case measures two things on K units of its model, memory first (so memory freed by the
// timing phase cannot be reused and hide the cost): idle_kib_per_unit, the memory one unit holds
// while all K wait at once, and per_unit_us, the time to create and finish one unit. Outcomes here
// are sanity ranges; comparing the models is the claims layer's job.
#pragma once

#include <cstdint>
#include <string>

#include <case_args.hpp>
#include <memory_use.hpp>
#include <conkit/facts.hpp>

namespace conkit::cases {

inline int report_overhead(const char* model, int units, std::int64_t t0_ns, std::int64_t t1_ns, long idle_kib) {
  const double per_unit_us = static_cast<double>(t1_ns - t0_ns) / 1e3 / units;
  const double idle_kib_per_unit = static_cast<double>(idle_kib) / units;
  fact("unit_ms", unit().count());
  fact("model", model);
  fact("units", units);
  fact("per_unit_us", per_unit_us);
  fact("idle_kib_per_unit", idle_kib_per_unit);
  say(std::string(model) + ": " + std::to_string(units) + " units");
  say("create+finish: " + std::to_string(per_unit_us) + " us per unit");
  say("idle memory: " + std::to_string(idle_kib_per_unit) + " KiB per unit");
  say("done");
  return 0;
}

}  // namespace conkit::cases
