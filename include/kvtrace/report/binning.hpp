#pragma once
// How a report keeps its size independent of the trace: distributions become a histogram of
// at most ~60 bins and a CDF of at most ~210 points, time series at most ~800 time bins, all
// computed here in O(n) (O(n log n) for the CDF's sort) so that the page holds kilobytes
// whatever the number of requests.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kvtrace/report/figure.hpp"

namespace kvtrace::report {

// Whether [lo, hi] spans two decades or more: then the axis is logarithmic.
bool spans_decades(double lo, double hi);

struct Histogram {
  bool log = false;           // bins spaced evenly in log10 (the values span decades)
  std::vector<double> edges;  // bins.size() + 1 edges
  std::vector<std::uint64_t> counts;
  std::uint64_t not_shown = 0;  // values <= 0 on a log axis (and NaNs): the note says how many
  // Style::kHistogram points: each bin's lower edge and count, then the last upper edge.
  std::vector<Point> points() const;
  // The bin holding `v` (the first or last one for values outside the edges).
  std::size_t bin_of(double v) const;
};

// Linear bins of a "nice" width (1, 2 or 5 times a power of ten; at least 1 for integer
// data), or logarithmic ones (1 to 10 per decade) when the positive values span decades.
Histogram histogram(std::span<const double> values, std::size_t max_bins = 60);

// Shares (0 to 1) in `bins` equal bins over [0, 1], 1 itself in the last one.
Histogram share_histogram(std::span<const double> values, std::size_t bins = 20);

// The empirical CDF as Style::kStep points (x, share of values <= x), at most about 210:
// every 0.5% of the distribution and the tail at 99.5%, 99.9%, 99.95% and 99.99%; every
// distinct value when there are few. Sorts `values`.
std::vector<Point> cdf(std::vector<double>& values);

// Fixed-width time bins over [first_ms, last_ms], the width a round number of milliseconds
// or seconds (1 ms ... 1 h) giving at most `max_bins` bins.
struct TimeBins {
  double first_ms = 0;
  double width_ms = 1000;
  std::size_t count = 1;
  std::size_t index(double t_ms) const;
  // The bin's start, in seconds since first_ms (what the time axes show).
  double start_s(std::size_t i) const { return static_cast<double>(i) * width_ms / 1000; }
};
TimeBins time_bins(double first_ms, double last_ms, std::size_t max_bins = 800);

}  // namespace kvtrace::report
