// fact_parse.hpp — private: reads one facts-channel line into a FactLog.
#pragma once

#include <cstdint>
#include <string_view>

#include "conkit/transcript.hpp"

namespace conkit::detail {

// Parses `line` as a fact object {"fact": name, "value": v, "t_ns": n, "pid": p, "tid": t} and
// appends it to `log`; returns false (and appends nothing) if it is not one. The flat objects the
// facts writers produce are read by a small scanner without building a JSON tree; anything else
// (escapes, non-ASCII strings, nested values, repeated keys) goes through nlohmann::json with the
// same result.
bool add_fact_line(std::string_view line, double arrival_ms, std::int64_t spawn_ns, FactLog& log);

}  // namespace conkit::detail
