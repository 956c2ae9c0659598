#include "kvtrace/report/binning.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace kvtrace::report {
namespace {

// The smallest of 1, 2, 5 times a power of ten that is at least `x` (> 0).
double nice_step(double x) {
  const double decade = std::pow(10.0, std::floor(std::log10(x)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * decade >= x) return m * decade;
  }
  return 10 * decade;
}

}  // namespace

bool spans_decades(double lo, double hi) {
  return lo > 0 && hi / lo >= 100;
}

std::vector<Point> Histogram::points() const {
  std::vector<Point> out;
  if (counts.empty()) return out;
  out.reserve(counts.size() + 1);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out.push_back({edges[i], static_cast<double>(counts[i])});
  }
  out.push_back({edges.back(), static_cast<double>(counts.back())});
  return out;
}

std::size_t Histogram::bin_of(double v) const {
  const auto above = std::upper_bound(edges.begin(), edges.end(), v) - edges.begin();
  return static_cast<std::size_t>(
      std::clamp<std::ptrdiff_t>(above - 1, 0, static_cast<std::ptrdiff_t>(counts.size()) - 1));
}

Histogram histogram(std::span<const double> values, std::size_t max_bins) {
  Histogram h;
  max_bins = std::max<std::size_t>(max_bins, 1);
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  double lo_positive = lo;
  bool integers = true;
  std::uint64_t nans = 0;
  for (const double v : values) {
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    if (v > 0) lo_positive = std::min(lo_positive, v);
    integers = integers && v == std::floor(v);
  }
  h.not_shown = nans;
  if (!(lo <= hi)) return h;
  h.log = spans_decades(lo_positive, hi);
  if (h.log) {
    const double first = std::log10(lo_positive);
    const double last = std::log10(hi);
    const double decades = std::max(1.0, std::ceil(last) - std::floor(first));
    const double per_decade =
        std::clamp(std::floor(static_cast<double>(max_bins) / decades), 1.0, 10.0);
    const double start = std::floor(first * per_decade) / per_decade;
    const auto bins = static_cast<std::size_t>(std::floor((last - start) * per_decade)) + 1;
    for (std::size_t i = 0; i <= bins; ++i) {
      h.edges.push_back(std::pow(10.0, start + static_cast<double>(i) / per_decade));
    }
    h.counts.assign(bins, 0);
    for (const double v : values) {
      if (!(v > 0)) {
        if (!std::isnan(v)) ++h.not_shown;
        continue;
      }
      auto i = static_cast<std::size_t>(std::floor((std::log10(v) - start) * per_decade));
      // Rounding at an edge may land one bin off; the edges themselves decide.
      if (i >= bins) i = bins - 1;
      if (i > 0 && v < h.edges[i]) --i;
      if (i + 1 < bins && v >= h.edges[i + 1]) ++i;
      ++h.counts[i];
    }
    return h;
  }
  double width = hi > lo ? nice_step((hi - lo) / static_cast<double>(max_bins)) : 1;
  if (integers) width = std::max(width, 1.0);
  const double start = std::floor(lo / width) * width;
  auto bins = static_cast<std::size_t>(std::floor((hi - start) / width)) + 1;
  bins = std::min(bins, max_bins + 1);
  for (std::size_t i = 0; i <= bins; ++i) h.edges.push_back(start + static_cast<double>(i) * width);
  h.counts.assign(bins, 0);
  for (const double v : values) {
    if (std::isnan(v)) continue;
    const auto i = static_cast<std::size_t>(std::floor((v - start) / width));
    ++h.counts[std::min(i, bins - 1)];
  }
  return h;
}

Histogram share_histogram(std::span<const double> values, std::size_t bins) {
  Histogram h;
  bins = std::max<std::size_t>(bins, 1);
  for (std::size_t i = 0; i <= bins; ++i) {
    h.edges.push_back(static_cast<double>(i) / static_cast<double>(bins));
  }
  h.counts.assign(bins, 0);
  for (const double v : values) {
    if (std::isnan(v)) {
      ++h.not_shown;
      continue;
    }
    const double i = std::floor(std::clamp(v, 0.0, 1.0) * static_cast<double>(bins));
    ++h.counts[std::min(static_cast<std::size_t>(i), bins - 1)];
  }
  return h;
}

std::vector<Point> cdf(std::vector<double>& values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  std::sort(values.begin(), values.end());
  std::vector<Point> out;
  const std::size_t n = values.size();
  if (n == 0) return out;
  const auto share_at_most = [&](double x) {
    const auto k = std::upper_bound(values.begin(), values.end(), x) - values.begin();
    return static_cast<double>(k) / static_cast<double>(n);
  };
  const auto add = [&](double x) {
    if (!out.empty() && out.back()[0] == x) return;
    out.push_back({x, share_at_most(x)});
  };
  constexpr std::size_t kSteps = 200;
  if (n <= kSteps) {
    for (const double v : values) add(v);
    return out;
  }
  const auto at = [&](double q) {
    return values[static_cast<std::size_t>(std::floor(q * static_cast<double>(n - 1)))];
  };
  for (std::size_t i = 0; i <= kSteps; ++i) {
    const double q = static_cast<double>(i) / kSteps;
    if (q > 0.995) {
      for (const double tail : {0.999, 0.9995, 0.9999}) add(at(tail));
    }
    add(at(q));
  }
  return out;
}

std::size_t TimeBins::index(double t_ms) const {
  const double i = std::floor((t_ms - first_ms) / width_ms);
  if (!(i > 0)) return 0;
  return std::min(static_cast<std::size_t>(i), count - 1);
}

TimeBins time_bins(double first_ms, double last_ms, std::size_t max_bins) {
  static constexpr std::array<double, 22> kWidthsMs = {
      1,    2,     5,     10,    20,    50,     100,    200,    500,    1000,    2000,
      5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000, 3600000};
  TimeBins b;
  b.first_ms = first_ms;
  const double span = std::max(0.0, last_ms - first_ms);
  b.width_ms = kWidthsMs.back();
  for (const double w : kWidthsMs) {
    if (span / w < static_cast<double>(max_bins)) {
      b.width_ms = w;
      break;
    }
  }
  // Beyond an hour per bin: whole hours.
  while (span / b.width_ms >= static_cast<double>(max_bins)) b.width_ms *= 2;
  b.count = static_cast<std::size_t>(std::floor(span / b.width_ms)) + 1;
  return b;
}

}  // namespace kvtrace::report
