#pragma once
// The page's assets as compiled into the binary (assets.cpp). echarts() is empty when the
// chart library was not installed at build time.

#include <string_view>

namespace kvtrace::report::assets {

std::string_view echarts();
std::string_view echarts_version();
std::string_view report_js();
std::string_view report_css();
std::string_view export_js();

}  // namespace kvtrace::report::assets
