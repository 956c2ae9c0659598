#include "formats/csv_row.hpp"

#include <algorithm>

namespace kvtrace::formats {

std::string& CsvRow::next_cell() {
  if (size_ == cells_.size()) cells_.emplace_back();
  std::string& cell = cells_[size_++];
  cell.clear();
  return cell;
}

bool CsvRow::fail(std::string problem) {
  problem_ = std::move(problem);
  problem_cell_ = size_ - 1;
  return false;
}

bool CsvRow::split(std::string_view line) {
  size_ = 0;
  std::size_t at = 0;
  while (true) {
    std::string& cell = next_cell();
    if (at < line.size() && line[at] == '"') {
      ++at;
      while (true) {
        const std::size_t quote = line.find('"', at);
        if (quote == std::string_view::npos) {
          return fail("a quoted cell not closed on its line (line breaks in cells are not read)");
        }
        cell.append(line.substr(at, quote - at));
        at = quote + 1;
        if (at < line.size() && line[at] == '"') {
          cell.push_back('"');
          ++at;
          continue;
        }
        break;
      }
      if (at < line.size() && line[at] != ',') return fail("text after the closing quote");
    } else {
      const std::size_t stop = std::min(line.find(',', at), line.size());
      const std::string_view text = line.substr(at, stop - at);
      if (text.find('"') != std::string_view::npos) {
        return fail("a quote inside a cell that does not start with one");
      }
      cell.assign(text);
      at = stop;
    }
    if (at >= line.size()) return true;
    ++at;  // the comma
  }
}

std::string_view trim_blanks(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace kvtrace::formats
