#include "kvtrace/trace/trace_reader.hpp"

#include "kvtrace/core/error.hpp"

namespace kvtrace::trace {

bool TimeWindow::contains(const Request& r) const {
  if (!r.timestamp) return true;
  const double ts = r.timestamp->value();
  return !((start_ms && ts < *start_ms) || (end_ms && ts > *end_ms));
}

std::optional<FieldProblem> check_hash_id_count(const Request& r, std::uint32_t block_size) {
  if (!r.hash_ids || !r.input_length) return std::nullopt;
  const std::uint64_t expected = expected_hash_id_count(*r.input_length, block_size);
  if (r.hash_ids->size() == expected) return std::nullopt;
  return FieldProblem{"hash_ids", "expected ceil(input_length " + std::to_string(*r.input_length) +
                                      " / block size " + std::to_string(block_size) +
                                      ") = " + std::to_string(expected) + " ids, got " +
                                      std::to_string(r.hash_ids->size())};
}

TraceReader::TraceReader(std::string path, ReaderOptions options)
    : options_(options), lines_(std::move(path), options.max_line_bytes) {
  if (options_.block_size == 0) throw UsageError("block size must be at least 1");
}

void TraceReader::reject(std::uint64_t line, const FieldProblem& p) {
  if (!options_.skip_invalid) throw InputError(lines_.name(), line, p.field, p.problem);
  if (counts_.skipped_invalid++ == 0) {
    counts_.first_skipped = InputError::format(lines_.name(), line, p.field, p.problem);
  }
}

bool TraceReader::next(Request& out) {
  Line line;
  while (lines_.next(line)) {
    ++counts_.lines;
    if (!line.problem.empty()) {
      reject(line.number, {"", std::string(line.problem)});
      continue;
    }
    if (line.too_long) {
      reject(line.number, {"", "line longer than the limit of " +
                                   std::to_string(options_.max_line_bytes) + " bytes"});
      continue;
    }
    if (is_blank(line.text)) {
      ++counts_.blank_lines;
      continue;
    }
    problems_.clear();
    if (!parser_.parse(line, out, problems_)) {
      reject(line.number, problems_.front());
      continue;
    }
    if (options_.hash_id_check != HashIdCheck::kIgnore) {
      if (auto p = check_hash_id_count(out, options_.block_size)) {
        if (options_.hash_id_check == HashIdCheck::kError) {
          reject(line.number, *p);
          continue;
        }
        if (counts_.hash_id_mismatches++ == 0) {
          counts_.first_mismatch =
              InputError::format(lines_.name(), line.number, p->field, p->problem);
        }
      }
    }
    if (!options_.window.contains(out)) {
      ++counts_.outside_window;
      continue;
    }
    ++counts_.requests;
    line_ = line.number;
    return true;
  }
  return false;
}

std::vector<Request> read_all(const std::string& path, ReaderOptions options,
                              ReaderCounts* counts) {
  TraceReader reader(path, options);
  std::vector<Request> out;
  Request r;
  while (reader.next(r)) out.push_back(r);
  if (counts != nullptr) *counts = reader.counts();
  return out;
}

}  // namespace kvtrace::trace
