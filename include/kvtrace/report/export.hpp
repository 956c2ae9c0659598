#pragma once
// Each figure of a report as an image file, for papers and chat: DIR/<figure id>.svg or .png.
// The figures are drawn by the page's own script and chart library under Node.js (ECharts'
// server-side SVG renderer), so an image is the chart the page shows, without a browser; PNG
// files are the SVG rasterized at twice the size by rsvg-convert (Debian: librsvg2-bin).

#include <string>
#include <vector>

#include "kvtrace/report/figure.hpp"

namespace kvtrace::report {

enum class ImageFormat { kSvg, kPng };

// Writes every figure of `report` into `dir` (created); returns the files written, in page
// order. Throws UsageError when the chart library is absent, IoError when node or
// rsvg-convert cannot be run or fails, or a file cannot be written.
std::vector<std::string> export_images(const Report& report, const std::string& dir,
                                       ImageFormat format);

}  // namespace kvtrace::report
