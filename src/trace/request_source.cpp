#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::trace {

std::optional<FieldProblem> unread_line_problem(const Line& line, const LineReader& input) {
  if (!line.problem.empty()) return FieldProblem{"", std::string(line.problem)};
  if (line.too_long) {
    return FieldProblem{
        "", "line longer than the limit of " + std::to_string(input.max_line_bytes()) + " bytes"};
  }
  return std::nullopt;
}

}  // namespace kvtrace::trace
