#pragma once
// What a report page is made of, as plain values: sections holding text tables and figures,
// each figure a few series of (x, y) points already binned or downsampled in C++, so the page
// does not grow with the trace (docs/report.md). report_json() is the page's data; the page's
// script (src/report/assets/report.js) turns each figure into an ECharts chart, and the
// image export turns the same JSON into SVG or PNG files.

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace kvtrace::report {

enum class Scale {
  kLinear,
  kLog,       // the data span decades
  kCategory,  // x only: Axis::categories, points' x is the category's index
};

struct Axis {
  std::string name;  // with its unit: "input length (tokens)"
  Scale scale = Scale::kLinear;
  std::vector<std::string> categories;
  std::optional<double> min;
  std::optional<double> max;
  bool percent = false;  // values are fractions, shown as percentages
};

enum class Style {
  kLine,
  kStep,       // a CDF: the value holds until the next point
  kHistogram,  // filled steps: point i is bin i's lower edge and count, the last point the
               // upper edge of the last bin
  kBar,        // on a category axis; series with the same `stack` stack up
  kScatter,
};

using Point = std::array<double, 2>;

struct Series {
  std::string name;
  Style style = Style::kLine;
  std::vector<Point> points;
  bool right_axis = false;  // on Figure::y2
  std::string stack;
};

// A reference line across the plot: a capacity, a ceiling, an SLO.
struct Mark {
  bool vertical = false;  // at x = value, else at y = value
  double value = 0;
  std::string label;
};

// The x value in a second unit, shown beside it where the chart shows values: capacity in
// GiB and, with factor blocks per GiB, in blocks.
struct SecondUnit {
  double factor = 1;
  std::string unit;
};

struct Figure {
  std::string id;  // unique in the report; the image file's name
  std::string title;
  std::string note;  // what the chart shows and how to read it, one or two sentences
  Axis x;
  Axis y;
  std::optional<Axis> y2;
  std::optional<SecondUnit> x_also;
  std::vector<Series> series;
  std::vector<Mark> marks;
  bool zoom = false;  // zoom and pan on x (time axes)
};

struct Table {
  std::string title;
  std::string text;  // monospace, as the command line prints it
};

struct Section {
  std::string id;  // "trace", "cache", "compare", "replay"
  std::string title;
  std::string intro;
  std::vector<Table> tables;
  std::vector<Figure> figures;
};

struct Report {
  std::string title;
  std::string generator;  // "kvtrace report 0.x"
  std::vector<Section> sections;
};

// The report as compact JSON. Numbers are written with 6 significant digits, which is what a
// chart shows; every '<', '>' and '&' inside strings is escaped, so the text can sit inside a
// <script> element whatever the trace's file names hold.
std::string report_json(const Report& report);

// All figures of the report, in page order.
std::size_t figure_count(const Report& report);

}  // namespace kvtrace::report
