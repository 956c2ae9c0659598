#pragma once
// Writes Requests as canonical Mooncake JSONL: known fields in a fixed order (timestamp,
// input_length, output_length, hash_ids, session_id, delay, text_input), then the unknown
// fields verbatim in their original order. Numbers keep their kind (1000 vs 1000.0).

#include <future>
#include <string>

#include "kvtrace/core/output_file.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::trace {

enum class JsonStyle {
  kSpaced,   // `{"timestamp": 0, "hash_ids": [0, 1]}`: the published Mooncake traces' style
  kCompact,  // `{"timestamp":0,"hash_ids":[0,1]}`
};

// Appends one request as a JSON object (no newline).
void append_request_json(std::string& out, const Request& r, JsonStyle style = JsonStyle::kSpaced);

class TraceWriter {
 public:
  // "-" writes stdout; parent folders are created, and a regular file appears whole at
  // close() or not at all (core::OutputFile). Throws IoError when the file cannot be created.
  explicit TraceWriter(const std::string& path, JsonStyle style = JsonStyle::kSpaced);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // Buffers the line; full buffers are written on a background thread while the next one
  // fills, so formatting and the write system calls overlap. A write error surfaces as an
  // IoError from a later write(), flush() or close().
  void write(const Request& r);
  // Writes out everything so far and waits for it; throws IoError on failure (disk full).
  void flush();
  // Flushes and closes; throws IoError on failure.
  void close();
  // After a failure: stdout or a pipe gets what was written so far, a regular file is not
  // written (an existing one stays as it was). The destructor of an unclosed writer does this.
  void discard() noexcept;

 private:
  // Starts writing the buffer in the background (after the previous write finished).
  void hand_off();
  void wait();

  core::OutputFile file_;
  JsonStyle style_;
  bool closed_ = false;
  std::string buffer_;  // filling
  std::string spare_;   // being written by pending_
  std::future<void> pending_;
};

}  // namespace kvtrace::trace
