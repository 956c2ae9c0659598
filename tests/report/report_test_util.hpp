#pragma once
// What the report part's tests share: a section's figures by id, and a trace gathered from
// text (block size 4).

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/report/figure.hpp"
#include "kvtrace/report/trace_figures.hpp"
#include "test_util.hpp"

namespace kvtrace::testing {

using report::Figure;
using report::Section;
using report::TraceData;

inline const Figure& figure(const Section& s, std::string_view id) {
  const auto it =
      std::find_if(s.figures.begin(), s.figures.end(), [&](const Figure& f) { return f.id == id; });
  if (it == s.figures.end()) throw std::runtime_error("no figure " + std::string(id));
  return *it;
}

inline std::vector<std::string> figure_ids(const Section& s) {
  std::vector<std::string> out;
  for (const Figure& f : s.figures) out.push_back(f.id);
  return out;
}

inline TraceData gather_text(const std::string& text, const std::string& name, bool curve) {
  const TempFile file(text);
  trace::ReaderOptions options;
  options.block_size = 4;
  trace::TraceReader reader(file.path(), options);
  return report::gather_trace(reader, name, curve);
}

}  // namespace kvtrace::testing
