#include "kvtrace/tokenizer/chat_format.hpp"

#include <simdjson.h>

#include <filesystem>

#include "kvtrace/core/error.hpp"

namespace kvtrace::tokenizer {

namespace fs = std::filesystem;

ChatFormat parse_chat_format(std::string_view name) {
  if (name == "chatml") return ChatFormat::kChatMl;
  if (name == "llama3") return ChatFormat::kLlama3;
  if (name == "plain") return ChatFormat::kPlain;
  throw UsageError("unknown chat format \"" + std::string(name) +
                   "\": expected chatml, llama3 or plain");
}

std::string_view chat_format_name(ChatFormat format) {
  switch (format) {
    case ChatFormat::kChatMl:
      return "chatml";
    case ChatFormat::kLlama3:
      return "llama3";
    case ChatFormat::kPlain:
      break;
  }
  return "plain";
}

ChatFormat detect_chat_format(std::string_view chat_template) {
  if (chat_template.find("<|im_start|>") != std::string_view::npos) return ChatFormat::kChatMl;
  if (chat_template.find("<|start_header_id|>") != std::string_view::npos) {
    return ChatFormat::kLlama3;
  }
  return ChatFormat::kPlain;
}

ChatFormat chat_format_for_tokenizer(const std::string& tokenizer_path) {
  std::error_code ec;
  const fs::path given(tokenizer_path);
  const fs::path config =
      (fs::is_directory(given, ec) ? given : given.parent_path()) / "tokenizer_config.json";
  if (!fs::is_regular_file(config, ec)) return ChatFormat::kPlain;

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const auto e = parser.load(config.string()).get(root)) {
    if (e == simdjson::IO_ERROR) throw IoError(config.string() + ": cannot read the file");
    throw InputError(config.string(), 0, "",
                     std::string("invalid JSON: ") + simdjson::error_message(e));
  }
  simdjson::dom::element tmpl;
  if (root["chat_template"].get(tmpl)) return ChatFormat::kPlain;
  std::string_view text;
  if (!tmpl.get_string().get(text)) return detect_chat_format(text);
  // Some models list named templates: [{"name": "default", "template": "…"}, …].
  simdjson::dom::array named;
  if (tmpl.get_array().get(named)) return ChatFormat::kPlain;
  for (simdjson::dom::element entry : named) {
    std::string_view name;
    if (!entry["name"].get_string().get(name) && name == "default" &&
        !entry["template"].get_string().get(text)) {
      return detect_chat_format(text);
    }
  }
  return ChatFormat::kPlain;
}

std::string render_chat(std::span<const ChatTurn> messages, ChatFormat format) {
  std::string out;
  switch (format) {
    case ChatFormat::kChatMl:
      for (const ChatTurn& m : messages) {
        out.append("<|im_start|>").append(m.role).append("\n");
        out.append(m.content).append("<|im_end|>\n");
      }
      out.append("<|im_start|>assistant\n");
      break;
    case ChatFormat::kLlama3:
      out.append("<|begin_of_text|>");
      for (const ChatTurn& m : messages) {
        out.append("<|start_header_id|>").append(m.role).append("<|end_header_id|>\n\n");
        out.append(m.content).append("<|eot_id|>");
      }
      out.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
      break;
    case ChatFormat::kPlain:
      for (const ChatTurn& m : messages) {
        out.append(m.role).append(": ").append(m.content).append("\n\n");
      }
      out.append("assistant: ");
      break;
  }
  return out;
}

}  // namespace kvtrace::tokenizer
