#include "kvtrace/formats/infer_block_size.hpp"

#include <string>
#include <vector>

#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request_parser.hpp"

namespace kvtrace::formats {

trace::BlockSizeFit fit_of_head(std::string_view head, bool cut) {
  if (cut) head = head.substr(0, head.rfind('\n') + 1);  // npos + 1 == 0: no whole line
  std::string text(head);
  const std::size_t size = text.size();
  text.resize(size + trace::kLinePadding, '\0');
  trace::BlockSizeFit fit;
  trace::RequestParser parser;
  trace::Request request;
  std::vector<trace::FieldProblem> problems;
  trace::for_each_line_in(
      std::string_view(text.data(), size), text.size(), [&](const trace::Line& line) {
        if (trace::is_blank(line.text)) return;
        problems.clear();
        if (parser.parse(line, request, problems) && request.input_length && request.hash_ids) {
          fit.add(*request.input_length, request.hash_ids->size());
        }
      });
  return fit;
}

}  // namespace kvtrace::formats
