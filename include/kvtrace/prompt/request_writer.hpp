#pragma once
// The Requests format (docs/materialize.md): one compact JSON object per line with a trace
// request's scheduling fields and the OpenAI-compatible body to send for it.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::prompt {

using tokenizer::TokenId;

enum class Api {
  kChat,         // /v1/chat/completions: "messages":[{"role":"user","content":PROMPT}]
  kCompletions,  // /v1/completions: "prompt":PROMPT (text or token ids)
};

// What a request's body carries as its prompt.
struct PromptBody {
  enum class Kind {
    kText,      // `text`: the prompt text
    kTokens,    // `tokens`: the prompt as token ids (completions API)
    kMessages,  // `raw`: the trace's chat messages, verbatim JSON; `tools`: its tools or ""
    kPayload,   // `raw`: the trace's whole request body, verbatim JSON
  };
  Kind kind = Kind::kText;
  std::string_view text;
  std::span<const TokenId> tokens;
  std::string_view raw;
  std::string_view tools;
};

struct BodyOptions {
  Api api = Api::kChat;
  std::string_view model;  // empty: the body has no "model" member
};

// Appends one line, '\n' included:
//   {"index":I,"timestamp":T,"session_id":S,"delay":D,"body":{"model":M,
//    "messages":[{"role":"user","content":P}] or "prompt":P,"max_tokens":O,"stream":true}}
// `index` is the request's position in the trace (shards are merged by it). timestamp and
// delay appear when the request has them (numbers kept as given), model when given,
// max_tokens when the request has an output_length. A payload body is written verbatim.
void append_request_line(std::string& out, std::uint64_t index, const trace::Request& r,
                         std::string_view session_id, const PromptBody& body,
                         const BodyOptions& options);

}  // namespace kvtrace::prompt
