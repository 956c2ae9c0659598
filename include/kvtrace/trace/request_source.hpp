#pragma once
// Where a TraceReader's requests come from: one RequestSource per trace format. A source
// turns its format's records into Requests and says which records are bad; the reader
// applies the policies every format shares (skip-invalid, the hash_ids count check, the time
// window) and keeps the counts.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request.hpp"
#include "kvtrace/trace/request_parser.hpp"

namespace kvtrace::trace {

enum class SourceResult {
  kRequest,  // `out` holds the next request
  kBad,      // the record is bad: `problems` holds its problems, at least one
  kEnd,      // no more records
};

// The problem of a line that was not read whole: longer than the reader's limit, or where a
// compressed stream broke (Line::problem); nullopt for a line read whole. Every reader of
// lines reports it as a bad record of that line.
std::optional<FieldProblem> unread_line_problem(const Line& line, const LineReader& input);

class RequestSource {
 public:
  virtual ~RequestSource() = default;

  // The next record. `line` gets its 1-based line in the input (for kRequest and kBad);
  // `out` is reused between calls. Throws IoError on a read error.
  virtual SourceResult next(Request& out, std::uint64_t& line,
                            std::vector<FieldProblem>& problems) = 0;

  // The input, for its name, size and how far it has been read (progress).
  virtual const LineReader& input() const = 0;
  // Lines of the input read so far, and how many of them were blank.
  virtual std::uint64_t lines() const = 0;
  virtual std::uint64_t blank_lines() const = 0;

  // What the format is called in messages, e.g. "Mooncake JSONL".
  virtual std::string_view format_name() const = 0;
  // The block size the input records, when its format records one.
  virtual std::optional<std::uint32_t> block_size() const { return std::nullopt; }
  // What a user must know about the reading once it is over (records of other kinds that
  // were counted, not read), one sentence each without "kvtrace: note:".
  virtual std::vector<std::string> notes() const { return {}; }
};

}  // namespace kvtrace::trace
