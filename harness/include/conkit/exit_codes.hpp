// conkit/exit_codes.hpp — the exit codes that mean something across conkit. Header-only: case
// programs get it through conkit/facts.hpp. ctest's SKIP_RETURN_CODE 77 in the CMake files is the
// same `skip`.
#pragma once

namespace conkit::exit_code {

// A case (or `conkit check` of one case) that cannot run here: SKIP, not FAIL (the convention
// Automake and ctest share).
inline constexpr int skip = 77;

// What a ThreadSanitizer-built program exits with after a report (TSan's default `exitcode`).
inline constexpr int tsan_report = 66;

}  // namespace conkit::exit_code
