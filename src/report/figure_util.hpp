#pragma once
// The figure shapes every section draws: a distribution's histogram, CDF series, value axes
// that turn logarithmic when the data span decades, and per-time-bin series.

#include <span>
#include <string>
#include <vector>

#include "kvtrace/report/binning.hpp"
#include "kvtrace/report/figure.hpp"

namespace kvtrace::report {

// The smallest and largest non-NaN values of all of `sets`, and the smallest positive one.
struct Range {
  double lo = 0;
  double hi = 0;
  double lo_positive = 0;
  bool empty = true;
};
Range range_of(std::initializer_list<std::span<const double>> sets);

// A value axis for data over `r`: logarithmic when its positive values span decades (the
// caller leaves out values <= 0 then).
Axis value_axis(std::string name, const Range& r);

// A histogram of `values` as a figure: bins (see binning.hpp) as filled steps, counts on y.
// The note gets the count of values a log axis cannot show. Shares (0 to 1, `percent`) get
// 20 linear bins of 5%.
Figure histogram_figure(std::string id, std::string title, std::string note,
                        std::span<const double> values, std::string x_name, bool percent = false);

// One CDF series of `values` (copied; sorted inside).
Series cdf_series(std::string name, std::vector<double> values);

// A figure of CDFs over one value axis, y the share of values (0-100%).
// `percent`: the values are shares (0 to 1), on a linear axis.
Figure cdf_figure(std::string id, std::string title, std::string note, std::string x_name,
                  std::vector<std::pair<std::string, std::span<const double>>> sets,
                  bool percent = false);

}  // namespace kvtrace::report
