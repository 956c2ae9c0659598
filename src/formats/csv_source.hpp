#pragma once
// The RequestSource the CSV trace formats share (BurstGPT, Azure LLM inference): a header
// naming the columns, then one request per row with a timestamp, prompt and output token
// counts and no block ids. What differs between the formats is a CsvTraceSpec.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/csv_row.hpp"
#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::formats {

// The columns are found by name in any case. A column the spec does not name is kept as an
// extra field (extra_field_key of its name; the cell as a JSON string), so that nothing a
// file records is lost, except the `derived_columns`, which only repeat other columns.
struct CsvTraceSpec {
  std::string_view format_name;       // in messages, e.g. "BurstGPT CSV"
  std::string_view timestamp_column;  // as upstream spells it
  bool calendar_time = false;         // datetimes (parse_datetime), else seconds (parse_seconds)
  std::string_view input_column;      // prompt tokens
  std::string_view output_column;     // generated tokens
  std::string_view session_column;    // the session id, when the file has it ("": none)
  std::span<const std::string_view> derived_columns;
};

// The extra field key of a column: lower case, each run of other characters than letters and
// digits one '_', none at the ends ("Log Type" -> "log_type").
std::string extra_field_key(std::string_view column);

class CsvTraceSource final : public trace::RequestSource {
 public:
  // `block_size`: the tokens of each block, which gets an id of its own (0, 1, 2, … across
  // the file), since these formats record no prefix sharing.
  CsvTraceSource(std::unique_ptr<trace::LineReader> input, const CsvTraceSpec& spec,
                 std::uint32_t block_size);

  // Throws InputError when the header lacks a column the format needs.
  trace::SourceResult next(trace::Request& out, std::uint64_t& line,
                           std::vector<trace::FieldProblem>& problems) override;
  const trace::LineReader& input() const override { return *lines_; }
  std::uint64_t lines() const override { return line_count_; }
  std::uint64_t blank_lines() const override { return blank_lines_; }
  std::string_view format_name() const override { return spec_.format_name; }
  // The rows with zero tokens (failed requests), counted by reason with the first one's line.
  std::vector<std::string> notes() const override;

 private:
  struct Failed {
    std::uint64_t count = 0;
    std::uint64_t first_line = 0;
  };

  void read_header(const trace::Line& line);
  // The row's request or problems, or nullopt for a failed row (counted).
  std::optional<trace::SourceResult> read_row(const trace::Line& line, trace::Request& out,
                                              std::vector<trace::FieldProblem>& problems);
  std::string column_name(std::size_t cell) const;

  CsvTraceSpec spec_;
  std::unique_ptr<trace::LineReader> lines_;
  std::uint32_t block_size_;
  CsvRow row_;
  bool have_header_ = false;
  std::vector<std::string> header_;
  std::size_t timestamp_cell_ = 0;
  std::size_t input_cell_ = 0;
  std::size_t output_cell_ = 0;
  std::optional<std::size_t> session_cell_;
  std::vector<std::pair<std::size_t, std::string>> extras_;  // cell, key
  std::optional<std::int64_t> origin_ns_;                    // the first valid row's time
  std::uint64_t next_id_ = 0;
  std::uint64_t line_count_ = 0;
  std::uint64_t blank_lines_ = 0;
  Failed no_output_;
  Failed no_input_;
};

}  // namespace kvtrace::formats
