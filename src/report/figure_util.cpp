#include "report/figure_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "kvtrace/core/text_table.hpp"

namespace kvtrace::report {

Range range_of(std::initializer_list<std::span<const double>> sets) {
  Range r;
  for (const auto& set : sets) {
    for (const double v : set) {
      if (std::isnan(v)) continue;
      if (r.empty) {
        r.lo = r.hi = v;
        r.empty = false;
      }
      r.lo = std::min(r.lo, v);
      r.hi = std::max(r.hi, v);
      if (v > 0 && (r.lo_positive == 0 || v < r.lo_positive)) r.lo_positive = v;
    }
  }
  return r;
}

Axis value_axis(std::string name, const Range& r) {
  Axis a;
  a.name = std::move(name);
  if (!r.empty && spans_decades(r.lo_positive, r.hi)) a.scale = Scale::kLog;
  return a;
}

Figure histogram_figure(std::string id, std::string title, std::string note,
                        std::span<const double> values, std::string x_name, bool percent) {
  const Histogram h = percent ? share_histogram(values) : histogram(values);
  Figure f;
  f.id = std::move(id);
  f.title = std::move(title);
  f.note = std::move(note);
  if (h.log && h.not_shown > 0) {
    f.note += fmt::format(" {} values of 0 are not drawn on the logarithmic axis.",
                          core::grouped_int(h.not_shown));
  }
  f.x.name = std::move(x_name);
  f.x.scale = h.log ? Scale::kLog : Scale::kLinear;
  f.x.percent = percent;
  f.y.name = "requests";
  f.series.push_back({"requests", Style::kHistogram, h.points()});
  return f;
}

Series cdf_series(std::string name, std::vector<double> values) {
  return {std::move(name), Style::kStep, cdf(values)};
}

Figure cdf_figure(std::string id, std::string title, std::string note, std::string x_name,
                  std::vector<std::pair<std::string, std::span<const double>>> sets, bool percent) {
  Figure f;
  f.id = std::move(id);
  f.title = std::move(title);
  f.note = std::move(note);
  Range all;
  for (const auto& [name, values] : sets) {
    const Range r = range_of({values});
    if (r.empty) continue;
    if (all.empty) {
      all = r;
    } else {
      all.lo = std::min(all.lo, r.lo);
      all.hi = std::max(all.hi, r.hi);
      all.lo_positive = all.lo_positive == 0 ? r.lo_positive
                        : r.lo_positive == 0 ? all.lo_positive
                                             : std::min(all.lo_positive, r.lo_positive);
    }
    f.series.push_back(cdf_series(name, std::vector<double>(values.begin(), values.end())));
  }
  f.x = percent ? Axis{std::move(x_name)} : value_axis(std::move(x_name), all);
  f.x.percent = percent;
  if (f.x.scale == Scale::kLog) {
    // A log axis has no 0: the CDF starts at its first positive value, whose share counts
    // the zeros below it.
    bool hidden = false;
    for (Series& s : f.series) {
      hidden = std::erase_if(s.points, [](const Point& p) { return p[0] <= 0; }) > 0 || hidden;
    }
    if (hidden) {
      f.note +=
          " Values of 0 have no place on the logarithmic axis: a curve starts at their share.";
    }
  }
  f.y.name = "share of values at most x";
  f.y.percent = true;
  f.y.min = 0;
  f.y.max = 1;
  return f;
}

}  // namespace kvtrace::report
