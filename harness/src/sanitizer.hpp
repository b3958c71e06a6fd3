// sanitizer.hpp (private) — finds ThreadSanitizer / AddressSanitizer / LeakSanitizer / UBSan report
// blocks in a run's stderr lines; run() fills RunResult::sanitizer_reports with it.
#pragma once

#include <vector>

#include "conkit/run.hpp"

namespace conkit {

std::vector<SanitizerReport> find_sanitizer_reports(const Transcript& lines);

}  // namespace conkit
