#pragma once
// Renders chat messages into the prompt text a server would tokenize. kvtrace does not run
// Jinja chat templates; it recognises the two template families most served models use and
// renders their core exactly (docs/hash.md lists what they leave out), or falls back to
// role-tagged plain text:
//   chatml: "<|im_start|>{role}\n{content}<|im_end|>\n" per message (Qwen, many others)
//   llama3: "<|begin_of_text|>" +
//   "<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>" plain:  "{role}:
//   {content}\n\n" per message
// each followed by the assistant's generation prompt ("<|im_start|>assistant\n",
// "<|start_header_id|>assistant<|end_header_id|>\n\n", "assistant: ").

#include <span>
#include <string>
#include <string_view>

namespace kvtrace::tokenizer {

enum class ChatFormat { kChatMl, kLlama3, kPlain };

struct ChatTurn {
  std::string_view role;
  std::string_view content;
};

// "chatml", "llama3", "plain"; throws UsageError for another name.
ChatFormat parse_chat_format(std::string_view name);
std::string_view chat_format_name(ChatFormat format);

// The family of a `chat_template` string: chatml when it writes <|im_start|>, llama3 when it
// writes <|start_header_id|>, else plain.
ChatFormat detect_chat_format(std::string_view chat_template);

// The format for a tokenizer file: detect_chat_format of the `chat_template` in the
// `tokenizer_config.json` beside it (or inside it, for a directory); plain without one.
// Throws InputError when that file is not valid JSON.
ChatFormat chat_format_for_tokenizer(const std::string& tokenizer_path);

// The prompt text of `messages` with the generation prompt appended.
std::string render_chat(std::span<const ChatTurn> messages, ChatFormat format);

}  // namespace kvtrace::tokenizer
