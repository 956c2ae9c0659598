#include "kvtrace/trace/mooncake_source.hpp"

namespace kvtrace::trace {

MooncakeSource::MooncakeSource(std::string path, std::size_t max_line_bytes)
    : MooncakeSource(std::make_unique<LineReader>(std::move(path), max_line_bytes)) {}

MooncakeSource::MooncakeSource(std::unique_ptr<LineReader> input) : lines_(std::move(input)) {}

SourceResult MooncakeSource::next(Request& out, std::uint64_t& line,
                                  std::vector<FieldProblem>& problems) {
  Line text;
  while (lines_->next(text)) {
    ++line_count_;
    line = text.number;
    if (auto p = unread_line_problem(text, *lines_)) {
      problems.push_back(std::move(*p));
      return SourceResult::kBad;
    }
    if (is_blank(text.text)) {
      ++blank_lines_;
      continue;
    }
    return parser_.parse(text, out, problems) ? SourceResult::kRequest : SourceResult::kBad;
  }
  return SourceResult::kEnd;
}

}  // namespace kvtrace::trace
