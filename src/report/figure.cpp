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

// Members after the first: ,"key":value.
void put_key(std::string& out, std::string_view key, bool first = false) {
  if (!first) out += ',';
  put_string(out, key);
  out += ':';
}

void text_member(std::string& out, std::string_view key, std::string_view value,
                 bool first = false) {
  put_key(out, key, first);
  put_string(out, value);
}

void number_member(std::string& out, std::string_view key, double value, bool first = false) {
  put_key(out, key, first);
  put_number(out, value);
}

void bool_member(std::string& out, std::string_view key, bool value) {
  put_key(out, key);
  out += value ? "true" : "false";
}

// [item, item, ...], each written by put(out, item).
template <class Items, class Put>
void put_array(std::string& out, const Items& items, Put put) {
  out += '[';
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    put(out, item);
  }
  out += ']';
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
  text_member(out, "name", a.name, true);
  text_member(out, "scale", scale_name(a.scale));
  if (!a.categories.empty()) {
    put_key(out, "categories");
    put_array(out, a.categories, [](std::string& o, const std::string& c) { put_string(o, c); });
  }
  if (a.min) number_member(out, "min", *a.min);
  if (a.max) number_member(out, "max", *a.max);
  bool_member(out, "percent", a.percent);
  out += '}';
}

void put_series(std::string& out, const Series& s) {
  out += '{';
  text_member(out, "name", s.name, true);
  text_member(out, "style", style_name(s.style));
  if (s.right_axis) bool_member(out, "right", true);
  if (!s.stack.empty()) text_member(out, "stack", s.stack);
  put_key(out, "points");
  put_array(out, s.points, [](std::string& o, const Point& p) {
    o += '[';
    put_number(o, p[0]);
    o += ',';
    put_number(o, p[1]);
    o += ']';
  });
  out += '}';
}

void put_figure(std::string& out, const Figure& f) {
  out += '{';
  text_member(out, "id", f.id, true);
  text_member(out, "title", f.title);
  text_member(out, "note", f.note);
  put_key(out, "x");
  put_axis(out, f.x);
  put_key(out, "y");
  put_axis(out, f.y);
  if (f.y2) {
    put_key(out, "y2");
    put_axis(out, *f.y2);
  }
  if (f.x_also) {
    put_key(out, "x_also");
    out += '{';
    number_member(out, "factor", f.x_also->factor, true);
    text_member(out, "unit", f.x_also->unit);
    out += '}';
  }
  bool_member(out, "zoom", f.zoom);
  put_key(out, "series");
  put_array(out, f.series, put_series);
  put_key(out, "marks");
  put_array(out, f.marks, [](std::string& o, const Mark& m) {
    o += '{';
    put_key(o, "vertical", true);
    o += m.vertical ? "true" : "false";
    number_member(o, "value", m.value);
    text_member(o, "label", m.label);
    o += '}';
  });
  out += '}';
}

void put_section(std::string& out, const Section& s) {
  out += '{';
  text_member(out, "id", s.id, true);
  text_member(out, "title", s.title);
  text_member(out, "intro", s.intro);
  put_key(out, "tables");
  put_array(out, s.tables, [](std::string& o, const Table& t) {
    o += '{';
    text_member(o, "title", t.title, true);
    text_member(o, "text", t.text);
    o += '}';
  });
  put_key(out, "figures");
  put_array(out, s.figures, put_figure);
  out += '}';
}

}  // namespace

std::string report_json(const Report& report) {
  std::string out = "{";
  text_member(out, "title", report.title, true);
  text_member(out, "generator", report.generator);
  put_key(out, "sections");
  put_array(out, report.sections, put_section);
  out += '}';
  return out;
}

std::size_t figure_count(const Report& report) {
  std::size_t n = 0;
  for (const Section& s : report.sections) n += s.figures.size();
  return n;
}

}  // namespace kvtrace::report
