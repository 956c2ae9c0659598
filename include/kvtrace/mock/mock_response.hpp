#pragma once
// The JSON the mock server sends, in OpenAI's shapes (docs/mock-server.md): streamed SSE
// events from per-request templates (so a token costs two appends, no formatting), whole
// responses, /v1/models and errors.

#include <cstdint>
#include <string>
#include <string_view>

#include "kvtrace/mock/mock_request.hpp"

namespace kvtrace::mock {

// The text of output token `index`: common English words with a leading space, each one token
// for byte-level BPE tokenizers (GPT-2, Llama-3, Qwen), so re-tokenizing the streamed text
// counts the tokens streamed. Plain ASCII letters: no JSON escaping needed.
std::string_view token_text(std::uint32_t index);

struct Usage {
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::uint64_t cached_tokens = 0;  // prompt tokens found in the simulated KV cache
};

// One request's SSE events. Chat: chat.completion.chunk with choices[0].delta; completions:
// text_completion with choices[0].text. When the request asked for usage, every event carries
// "usage":null and the usage event ends the stream, as OpenAI does.
class StreamFormatter {
 public:
  StreamFormatter(MockApi api, std::string_view id, std::int64_t created, std::string_view model,
                  bool include_usage);

  // Chat's first event: delta {"role":"assistant","content":""}. Nothing for completions.
  void append_role(std::string& out) const;
  // The event of output token `index`; the last one carries finish_reason "length".
  void append_token(std::string& out, std::uint32_t index, bool last) const;
  // The usage event: "choices":[] and "usage":{...}.
  void append_usage(std::string& out, const Usage& usage) const;
  // "data: [DONE]\n\n".
  static void append_done(std::string& out);

 private:
  MockApi api_;
  std::string head_;   // `data: {"id":...,"choices":[{"index":0,"delta":{"content":"`
  std::string tail_;   // `"},"logprobs":null,"finish_reason":null}]}\n\n`
  std::string last_;   // the same with finish_reason "length"
  std::string frame_;  // `data: {"id":...,"model":"..."`: the start of the role and usage events
  bool include_usage_;
};

// A whole (non-streamed) chat.completion or text_completion of `usage.completion_tokens`
// tokens.
std::string full_response(MockApi api, std::string_view id, std::int64_t created,
                          std::string_view model, const Usage& usage);

// GET /v1/models: one model.
std::string models_response(std::string_view model, std::int64_t created);

// OpenAI's error object: {"error":{"message":…,"type":…,"param":…,"code":null}}; `param` null
// when empty.
std::string error_response(std::string_view message, std::string_view type,
                           std::string_view param = {});

}  // namespace kvtrace::mock
