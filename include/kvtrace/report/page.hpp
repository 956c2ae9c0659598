#pragma once
// The report as one self-contained HTML file: the data (report_json), the chart library
// (Apache ECharts, from the npm registry, compiled into kvtrace at build time) and the page's
// own script and style, all inline. It opens from disk with no network and no server; its
// Content-Security-Policy forbids every request, so a page that tried one would say so in
// the browser's console instead of leaking.

#include <string>
#include <string_view>

#include "kvtrace/report/figure.hpp"

namespace kvtrace::report {

// Whether this kvtrace was built with the chart library (scripts/setup installs it).
bool chart_library_available();
// Throws the UsageError that says how to get it, when it is absent.
void require_chart_library();
// The chart library's name and version, "Apache ECharts 6.0.0".
std::string_view chart_library();

// Throws UsageError when the chart library is absent.
std::string render_page(const Report& report);

// The page's assets, for the image export: the chart library and the page's script (which
// also runs under Node.js), and the export script (src/report/assets/export.js).
std::string_view chart_library_script();
std::string_view page_script();
std::string_view export_script();

}  // namespace kvtrace::report
