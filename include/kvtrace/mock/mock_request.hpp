#pragma once
// The mock server's view of an OpenAI request body: what it must stream back (how many
// tokens, in which shape) and the prompt whose tokens drive its TTFT model
// (docs/mock-server.md). simdjson On-Demand underneath.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kvtrace::mock {

enum class MockApi { kChat, kCompletions };

// Requests above this many output tokens are refused: a typo must not hold a stream for days.
inline constexpr std::uint64_t kMaxOutputTokens = 1'000'000;

struct MockRequest {
  MockApi api = MockApi::kChat;
  std::string model;  // empty when the body names none
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  // max_completion_tokens, else max_tokens (both must be 1..kMaxOutputTokens when given).
  std::optional<std::uint32_t> max_tokens;
  // The prompt as the model would see it: completions' `prompt` string, or the chat messages
  // in Qwen's ChatML layout (`<|im_start|>role\ncontent<|im_end|>\n` per message, then
  // `<|im_start|>assistant\n`). Empty when the prompt is given as token ids.
  std::string prompt_text;
  std::vector<std::uint32_t> prompt_ids;  // completions' `prompt` as token ids
  bool prompt_is_ids = false;
};

// Reuses its buffers from one body to the next; one per thread.
class MockRequestParser {
 public:
  MockRequestParser();
  ~MockRequestParser();
  MockRequestParser(const MockRequestParser&) = delete;
  MockRequestParser& operator=(const MockRequestParser&) = delete;

  // Parses a request body for `api`. Throws InputError (source "request body", the field at
  // fault) for malformed JSON, wrong types or a missing prompt: the server's 400 message.
  MockRequest parse(MockApi api, std::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kvtrace::mock
