#pragma once
// Parses one line of a conversations JSONL file, the input of `kvtrace hash`: a request's
// prompt as token ids (`"tokens":[…]`, or `"prompt":[…]` as the completions API allows), as
// text (`"prompt":"…"`) or as OpenAI chat `"messages"`, optionally wrapped in a `"body"`
// object (kvtrace materialize's requests), with optional `timestamp`, `session_id`, `delay`
// and `output_length` (or `max_tokens` / `max_completion_tokens`). Other fields are ignored.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::trace {

struct ChatMessage {
  std::string role;
  std::string content;  // text parts of an array content joined in order
  friend bool operator==(const ChatMessage&, const ChatMessage&) = default;
};

enum class PromptSource { kTokens, kText, kMessages };

struct Conversation {
  std::uint64_t line = 0;  // 1-based
  PromptSource source = PromptSource::kTokens;
  std::vector<std::uint32_t> tokens;  // kTokens
  std::string text;                   // kText
  std::vector<ChatMessage> messages;  // kMessages
  std::optional<Number> timestamp;
  std::optional<std::string> session_id;
  std::optional<Number> delay;
  std::optional<std::int64_t> output_length;
};

class ConversationParser {
 public:
  // `source`: the file name used in errors.
  explicit ConversationParser(std::string source);
  ~ConversationParser();
  ConversationParser(const ConversationParser&) = delete;
  ConversationParser& operator=(const ConversationParser&) = delete;

  // Fills `out` from a non-blank line (reusing its storage). Throws InputError naming the
  // file, line and field: not JSON, not an object, no prompt or more than one, a token that
  // is not an integer in [0, 2^32), a wrong type.
  void parse(const Line& line, Conversation& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kvtrace::trace
