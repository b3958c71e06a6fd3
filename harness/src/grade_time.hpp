// grade_time.hpp (private) — judging a time check, shared by grade_run() (grade.cpp: one run's
// value) and check() (check.cpp: the median over runs with `timing: median`).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "conkit/expect.hpp"
#include "conkit/grade.hpp"

namespace conkit::detail {

// The measure of time check `index` for a value in ms (empty: an event was missing), its bounds
// resolved with the unit, whether it holds and by how much it missed.
TimeMeasure judge_time(std::size_t index, const TimeCheck& tc, std::optional<double> ms, double unit_ms);

// "time @a.last - @b in 1..1.5: measured 2.01u (201.3 ms), bound <= 1.5u (150 ms), missed by ...";
// `why` says why nothing was measured.
std::string time_message(const TimeCheck& tc, const TimeMeasure& m, double unit_ms, const std::string& why);

}  // namespace conkit::detail
