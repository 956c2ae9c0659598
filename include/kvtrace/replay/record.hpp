#pragma once
// The raw measurements of one replayed request (docs/replay.md, "Records"). Times are
// nanoseconds since the run's start on the steady clock.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kvtrace::replay {

// A record's nanoseconds in the milliseconds every report uses.
constexpr double ns_to_ms(std::int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

enum class ErrorKind {
  kNone,
  kHttpStatus,   // the server answered with a status other than 200
  kConnect,      // the connection could not be made (refused, unreachable, TLS handshake)
  kTimeout,      // --request-timeout passed before the response ended
  kReset,        // the connection closed or failed before the response ended
  kProtocol,     // a response that is not valid HTTP
  kServerError,  // the stream carried an "error" object
  kCancelled,    // stopped by Ctrl-C after the drain time
};

std::string_view error_kind_name(ErrorKind kind);

// Where a record's output token count comes from.
enum class TokenSource {
  kUsage,      // the server's usage.completion_tokens
  kTokenizer,  // the streamed text re-tokenized with --tokenizer
  kChunks,     // the number of content-bearing chunks (no usage, no tokenizer)
};

std::string_view token_source_name(TokenSource source);

inline constexpr std::int64_t kNever = -1;

struct Record {
  std::uint64_t index = 0;  // the request's "index"
  std::string session_id;
  std::int64_t intended_ns = 0;          // when the scheduler meant to send it
  std::int64_t start_ns = 0;             // when it was sent (handed to the client)
  std::int64_t first_token_ns = kNever;  // first content-bearing chunk
  std::int64_t end_ns = kNever;          // response ended (or failed)
  std::vector<std::int64_t> chunk_ns;    // every content-bearing chunk, first included
  int status = 0;                        // HTTP status, 0 when none arrived
  ErrorKind error_kind = ErrorKind::kNone;
  std::string error;                          // what went wrong, empty on success
  std::optional<std::uint64_t> input_tokens;  // usage.prompt_tokens when sent
  std::uint64_t output_tokens = 0;
  TokenSource token_source = TokenSource::kChunks;
  std::optional<std::uint64_t> max_tokens;  // what the body asked for
  std::uint64_t malformed_events = 0;       // SSE events that were not chunk JSON
  bool done = false;                        // the stream ended with [DONE]
  bool new_connection = false;              // a connection was opened for it

  bool ok() const { return error_kind == ErrorKind::kNone; }
};

}  // namespace kvtrace::replay
