#pragma once
// One CSV record (RFC 4180) split into its cells, for the CSV trace formats: a line at a time,
// so that a file of millions of rows streams through a LineReader. The cells' storage is kept
// from one row to the next.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kvtrace::formats {

class CsvRow {
 public:
  // Splits `line` (without its line end) at the commas outside quotes. A quoted cell
  // ("a ""b"", c") may hold commas and doubled quotes; a record whose quoted cell goes on to
  // the next line is refused (no trace format puts a line break in a cell). Returns false on a
  // problem: problem() says it and problem_cell() is the 0-based cell it was found in.
  bool split(std::string_view line);

  std::size_t size() const { return size_; }
  // The cell's text: quotes removed, doubled quotes made single, blanks kept.
  std::string_view operator[](std::size_t i) const { return cells_[i]; }

  const std::string& problem() const { return problem_; }
  std::size_t problem_cell() const { return problem_cell_; }

 private:
  std::string& next_cell();
  bool fail(std::string problem);

  std::vector<std::string> cells_;  // only the first size_ are this row's
  std::size_t size_ = 0;
  std::string problem_;
  std::size_t problem_cell_ = 0;
};

// `text` without the spaces and tabs around it.
std::string_view trim_blanks(std::string_view text);

}  // namespace kvtrace::formats
