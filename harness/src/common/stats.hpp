// common/stats.hpp — the statistics verdicts are made of (grading's `timing: median`, the claims'
// figures, the calibration), defined once so every verdict combines runs the same way.
#pragma once

#include <vector>

namespace conkit::stats {

// The middle value (the mean of the two middle ones for an even count); 0 for no values.
double median(std::vector<double> v);

// The nearest-rank p-quantile, p in (0, 1]: the smallest value with at least p of them at or
// below it; 0 for no values.
double percentile(std::vector<double> v, double p);

double mean(const std::vector<double>& v);

// Coefficient of variation: population standard deviation over the mean (0 when the mean is 0).
double coefficient_of_variation(const std::vector<double>& v);

}  // namespace conkit::stats
