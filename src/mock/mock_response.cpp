#include "kvtrace/mock/mock_response.hpp"

#include <fmt/format.h>

#include <array>

#include "kvtrace/core/json_writer.hpp"

namespace kvtrace::mock {

namespace {

constexpr std::array<std::string_view, 32> kWords = {
    " the", " of",   " and", " to",    " in",  " a",    " is", " that", " for",  " it",  " as",
    " was", " with", " be",  " by",    " on",  " not",  " he", " I",    " this", " are", " or",
    " his", " from", " at",  " which", " but", " have", " an", " had",  " they", " you"};

void append_usage_object(std::string& out, const Usage& u) {
  fmt::format_to(std::back_inserter(out),
                 R"("usage":{{"prompt_tokens":{},"completion_tokens":{},"total_tokens":{},)"
                 R"("prompt_tokens_details":{{"cached_tokens":{}}}}})",
                 u.prompt_tokens, u.completion_tokens, u.prompt_tokens + u.completion_tokens,
                 u.cached_tokens);
}

// `{"id":"<id>","object":"<object>","created":<t>,"model":"<model>"` without the closing brace.
std::string object_start(std::string_view id, std::string_view object, std::int64_t created,
                         std::string_view model) {
  std::string out = "{\"id\":";
  json::append_string(out, id);
  out += ",\"object\":\"";
  out += object;
  out += "\",\"created\":";
  json::append_int(out, created);
  out += ",\"model\":";
  json::append_string(out, model);
  return out;
}

}  // namespace

std::string_view token_text(std::uint32_t index) {
  return kWords[index % kWords.size()];
}

StreamFormatter::StreamFormatter(MockApi api, std::string_view id, std::int64_t created,
                                 std::string_view model, bool include_usage)
    : api_(api), include_usage_(include_usage) {
  const bool chat = api == MockApi::kChat;
  frame_ = "data: " +
           object_start(id, chat ? "chat.completion.chunk" : "text_completion", created, model);
  head_ = frame_ + (chat ? R"(,"choices":[{"index":0,"delta":{"content":")"
                         : R"(,"choices":[{"index":0,"text":")");
  const std::string_view usage = include_usage ? R"(,"usage":null)" : "";
  const std::string_view close = chat ? "\"}" : "\"";
  tail_ = fmt::format(R"({},"logprobs":null,"finish_reason":null}}]{}}})", close, usage) + "\n\n";
  last_ =
      fmt::format(R"({},"logprobs":null,"finish_reason":"length"}}]{}}})", close, usage) + "\n\n";
}

void StreamFormatter::append_role(std::string& out) const {
  if (api_ != MockApi::kChat) return;
  out += frame_;
  out += R"(,"choices":[{"index":0,"delta":{"role":"assistant","content":""},)"
         R"("logprobs":null,"finish_reason":null}])";
  if (include_usage_) out += R"(,"usage":null)";
  out += "}\n\n";
}

void StreamFormatter::append_token(std::string& out, std::uint32_t index, bool last) const {
  out += head_;
  out += token_text(index);
  out += last ? last_ : tail_;
}

void StreamFormatter::append_usage(std::string& out, const Usage& usage) const {
  out += frame_;
  out += R"(,"choices":[],)";
  append_usage_object(out, usage);
  out += "}\n\n";
}

void StreamFormatter::append_done(std::string& out) {
  out += "data: [DONE]\n\n";
}

std::string full_response(MockApi api, std::string_view id, std::int64_t created,
                          std::string_view model, const Usage& usage) {
  const bool chat = api == MockApi::kChat;
  std::string text;
  for (std::uint64_t i = 0; i < usage.completion_tokens; ++i) {
    text += token_text(static_cast<std::uint32_t>(i));
  }
  std::string out = object_start(id, chat ? "chat.completion" : "text_completion", created, model);
  out += R"(,"choices":[{"index":0,)";
  out += chat ? R"("message":{"role":"assistant","content":)" : R"("text":)";
  json::append_string(out, text);
  out += chat ? "}," : ",";
  out += R"("logprobs":null,"finish_reason":"length"}],)";
  append_usage_object(out, usage);
  out += '}';
  return out;
}

std::string models_response(std::string_view model, std::int64_t created) {
  std::string out = R"({"object":"list","data":[{"id":)";
  json::append_string(out, model);
  out += R"(,"object":"model","created":)";
  json::append_int(out, created);
  out += R"(,"owned_by":"kvtrace"}]})";
  return out;
}

std::string error_response(std::string_view message, std::string_view type,
                           std::string_view param) {
  std::string out = R"({"error":{"message":)";
  json::append_string(out, message);
  out += R"(,"type":)";
  json::append_string(out, type);
  out += R"(,"param":)";
  if (param.empty()) {
    out += "null";
  } else {
    json::append_string(out, param);
  }
  out += R"(,"code":null}})";
  return out;
}

}  // namespace kvtrace::mock
