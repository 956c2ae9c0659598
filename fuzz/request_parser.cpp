// Fuzz target: one trace line through trace::RequestParser. Property: a line that parses,
// written back by the trace writer (either JSON style), parses to the same Request; a line
// that does not parse says why.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request_parser.hpp"
#include "kvtrace/trace/trace_writer.hpp"

namespace {

using kvtrace::trace::JsonStyle;
using kvtrace::trace::Line;
using kvtrace::trace::Request;

// The parser reads kLinePadding bytes past the line, as LineReader guarantees.
bool parse(kvtrace::trace::RequestParser& parser, std::string_view text, Request& out,
           std::vector<kvtrace::trace::FieldProblem>& problems) {
  std::string buffer(text);
  buffer.append(kvtrace::trace::kLinePadding, '\0');
  const Line line{std::string_view(buffer.data(), text.size()), buffer.size(), 1, false};
  return parser.parse(line, out, problems);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // One line: a reader never hands over a '\n', nor a blank line.
  if (text.find('\n') != std::string_view::npos || kvtrace::trace::is_blank(text)) return 0;
  kvtrace::trace::RequestParser parser;
  Request request;
  std::vector<kvtrace::trace::FieldProblem> problems;
  if (!parse(parser, text, request, problems)) {
    if (problems.empty()) std::abort();  // a rejected line names its problem
    return 0;
  }
  if (!problems.empty()) std::abort();
  for (const JsonStyle style : {JsonStyle::kSpaced, JsonStyle::kCompact}) {
    std::string written;
    kvtrace::trace::append_request_json(written, request, style);
    Request again;
    std::vector<kvtrace::trace::FieldProblem> again_problems;
    if (!parse(parser, written, again, again_problems)) std::abort();
    if (!(again == request)) std::abort();
  }
  return 0;
}
