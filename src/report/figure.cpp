#include "kvtrace/report/figure.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string_view>

#include "kvtrace/core/json_writer.hpp"

namespace kvtrace::report {
namespace {

// A JSON string safe inside <script>: '<', '>' and '&' as \u escapes (valid JSON, and no
// "</script>" or "<!--" can appear).
void put_string(std::string& out, std::string_view s) {
  std::string quoted;
  json::append_string(quoted, s);
  for (const char c : quoted) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
}

void put_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  fmt::format_to(std::back_inserter(out), "{:.6g}", v);
}

void put_key(std::string& out, std::string_view key) {
  put_string(out, key);
  out += ':';
}

std::string_view scale_name(Scale s) {
  switch (s) {
    case Scale::kLog:
      return "log";
    case Scale::kCategory:
      return "category";
    case Scale::kLinear:
      break;
  }
  return "linear";
}

std::string_view style_name(Style s) {
  switch (s) {
    case Style::kStep:
      return "step";
    case Style::kHistogram:
      return "histogram";
    case Style::kBar:
      return "bar";
    case Style::kScatter:
      return "scatter";
    case Style::kLine:
      break;
  }
  return "line";
}

void put_axis(std::string& out, const Axis& a) {
  out += '{';
  put_key(out, "name");
  put_string(out, a.name);
  out += ',';
  put_key(out, "scale");
  put_string(out, scale_name(a.scale));
  if (!a.categories.empty()) {
    out += ',';
    put_key(out, "categories");
    out += '[';
    for (std::size_t i = 0; i < a.categories.size(); ++i) {
      if (i > 0) out += ',';
      put_string(out, a.categories[i]);
    }
    out += ']';
  }
  if (a.min) {
    out += ',';
    put_key(out, "min");
    put_number(out, *a.min);
  }
  if (a.max) {
    out += ',';
    put_key(out, "max");
    put_number(out, *a.max);
  }
  out += ',';
  put_key(out, "percent");
  out += a.percent ? "true" : "false";
  out += '}';
}

void put_series(std::string& out, const Series& s) {
  out += '{';
  put_key(out, "name");
  put_string(out, s.name);
  out += ',';
  put_key(out, "style");
  put_string(out, style_name(s.style));
  if (s.right_axis) out += ",\"right\":true";
  if (!s.stack.empty()) {
    out += ',';
    put_key(out, "stack");
    put_string(out, s.stack);
  }
  out += ",\"points\":[";
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    if (i > 0) out += ',';
    out += '[';
    put_number(out, s.points[i][0]);
    out += ',';
    put_number(out, s.points[i][1]);
    out += ']';
  }
  out += "]}";
}

void put_figure(std::string& out, const Figure& f) {
  out += '{';
  put_key(out, "id");
  put_string(out, f.id);
  out += ',';
  put_key(out, "title");
  put_string(out, f.title);
  out += ',';
  put_key(out, "note");
  put_string(out, f.note);
  out += ",\"x\":";
  put_axis(out, f.x);
  out += ",\"y\":";
  put_axis(out, f.y);
  if (f.y2) {
    out += ",\"y2\":";
    put_axis(out, *f.y2);
  }
  if (f.x_also) {
    out += ",\"x_also\":{\"factor\":";
    put_number(out, f.x_also->factor);
    out += ',';
    put_key(out, "unit");
    put_string(out, f.x_also->unit);
    out += '}';
  }
  out += ",\"zoom\":";
  out += f.zoom ? "true" : "false";
  out += ",\"series\":[";
  for (std::size_t i = 0; i < f.series.size(); ++i) {
    if (i > 0) out += ',';
    put_series(out, f.series[i]);
  }
  out += "],\"marks\":[";
  for (std::size_t i = 0; i < f.marks.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"vertical\":";
    out += f.marks[i].vertical ? "true" : "false";
    out += ",\"value\":";
    put_number(out, f.marks[i].value);
    out += ',';
    put_key(out, "label");
    put_string(out, f.marks[i].label);
    out += '}';
  }
  out += "]}";
}

}  // namespace

std::string report_json(const Report& report) {
  std::string out = "{";
  put_key(out, "title");
  put_string(out, report.title);
  out += ',';
  put_key(out, "generator");
  put_string(out, report.generator);
  out += ",\"sections\":[";
  for (std::size_t i = 0; i < report.sections.size(); ++i) {
    const Section& s = report.sections[i];
    if (i > 0) out += ',';
    out += '{';
    put_key(out, "id");
    put_string(out, s.id);
    out += ',';
    put_key(out, "title");
    put_string(out, s.title);
    out += ',';
    put_key(out, "intro");
    put_string(out, s.intro);
    out += ",\"tables\":[";
    for (std::size_t t = 0; t < s.tables.size(); ++t) {
      if (t > 0) out += ',';
      out += '{';
      put_key(out, "title");
      put_string(out, s.tables[t].title);
      out += ',';
      put_key(out, "text");
      put_string(out, s.tables[t].text);
      out += '}';
    }
    out += "],\"figures\":[";
    for (std::size_t f = 0; f < s.figures.size(); ++f) {
      if (f > 0) out += ',';
      put_figure(out, s.figures[f]);
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

std::size_t figure_count(const Report& report) {
  std::size_t n = 0;
  for (const Section& s : report.sections) n += s.figures.size();
  return n;
}

}  // namespace kvtrace::report
