#include "kvtrace/trace/trace_reader.hpp"

#include <fmt/format.h>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/text_table.hpp"
#include "kvtrace/trace/mooncake_source.hpp"

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
    : TraceReader(std::make_unique<MooncakeSource>(std::move(path), options.max_line_bytes),
                  options) {}

TraceReader::TraceReader(std::unique_ptr<RequestSource> source, ReaderOptions options)
    : options_(options), source_(std::move(source)) {
  if (options_.block_size == 0) throw UsageError("block size must be at least 1");
}

void TraceReader::reject(std::uint64_t line, const FieldProblem& p) {
  if (!options_.skip_invalid) throw InputError(name(), line, p.field, p.problem);
  if (counts_.skipped_invalid++ == 0) {
    counts_.first_skipped = InputError::format(name(), line, p.field, p.problem);
  }
}

bool TraceReader::next(Request& out) {
  if (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed)) {
    throw Interrupted("interrupted: the read of " + name() + " stopped at line " +
                      std::to_string(source_->lines()));
  }
  for (;;) {
    std::uint64_t line = 0;
    problems_.clear();
    const SourceResult got = source_->next(out, line, problems_);
    counts_.lines = source_->lines();
    counts_.blank_lines = source_->blank_lines();
    if (got == SourceResult::kEnd) {
      counts_.source_notes = notes_;
      for (std::string& note : source_->notes()) counts_.source_notes.push_back(std::move(note));
      check_block_size_fits();
      return false;
    }
    if (got == SourceResult::kBad) {
      reject(line, problems_.front());
      continue;
    }
    if (options_.hash_id_check != HashIdCheck::kIgnore && out.hash_ids && out.input_length) {
      ++counts_.hash_id_checked;
      counts_.block_sizes.add(*out.input_length, out.hash_ids->size());
      if (auto p = check_hash_id_count(out, options_.block_size)) {
        if (options_.hash_id_check == HashIdCheck::kError) {
          reject(line, *p);
          continue;
        }
        if (counts_.hash_id_mismatches++ == 0) {
          counts_.first_mismatch = InputError::format(name(), line, p->field, p->problem);
        }
      }
    }
    if (out.timestamp) {
      const double ts = out.timestamp->value();
      const std::optional<double> last = counts_.last_timestamp;
      if (last && ts < *last && counts_.timestamps_backwards++ == 0) {
        counts_.first_backwards =
            InputError::format(name(), line, "timestamp", fmt::format("{} after {}", ts, *last));
      }
      if (!counts_.first_timestamp) {
        counts_.first_timestamp = ts;
        counts_.first_timestamp_at = fmt::format("{}:{}", name(), line);
      }
      counts_.last_timestamp = ts;
    }
    if (!options_.window.contains(out)) {
      ++counts_.outside_window;
      continue;
    }
    ++counts_.requests;
    line_ = line;
    return true;
  }
}

void TraceReader::check_block_size_fits() const {
  if (options_.hash_id_check == HashIdCheck::kIgnore || counts_.hash_id_mismatches == 0) return;
  const std::optional<BlockSizeRange> all = counts_.block_sizes.fits_all();
  const bool none_fit = counts_.hash_id_mismatches == counts_.hash_id_checked;
  if (!none_fit && !all) return;  // a trace of mixed sizes: the warning counts the misfits
  const std::optional<std::uint64_t> likely = counts_.block_sizes.likely();
  const std::string b = std::to_string(options_.block_size);
  throw InputError(
      name(), 0, "",
      (none_fit ? "the hash_ids of no request fit block size " + b
                : "the hash_ids of " + core::grouped_int(counts_.hash_id_mismatches) + " of " +
                      core::grouped_int(counts_.hash_id_checked) +
                      " requests do not fit block size " + b) +
          " (ceil(input_length / " + b +
          ") ids each); block sizes that fit every request: " + counts_.block_sizes.describe() +
          (likely ? "; give --block-size " + std::to_string(*likely) + " or --block-size auto"
                  : "") +
          ", or --hash-id-check ignore to read it anyway");
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
