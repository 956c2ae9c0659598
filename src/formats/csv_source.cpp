#include "formats/csv_source.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "formats/csv_time.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/json_writer.hpp"

namespace kvtrace::formats {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Block ids one request may be given (32 MiB of them): a prompt count of 2^62 tokens in a
// hostile row must not make the reader allocate without bound.
constexpr std::uint64_t kMaxBlocksPerRequest = std::uint64_t{1} << 22;

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// A token count: a non-negative integer up to 2^63-1, blanks around allowed.
std::optional<std::int64_t> token_count(std::string_view cell) {
  const std::string_view text = trim_blanks(cell);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 0 ||
      text.front() == '-') {
    return std::nullopt;
  }
  return value;
}

std::string rows(std::uint64_t n) {
  return std::to_string(n) + (n == 1 ? " row" : " rows");
}

}  // namespace

std::string extra_field_key(std::string_view column) {
  std::string key;
  bool gap = false;
  for (const char c : column) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      if (gap && !key.empty()) key.push_back('_');
      gap = false;
      key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      gap = true;
    }
  }
  return key;
}

CsvTraceSource::CsvTraceSource(std::unique_ptr<trace::LineReader> input, const CsvTraceSpec& spec,
                               std::uint32_t block_size)
    : spec_(spec), lines_(std::move(input)), block_size_(block_size) {
  if (block_size_ == 0) throw UsageError("block size must be at least 1");
}

void CsvTraceSource::read_header(const trace::Line& line) {
  if (auto p = trace::unread_line_problem(line, *lines_)) {
    throw InputError(lines_->name(), line.number, "", "the header: " + p->problem);
  }
  std::string_view text = line.text;
  if (line.number == 1 && text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  if (!row_.split(text)) {
    throw InputError(lines_->name(), line.number, "",
                     std::string(spec_.format_name) + " header: " + row_.problem());
  }
  header_.clear();
  for (std::size_t i = 0; i < row_.size(); ++i) header_.emplace_back(trim_blanks(row_[i]));
  const auto find = [&](std::string_view name) {
    return static_cast<std::size_t>(
        std::find_if(header_.begin(), header_.end(),
                     [&](const std::string& h) { return same_ignoring_case(h, name); }) -
        header_.begin());
  };
  std::string missing;
  for (const std::string_view name :
       {spec_.timestamp_column, spec_.input_column, spec_.output_column}) {
    if (find(name) < header_.size()) continue;
    if (!missing.empty()) missing += "; ";
    missing += "no column \"" + std::string(name) + "\"";
  }
  if (!missing.empty()) {
    throw InputError(lines_->name(), line.number, "",
                     std::string(spec_.format_name) + " header: " + missing);
  }
  timestamp_cell_ = find(spec_.timestamp_column);
  input_cell_ = find(spec_.input_column);
  output_cell_ = find(spec_.output_column);
  session_cell_.reset();
  if (!spec_.session_column.empty()) {
    if (const std::size_t cell = find(spec_.session_column); cell < header_.size()) {
      session_cell_ = cell;
    }
  }
  extras_.clear();
  for (std::size_t cell = 0; cell < header_.size(); ++cell) {
    const bool derived =
        std::any_of(spec_.derived_columns.begin(), spec_.derived_columns.end(),
                    [&](std::string_view name) { return same_ignoring_case(header_[cell], name); });
    if (cell != timestamp_cell_ && cell != input_cell_ && cell != output_cell_ &&
        cell != session_cell_ && !derived) {
      std::string key = extra_field_key(header_[cell]);
      if (key.empty()) key = "column_" + std::to_string(cell + 1);
      extras_.emplace_back(cell, std::move(key));
    }
  }
  have_header_ = true;
}

std::string CsvTraceSource::column_name(std::size_t cell) const {
  return cell < header_.size() ? header_[cell] : std::string();
}

std::optional<trace::SourceResult> CsvTraceSource::read_row(
    const trace::Line& line, trace::Request& out, std::vector<trace::FieldProblem>& problems) {
  if (!row_.split(line.text)) {
    problems.push_back({column_name(row_.problem_cell()), row_.problem()});
    return trace::SourceResult::kBad;
  }
  if (row_.size() != header_.size()) {
    problems.push_back({"", "expected " + std::to_string(header_.size()) +
                                " cells as in the header, got " + std::to_string(row_.size())});
    return trace::SourceResult::kBad;
  }
  const NanosOrProblem time = spec_.calendar_time ? parse_datetime(row_[timestamp_cell_])
                                                  : parse_seconds(row_[timestamp_cell_]);
  if (const auto* problem = std::get_if<std::string>(&time)) {
    problems.push_back({header_[timestamp_cell_], *problem});
  }
  const auto count = [&](std::size_t cell) {
    const std::optional<std::int64_t> n = token_count(row_[cell]);
    if (!n) {
      problems.push_back({header_[cell], "expected a non-negative integer, got \"" +
                                             std::string(row_[cell]) + "\""});
    }
    return n.value_or(0);
  };
  const std::int64_t input = count(input_cell_);
  const std::int64_t output = count(output_cell_);
  if (problems.empty() &&
      trace::expected_hash_id_count(input, block_size_) > kMaxBlocksPerRequest) {
    problems.push_back({header_[input_cell_], std::to_string(input) + " tokens are more than " +
                                                  std::to_string(kMaxBlocksPerRequest) +
                                                  " blocks of " + std::to_string(block_size_) +
                                                  " tokens"});
  }
  std::int64_t since_origin = 0;
  if (problems.empty() && origin_ns_ &&
      __builtin_sub_overflow(std::get<std::int64_t>(time), *origin_ns_, &since_origin)) {
    problems.push_back({header_[timestamp_cell_], "more than 292 years from the first row"});
  }
  if (!problems.empty()) return trace::SourceResult::kBad;

  const std::int64_t ns = std::get<std::int64_t>(time);
  if (!origin_ns_) origin_ns_ = ns;
  // Zero tokens: a request that failed (BurstGPT's mark) or carried nothing; counted, not read.
  Failed* failed = output == 0 ? &no_output_ : input == 0 ? &no_input_ : nullptr;
  if (failed != nullptr) {
    if (failed->count++ == 0) failed->first_line = line.number;
    return std::nullopt;
  }

  out.timestamp = millis_since(ns, *origin_ns_);
  out.input_length = input;
  out.output_length = output;
  if (!out.hash_ids) out.hash_ids.emplace();
  const std::uint64_t blocks = trace::expected_hash_id_count(input, block_size_);
  out.hash_ids->resize(blocks);
  for (std::uint64_t& id : *out.hash_ids) id = next_id_++;
  out.session_id.reset();
  if (session_cell_) {
    if (const std::string_view id = trim_blanks(row_[*session_cell_]); !id.empty()) {
      out.session_id = std::string(id);
    }
  }
  out.delay.reset();
  out.text_input.reset();
  out.extra.resize(extras_.size());
  for (std::size_t i = 0; i < extras_.size(); ++i) {
    out.extra[i].key.assign(extras_[i].second);
    out.extra[i].raw_value.clear();
    json::append_string(out.extra[i].raw_value, row_[extras_[i].first]);
  }
  return trace::SourceResult::kRequest;
}

trace::SourceResult CsvTraceSource::next(trace::Request& out, std::uint64_t& line,
                                         std::vector<trace::FieldProblem>& problems) {
  trace::Line text;
  while (lines_->next(text)) {
    ++line_count_;
    line = text.number;
    auto unread = trace::unread_line_problem(text, *lines_);
    if (!unread && trace::is_blank(text.text)) {
      ++blank_lines_;
      continue;
    }
    if (!have_header_) {
      read_header(text);
      continue;
    }
    if (unread) {
      problems.push_back(std::move(*unread));
      return trace::SourceResult::kBad;
    }
    if (const auto result = read_row(text, out, problems)) return *result;
  }
  return trace::SourceResult::kEnd;
}

std::vector<std::string> CsvTraceSource::notes() const {
  std::vector<std::string> notes;
  const auto note = [&](const Failed& failed, std::string_view column, std::string_view why) {
    if (failed.count == 0) return;
    notes.push_back(rows(failed.count) + " with 0 " + std::string(column) + " (" +
                    std::string(why) + ") not read as requests, the first at " + lines_->name() +
                    ":" + std::to_string(failed.first_line));
  };
  note(no_output_, spec_.output_column, "failed requests");
  note(no_input_, spec_.input_column, "no prompt");
  return notes;
}

}  // namespace kvtrace::formats
