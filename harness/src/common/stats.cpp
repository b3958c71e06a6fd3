#include "common/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace conkit::stats {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size(), std::max<std::size_t>(rank, 1)) - 1];
}

double mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double coefficient_of_variation(const std::vector<double>& v) {
  const double m = mean(v);
  if (m <= 0) return 0;
  double var = 0;
  for (double x : v) var += (x - m) * (x - m);
  return std::sqrt(var / static_cast<double>(v.size())) / m;
}

double quantile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = p * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(pos));
  const double frac = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] + frac * (v[i + 1] - v[i]) : v[i];
}

double mad_sigma(const std::vector<double>& v) {
  const double m = median(v);
  std::vector<double> dev;
  for (double x : v) dev.push_back(std::fabs(x - m));
  return 1.4826 * median(dev);
}

namespace {
// P(Bin(n, 1/2) <= k).
double binomial_half_cdf(std::size_t n, std::size_t k) {
  double term = std::pow(0.5, static_cast<double>(n)), sum = 0;  // C(n, 0) / 2^n
  for (std::size_t i = 0; i <= k && i <= n; ++i) {
    sum += term;
    term = term * static_cast<double>(n - i) / static_cast<double>(i + 1);
  }
  return sum;
}
}  // namespace

Interval median_interval(std::vector<double> v, double level) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  if (n == 1) return {v[0], v[0], 1};
  std::size_t best = 1;  // [min, max]
  for (std::size_t k = 2; 2 * k <= n + 1; ++k)
    if (1 - 2 * binomial_half_cdf(n, k - 1) >= level) best = k;
    else break;
  return {v[best - 1], v[n - best], 1 - 2 * binomial_half_cdf(n, best - 1)};
}

std::vector<std::size_t> iqr_outliers(const std::vector<double>& v) {
  std::vector<std::size_t> out;
  if (v.size() < 4) return out;
  const double q1 = quantile(v, 0.25), q3 = quantile(v, 0.75), iqr = q3 - q1;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] < q1 - 1.5 * iqr || v[i] > q3 + 1.5 * iqr) out.push_back(i);
  return out;
}

}  // namespace conkit::stats
