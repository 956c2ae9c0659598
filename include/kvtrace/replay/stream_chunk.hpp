#pragma once
// What one SSE event of an OpenAI-compatible stream says: generated text (chat
// `choices[0].delta.content` / `reasoning_content`, completions `choices[0].text`), token
// usage, an error object, or the `[DONE]` sentinel. Events that are not such JSON objects
// are reported malformed, never thrown.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kvtrace::replay {

struct StreamChunk {
  bool done = false;                           // the "[DONE]" sentinel
  bool malformed = false;                      // not a JSON object, or fields of the wrong types
  std::string text;                            // generated text in this chunk (empty when none)
  std::optional<std::uint64_t> prompt_tokens;  // usage.prompt_tokens
  std::optional<std::uint64_t> completion_tokens;  // usage.completion_tokens
  std::string error;  // the "error" member's raw JSON, when the server sent one
};

class ChunkReader {
 public:
  ChunkReader();
  ~ChunkReader();
  ChunkReader(ChunkReader&&) noexcept;
  ChunkReader& operator=(ChunkReader&&) noexcept;

  // `data` must be followed by SseParser::kPadding readable bytes (what SseParser gives).
  // Reuses `out`'s buffers.
  void read(std::string_view data, StreamChunk& out);

 private:
  struct Impl;  // the simdjson parser, kept out of this header
  std::unique_ptr<Impl> impl_;
};

}  // namespace kvtrace::replay
