#include "kvtrace/report/page.hpp"

#include <fmt/format.h>

#include "kvtrace/core/error.hpp"
#include "report/assets.hpp"

namespace kvtrace::report {
namespace {

// Text inside a <script> element must not close it.
void append_script_text(std::string& out, std::string_view js) {
  std::size_t from = 0;
  for (std::size_t at = js.find("</"); at != std::string_view::npos; at = js.find("</", at + 2)) {
    out.append(js.substr(from, at - from));
    out += "<\\/";
    from = at + 2;
  }
  out.append(js.substr(from));
}

void append_html_text(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

bool chart_library_available() {
  return !assets::echarts().empty();
}

std::string_view chart_library() {
  static const std::string name = fmt::format("Apache ECharts {}", assets::echarts_version());
  return name;
}

std::string_view chart_library_script() {
  return assets::echarts();
}
std::string_view page_script() {
  return assets::report_js();
}
std::string_view export_script() {
  return assets::export_js();
}

void require_chart_library() {
  if (!chart_library_available()) {
    throw UsageError(
        "the chart library (Apache ECharts, from the npm registry) was not installed when this "
        "kvtrace was built: run scripts/setup with the npm registry reachable, then rebuild");
  }
}

std::string render_page(const Report& report) {
  require_chart_library();
  const std::string data = report_json(report);
  const std::string_view library = assets::echarts();
  std::string out;
  out.reserve(library.size() + data.size() + 64 * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // No request of any kind: everything the page needs is inline.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"";
  append_html_text(out, report.generator);
  out += "\">\n<title>";
  append_html_text(out, report.title);
  out += "</title>\n<style>\n";
  append_script_text(out, assets::report_css());
  out +=
      "</style>\n"
      // Errors and blocked requests are kept where a test (or a curious user) can read them,
      // from before any other script runs.
      "<script>window.kvtraceErrors=[];"
      "window.addEventListener('error',function(e){kvtraceErrors.push(String(e.message));});"
      "document.addEventListener('securitypolicyviolation',function(e){"
      "kvtraceErrors.push('blocked '+e.violatedDirective+': '+e.blockedURI);});</script>\n"
      "</head>\n<body>\n<div id=\"kv-root\"></div>\n"
      "<script type=\"application/json\" id=\"kv-data\">";
  out += data;
  out += "</script>\n<script>\n";
  append_script_text(out, library);
  out += "\n</script>\n<script>\n";
  append_script_text(out, assets::report_js());
  out += "\n</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace kvtrace::report
