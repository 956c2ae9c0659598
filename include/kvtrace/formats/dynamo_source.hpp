#pragma once
// The RequestSource of Dynamo request traces (schema dynamo.request.trace.v1, JSONL): one
// request per `request_end` event, in arrival order, with dense block ids (docs/formats.md).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::formats {

class DenseIds;

class DynamoSource final : public trace::RequestSource {
 public:
  // Reads the whole input now: events are written when requests end, so the requests must
  // be sorted by arrival before the first one is handed out, and the block size is known
  // right away. Throws IoError on a read error.
  explicit DynamoSource(std::unique_ptr<trace::LineReader> input);
  DynamoSource(DynamoSource&&) noexcept = default;
  ~DynamoSource() override;

  // Bad records first (in file order), then the requests by arrival (stable).
  trace::SourceResult next(trace::Request& out, std::uint64_t& line,
                           std::vector<trace::FieldProblem>& problems) override;
  const trace::LineReader& input() const override { return *lines_; }
  std::uint64_t lines() const override { return line_count_; }
  std::uint64_t blank_lines() const override { return blank_lines_; }
  std::string_view format_name() const override { return "Dynamo request trace"; }
  // The records' replay.trace_block_size (nullopt when there is no request).
  std::optional<std::uint32_t> block_size() const override { return block_size_; }
  std::vector<std::string> notes() const override;

 private:
  // A request as it is kept until it is handed out: its extra fields packed in one string
  // ("key\0value\0" each; JSON text has no raw NUL), a fraction of a Request's memory.
  struct Record {
    std::uint64_t arrival = 0;  // request.request_received_ms
    std::uint64_t line = 0;
    std::int64_t input_length = 0;
    std::int64_t output_length = 0;
    std::vector<std::uint64_t> hash_ids;  // the sequence hashes, then the dense ids
    std::optional<std::string> session_id;
    std::string extra;
  };
  struct BadRecord {
    std::uint64_t line = 0;
    std::vector<trace::FieldProblem> problems;
  };

  void read_all();
  void order_and_size_ids();
  // Prefetches the table slot of the hash kPrefetchAhead hashes (in arrival order) after
  // the next one to be numbered: the hashes are random, every lookup misses the cache.
  void prefetch_next();
  void prefetch_records(std::size_t at) const;
  static constexpr std::size_t kPrefetchAhead = 16;

  std::unique_ptr<trace::LineReader> lines_;
  std::uint64_t line_count_ = 0;
  std::uint64_t blank_lines_ = 0;
  std::optional<std::uint32_t> block_size_;
  std::uint64_t block_size_line_ = 0;                         // the first record that gave it
  std::vector<Record> records_;                               // in file order
  std::vector<std::pair<std::uint64_t, std::size_t>> order_;  // (arrival, record) sorted
  std::vector<BadRecord> bad_;
  std::vector<std::pair<std::string, std::uint64_t>> other_events_;  // event_type, count
  std::uint64_t out_of_order_ = 0;
  std::uint64_t first_arrival_ = 0;
  std::unique_ptr<DenseIds> ids_;  // the hashes' dense ids, while records are handed out
  std::size_t ahead_record_ = 0;   // where prefetch_next() is in order_
  std::size_t ahead_hash_ = 0;
  std::size_t next_bad_ = 0;
  std::size_t next_record_ = 0;
};

}  // namespace kvtrace::formats
