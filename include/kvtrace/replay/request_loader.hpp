#pragma once
// Reads the materialized Requests JSONL (docs/materialize.md) into what
// the replay sends: each body rewritten once at load time (extra fields merged, streaming
// usage asked for), so sending a request copies nothing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kvtrace::replay {

inline constexpr std::size_t kNoTurn = static_cast<std::size_t>(-1);

// Limits on what a requests line may ask for (docs/replay.md, "Limits"); a line beyond one is
// a bad line. max_tokens and max_completion_tokens: at most 2^31 - 1 (what servers take, and
// far beyond any model's output).
inline constexpr std::uint64_t kMaxTokensLimit = 2147483647;
// A timestamp at most 30 days after the file's earliest, a delay at most 30 days: trace
// timing waits that long (divided by the speedup ratio) before sending.
inline constexpr double kMaxScheduleMs = 30 * 24 * 3600e3;

struct ReplayRequest {
  std::uint64_t index = 0;  // the file's "index", else the 0-based request number
  std::uint64_t line = 0;   // 1-based line in the requests file
  std::optional<double> timestamp_ms;
  std::optional<double> delay_ms;
  std::string session_id;
  std::size_t previous_turn = kNoTurn;  // the session's previous request (vector position)
  std::size_t next_turn = kNoTurn;
  std::string body;  // the JSON body to send
  // Where the "messages" array's elements sit in `body` ([begin, end) between the
  // brackets), for appending conversation history; nullopt for a completions body.
  std::optional<std::pair<std::size_t, std::size_t>> messages;
  bool chat = true;  // "messages" (chat completions) rather than "prompt" (completions)
  std::optional<std::uint64_t> max_tokens;
};

struct LoadOptions {
  // A JSON object whose members replace or add to every body's members (--extra-body).
  std::string extra_body;
  // Adds "stream_options":{"include_usage":true} to bodies that have no stream_options.
  bool include_usage = true;
};

// Reads every request of `path` ("-" = stdin). Throws InputError naming file:line and field
// for a bad line (invalid JSON, missing or non-object body, wrong field types, a key given
// twice, a value beyond the limits above), IoError when
// the file cannot be read, UsageError for an --extra-body that is not a JSON object.
std::vector<ReplayRequest> load_requests(const std::string& path, const LoadOptions& options);

}  // namespace kvtrace::replay
