// common/stats.hpp — the statistics verdicts are made of (grading's `timing: median`, the claims'
// figures, the calibration), defined once so every verdict combines runs the same way.
#pragma once

#include <cstddef>
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

// p-quantile with linear interpolation between order statistics (p in [0, 1]); for the IQR.
double quantile(std::vector<double> v, double p);

// Median absolute deviation scaled by 1.4826, so it estimates the standard deviation of normal
// data while ignoring a few far-off samples (the calibration's robust noise).
double mad_sigma(const std::vector<double>& v);

// The median's distribution-free confidence interval from order statistics. For n sorted values
// x(1) <= ... <= x(n), the true median lies in [x(k), x(n+1-k)] with probability
// 1 - 2·P(Bin(n, 1/2) <= k-1), whatever the distribution; the narrowest such interval that still
// reaches `level` is returned. Below n = 6 even [min, max] covers less than 95 % (n = 5: 93.75 %):
// the achieved confidence is returned with it, never rounded up.
struct Interval {
  double lo = 0, hi = 0;
  double confidence = 1;  // 1 for a single value
};
Interval median_interval(std::vector<double> v, double level = 0.95);

// Indices of the values outside Tukey's fences [Q1 - 1.5·IQR, Q3 + 1.5·IQR] (none below 4 values).
// Shown beside a figure, never dropped from it.
std::vector<std::size_t> iqr_outliers(const std::vector<double>& v);

}  // namespace conkit::stats
