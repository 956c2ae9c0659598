#pragma once
// Streaming trace reader: a format's records (a RequestSource; Mooncake JSONL by default)
// -> validated Requests, with the policies every subcommand shares (skip-invalid, hash_ids
// count check, timestamp window) and the counts that make sure no line is ever dropped
// silently.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kvtrace/trace/block_size_fit.hpp"
#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request.hpp"
#include "kvtrace/trace/request_parser.hpp"
#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::trace {

// What to do when len(hash_ids) != ceil(input_length / block_size).
enum class HashIdCheck {
  kIgnore,  // not checked
  kCount,   // counted (and the first one remembered) for a warning; the request is kept
  kError,   // a bad line, like any other validation problem
};

// Requests with a timestamp outside [start_ms, end_ms] are left out and counted (AIPerf's
// fixed-schedule offsets: both ends inclusive). Requests without a timestamp are kept.
struct TimeWindow {
  std::optional<double> start_ms;
  std::optional<double> end_ms;
  bool contains(const Request& r) const;
  bool active() const { return start_ms || end_ms; }
};

struct ReaderOptions {
  bool skip_invalid = false;  // skip and count bad lines instead of throwing
  std::uint32_t block_size = 512;
  bool block_size_given = false;  // chosen by the user: wins over the one a format records
  bool block_size_auto = false;   // the size the trace's first requests fit (open_trace)
  HashIdCheck hash_id_check = HashIdCheck::kCount;
  TimeWindow window;
  std::size_t max_line_bytes = kDefaultMaxLineBytes;
  // When set: next() throws Interrupted once it reads true (a caller's Ctrl-C; the flag is
  // the caller's, set from another thread).
  const std::atomic<bool>* stop = nullptr;
};

struct ReaderCounts {
  std::uint64_t lines = 0;  // lines read, blank ones included
  std::uint64_t blank_lines = 0;
  std::uint64_t requests = 0;         // requests handed to the caller
  std::uint64_t skipped_invalid = 0;  // bad lines skipped under skip_invalid
  std::uint64_t outside_window = 0;
  std::uint64_t hash_id_checked = 0;       // requests with input_length and hash_ids, checked
  std::uint64_t hash_id_mismatches = 0;    // counted under HashIdCheck::kCount
  std::string first_skipped;               // "file:line: field: problem" of the first skipped line
  std::string first_mismatch;              // the same for the first hash_ids count mismatch
  std::uint64_t timestamps_backwards = 0;  // requests stamped before the one read before them
  std::string first_backwards;             // "file:line: timestamp T after P" of the first
  // The first and last timestamps read (outside the time window too), and where the first
  // is ("file:line"): what tells whether time goes backwards between two parts of a trace.
  std::optional<double> first_timestamp;
  std::optional<double> last_timestamp;
  std::string first_timestamp_at;
  std::vector<std::string> source_notes;  // the format's notes (RequestSource::notes), at the end
  BlockSizeFit block_sizes;               // the block sizes the checked requests fit
};

class TraceReader {
 public:
  // Reads Mooncake JSONL. Throws IoError when the input cannot be opened; "-" reads stdin.
  explicit TraceReader(std::string path, ReaderOptions options = {});
  // Reads the records of `source` (any format).
  TraceReader(std::unique_ptr<RequestSource> source, ReaderOptions options);

  // The next request, or false at the end. Throws InputError for the first bad line unless
  // skip_invalid is set; and at the end (unless the check is kIgnore) when the hash_ids of no
  // request fit the block size, or of some do not while another size fits them all: a report
  // on such a block size would be wrong throughout. `out`
  // is reused: pass the same object every time.
  bool next(Request& out);

  const ReaderCounts& counts() const { return counts_; }
  // The 1-based line of the request the last next() returned.
  std::uint64_t line() const { return line_; }
  const std::string& name() const { return source_->input().name(); }
  std::uint64_t bytes_read() const { return source_->input().bytes_read(); }
  // Bytes of text up to the end of the last line consumed.
  std::uint64_t position() const { return source_->input().position(); }
  // Bytes of the file up to there (compressed bytes for compressed input): for progress
  // against total_bytes().
  std::uint64_t input_position() const { return source_->input().input_position(); }
  std::optional<std::uint64_t> total_bytes() const { return source_->input().total_bytes(); }
  Compression compression() const { return source_->input().compression(); }
  const RequestSource& source() const { return *source_; }
  const ReaderOptions& options() const { return options_; }
  // Adds a note to print with the format's at the end (e.g. how the block size was chosen).
  void add_note(std::string note) { notes_.push_back(std::move(note)); }

 private:
  // Handles a bad line: throws, or counts it when skipping.
  void reject(std::uint64_t line, const FieldProblem& p);
  // Throws when the block size is wrong for the trace (see next()).
  void check_block_size_fits() const;

  ReaderOptions options_;
  std::unique_ptr<RequestSource> source_;
  std::vector<FieldProblem> problems_;
  std::vector<std::string> notes_;
  ReaderCounts counts_;
  std::uint64_t line_ = 0;
};

// Checks len(hash_ids) against input_length; returns the problem, if any.
std::optional<FieldProblem> check_hash_id_count(const Request& r, std::uint32_t block_size);

// Reads a whole trace into memory (small traces, tests). Same options and errors.
std::vector<Request> read_all(const std::string& path, ReaderOptions options = {},
                              ReaderCounts* counts = nullptr);

}  // namespace kvtrace::trace
