#include "kvtrace/mock/mock_request.hpp"

#include <simdjson.h>

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/tokenizer/chat_format.hpp"
#include "kvtrace/trace/json_text.hpp"

namespace kvtrace::mock {

namespace od = simdjson::ondemand;

namespace {

[[noreturn]] void fail(std::string field, std::string problem) {
  throw InputError("request body", 0, std::move(field), std::move(problem));
}

// A JSON syntax error or a value of the wrong type, as the 400 response's message.
void check(simdjson::error_code e, const std::string& field, std::string_view expected) {
  if (e == simdjson::SUCCESS) return;
  if (e == simdjson::INCORRECT_TYPE) fail(field, "expected " + std::string(expected));
  fail(field, std::string("invalid JSON: ") + simdjson::error_message(e));
}

// The keys of one JSON object so far: a key given twice is refused, as the two values would
// otherwise mix (a prompt given as ids, then as text). `object` names the object in messages.
class KeySet {
 public:
  explicit KeySet(std::string object) : object_(std::move(object)) {}
  void add(std::string_view key) {
    if (!keys_.emplace(key).second) {
      fail(object_.empty() ? std::string(key) : object_ + "." + std::string(key),
           "duplicate key: give each key once");
    }
  }

 private:
  std::string object_;
  std::unordered_set<std::string> keys_;
};

// Null counts as absent, as in OpenAI's API.
bool is_null(od::value& v, const std::string& field) {
  od::json_type t{};
  check(v.type().get(t), field, "a value");
  if (t != od::json_type::null) return false;
  bool really = false;
  check(v.is_null().get(really), field, "null");
  if (!really) fail(field, "invalid JSON: bad literal");
  return true;
}

std::string_view get_string(od::value& v, const std::string& field) {
  std::string_view s;
  check(v.get_string().get(s), field, "a string");
  return s;
}

bool get_bool(od::value& v, const std::string& field) {
  bool b = false;
  check(v.get_bool().get(b), field, "true or false");
  return b;
}

std::uint32_t get_output_tokens(od::value& v, const std::string& field) {
  std::int64_t n = 0;
  check(v.get_int64().get(n), field, "an integer");
  if (n < 1) fail(field, "must be at least 1, got " + std::to_string(n));
  if (static_cast<std::uint64_t>(n) > kMaxOutputTokens) {
    fail(field,
         "must be at most " + std::to_string(kMaxOutputTokens) + ", got " + std::to_string(n));
  }
  return static_cast<std::uint32_t>(n);
}

// A message's content: a string, an array of text parts, or null (an assistant turn that
// only called tools).
void append_content(od::value& v, const std::string& field, std::string& out) {
  if (is_null(v, field)) return;
  od::json_type t{};
  check(v.type().get(t), field, "a value");
  if (t == od::json_type::string) {
    out.append(get_string(v, field));
    return;
  }
  od::array parts;
  check(v.get_array().get(parts), field, "a string or an array of text parts");
  std::size_t i = 0;
  for (auto element : parts) {
    const std::string part_field = field + "[" + std::to_string(i++) + "]";
    od::object part;
    check(element.get_object().get(part), part_field, "an object");
    bool text_type = false;
    KeySet keys(part_field);
    for (auto member : part) {
      std::string_view key;
      check(member.unescaped_key().get(key), part_field, "a key");
      keys.add(key);
      od::value value;
      check(member.value().get(value), part_field, "a value");
      if (key == "type") {
        const std::string_view type = get_string(value, part_field + ".type");
        if (type != "text") {
          fail(part_field + ".type",
               "only text parts are supported, got \"" + std::string(type) + "\"");
        }
        text_type = true;
      } else if (key == "text") {
        out.append(get_string(value, part_field + ".text"));
      }
    }
    if (!text_type) fail(part_field + ".type", "missing (expected \"text\")");
  }
}

// The messages in ChatML, the layout Qwen's chat template gives them.
void append_messages(od::value& v, std::string& out) {
  od::array messages;
  check(v.get_array().get(messages), "messages", "an array of messages");
  std::vector<std::pair<std::string, std::string>> parsed;  // role, content
  for (auto element : messages) {
    const std::string field = "messages[" + std::to_string(parsed.size()) + "]";
    od::object message;
    check(element.get_object().get(message), field, "an object");
    auto& [role, content] = parsed.emplace_back();
    KeySet keys(field);
    for (auto member : message) {
      std::string_view key;
      check(member.unescaped_key().get(key), field, "a key");
      keys.add(key);
      od::value value;
      check(member.value().get(value), field, "a value");
      if (key == "role") {
        role = get_string(value, field + ".role");
      } else if (key == "content") {
        append_content(value, field + ".content", content);
      }
    }
    if (role.empty()) fail(field + ".role", "missing");
  }
  if (parsed.empty()) fail("messages", "must hold at least one message");
  std::vector<tokenizer::ChatTurn> turns;
  turns.reserve(parsed.size());
  for (const auto& [role, content] : parsed) turns.push_back({role, content});
  out += tokenizer::render_chat(turns, tokenizer::ChatFormat::kChatMl);
}

void read_prompt(od::value& v, MockRequest& r) {
  od::json_type t{};
  check(v.type().get(t), "prompt", "a string or an array of token ids");
  if (t == od::json_type::string) {
    r.prompt_text.assign(get_string(v, "prompt"));
    return;
  }
  od::array ids;
  check(v.get_array().get(ids), "prompt", "a string or an array of token ids");
  r.prompt_is_ids = true;
  std::size_t i = 0;
  for (auto element : ids) {
    const std::string field = "prompt[" + std::to_string(i++) + "]";
    od::value id;
    check(element.get(id), field, "a token id");
    od::json_type it{};
    check(id.type().get(it), field, "a token id");
    if (it != od::json_type::number) {
      fail(field, "batched prompts are not supported: expected a token id");
    }
    std::uint64_t n = 0;
    check(id.get_uint64().get(n), field, "a token id (an integer >= 0)");
    if (n > UINT32_MAX) fail(field, "token id out of range: " + std::to_string(n));
    r.prompt_ids.push_back(static_cast<std::uint32_t>(n));
  }
}

}  // namespace

struct MockRequestParser::Impl {
  od::parser parser;
  std::string padded;  // the body followed by simdjson's padding
};

MockRequestParser::MockRequestParser() : impl_(std::make_unique<Impl>()) {}
MockRequestParser::~MockRequestParser() = default;

MockRequest MockRequestParser::parse(MockApi api, std::string_view body) {
  impl_->padded.assign(body);
  impl_->padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  od::object obj;
  simdjson::error_code e =
      impl_->parser.iterate(impl_->padded.data(), body.size(), impl_->padded.size()).get(doc);
  if (!e) e = doc.get_object().get(obj);
  // simdjson says "ended early" when a whole object is followed by more text.
  if (e && e != simdjson::INCORRECT_TYPE && trace::has_text_after_value(body)) {
    fail("", std::string(trace::kTextAfterObject));
  }
  check(e, "", "a JSON object");

  MockRequest r;
  r.api = api;
  bool has_prompt = false;
  std::optional<std::uint32_t> max_tokens;
  std::optional<std::uint32_t> max_completion_tokens;
  KeySet keys("");
  for (auto member : obj) {
    std::string_view key_view;
    check(member.unescaped_key().get(key_view), "", "a key");
    keys.add(key_view);
    const std::string key(key_view);
    od::value v;
    check(member.value().get(v), key, "a value");
    if (is_null(v, key)) continue;
    if (key == "model") {
      r.model.assign(get_string(v, key));
    } else if (key == "stream") {
      r.stream = get_bool(v, key);
    } else if (key == "stream_options") {
      od::object options;
      check(v.get_object().get(options), key, "an object");
      KeySet names(key);
      for (auto option : options) {
        std::string_view name;
        check(option.unescaped_key().get(name), key, "a key");
        names.add(name);
        od::value ov;
        check(option.value().get(ov), key, "a value");
        if (name == "include_usage" && !is_null(ov, "stream_options.include_usage")) {
          r.include_usage = get_bool(ov, "stream_options.include_usage");
        }
      }
    } else if (key == "max_tokens") {
      max_tokens = get_output_tokens(v, key);
    } else if (key == "max_completion_tokens") {
      max_completion_tokens = get_output_tokens(v, key);
    } else if (key == "messages" && api == MockApi::kChat) {
      r.prompt_text.clear();
      append_messages(v, r.prompt_text);
      has_prompt = true;
    } else if (key == "prompt" && api == MockApi::kCompletions) {
      r.prompt_text.clear();
      r.prompt_ids.clear();
      read_prompt(v, r);
      has_prompt = true;
    }
  }
  // On-Demand stops at the object's end: anything after it is not one JSON value.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    fail("", std::string(trace::kTextAfterObject));
  }
  if (!has_prompt) fail(api == MockApi::kChat ? "messages" : "prompt", "missing");
  r.max_tokens = max_completion_tokens ? max_completion_tokens : max_tokens;
  return r;
}

}  // namespace kvtrace::mock
