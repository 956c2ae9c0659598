// The page's assets, compiled into the binary so that kvtrace report needs no file at run
// time: the chart library that scripts/setup installs from the npm registry, and the page's
// own script, style and image export script (src/report/assets/). The paths come from CMake;
// the files are included byte for byte by the assembler.

#include "report/assets.hpp"

#define KVTRACE_ASSET(name, file)   \
  asm(".pushsection .rodata\n"      \
      ".balign 16\n"                \
      ".globl kvtrace_asset_" #name \
      "\n"                          \
      "kvtrace_asset_" #name        \
      ":\n"                         \
      ".incbin \"" file             \
      "\"\n"                        \
      ".globl kvtrace_asset_" #name \
      "_end\n"                      \
      "kvtrace_asset_" #name        \
      "_end:\n"                     \
      ".byte 0\n"                   \
      ".popsection\n")

KVTRACE_ASSET(echarts, KVTRACE_ECHARTS_FILE);
KVTRACE_ASSET(report_js, KVTRACE_REPORT_JS_FILE);
KVTRACE_ASSET(report_css, KVTRACE_REPORT_CSS_FILE);
KVTRACE_ASSET(export_js, KVTRACE_EXPORT_JS_FILE);

extern "C" {
extern const char kvtrace_asset_echarts[], kvtrace_asset_echarts_end[];
extern const char kvtrace_asset_report_js[], kvtrace_asset_report_js_end[];
extern const char kvtrace_asset_report_css[], kvtrace_asset_report_css_end[];
extern const char kvtrace_asset_export_js[], kvtrace_asset_export_js_end[];
}

namespace kvtrace::report::assets {
namespace {

std::string_view view(const char* begin, const char* end) {
  return {begin, static_cast<std::size_t>(end - begin)};
}

}  // namespace

std::string_view echarts() {
  return view(kvtrace_asset_echarts, kvtrace_asset_echarts_end);
}
std::string_view echarts_version() {
  return KVTRACE_ECHARTS_VERSION;
}
std::string_view report_js() {
  return view(kvtrace_asset_report_js, kvtrace_asset_report_js_end);
}
std::string_view report_css() {
  return view(kvtrace_asset_report_css, kvtrace_asset_report_css_end);
}
std::string_view export_js() {
  return view(kvtrace_asset_export_js, kvtrace_asset_export_js_end);
}

}  // namespace kvtrace::report::assets
