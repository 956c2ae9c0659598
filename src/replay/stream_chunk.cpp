#include "kvtrace/replay/stream_chunk.hpp"

#include <simdjson.h>

#include "kvtrace/replay/sse_parser.hpp"

namespace kvtrace::replay {

static_assert(SseParser::kPadding >= simdjson::SIMDJSON_PADDING);

namespace od = simdjson::ondemand;

struct ChunkReader::Impl {
  od::parser parser;
};

ChunkReader::ChunkReader() : impl_(std::make_unique<Impl>()) {}
ChunkReader::~ChunkReader() = default;
ChunkReader::ChunkReader(ChunkReader&&) noexcept = default;
ChunkReader& ChunkReader::operator=(ChunkReader&&) noexcept = default;

namespace {

bool trimmed_equals(std::string_view s, std::string_view what) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s == what;
}

// Appends a string member's value; null counts as empty. Errors on other types.
simdjson::error_code append_text(od::value v, std::string& out) {
  bool null = false;
  if (!v.is_null().get(null) && null) return simdjson::SUCCESS;
  std::string_view s;
  if (auto e = v.get_string().get(s)) return e;
  out.append(s);
  return simdjson::SUCCESS;
}

simdjson::error_code optional_count(od::value v, std::optional<std::uint64_t>& out) {
  bool null = false;
  if (!v.is_null().get(null) && null) return simdjson::SUCCESS;
  std::uint64_t n = 0;
  if (auto e = v.get_uint64().get(n)) return e;
  out = n;
  return simdjson::SUCCESS;
}

simdjson::error_code read_choice(od::object choice, std::string& text) {
  for (auto field : choice) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    if (key == "text") {
      if (auto e = append_text(field.value(), text)) return e;
    } else if (key == "delta") {
      od::object delta;
      if (auto e = field.value().get_object().get(delta)) return e;
      for (auto d : delta) {
        std::string_view dkey;
        if (auto e = d.unescaped_key().get(dkey)) return e;
        if (dkey == "content" || dkey == "reasoning_content") {
          if (auto e = append_text(d.value(), text)) return e;
        }
      }
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code read_object(od::object obj, StreamChunk& out) {
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    if (key == "choices") {
      od::array choices;
      if (auto e = field.value().get_array().get(choices)) return e;
      bool first = true;
      for (auto element : choices) {
        od::object choice;
        if (auto e = element.get_object().get(choice)) return e;
        // Only the first choice is the stream's text (replay sends n = 1).
        if (first) {
          if (auto e = read_choice(choice, out.text)) return e;
        }
        first = false;
      }
    } else if (key == "usage") {
      od::value v;
      if (auto e = field.value().get(v)) return e;
      bool null = false;
      if (!v.is_null().get(null) && null) continue;
      od::object usage;
      if (auto e = v.get_object().get(usage)) return e;
      for (auto u : usage) {
        std::string_view ukey;
        if (auto e = u.unescaped_key().get(ukey)) return e;
        if (ukey == "prompt_tokens") {
          if (auto e = optional_count(u.value(), out.prompt_tokens)) return e;
        } else if (ukey == "completion_tokens") {
          if (auto e = optional_count(u.value(), out.completion_tokens)) return e;
        }
      }
    } else if (key == "error") {
      od::value v;
      if (auto e = field.value().get(v)) return e;
      od::json_type t;
      if (auto e = v.type().get(t)) return e;
      if (t == od::json_type::object) {
        od::object o;
        if (auto e = v.get_object().get(o)) return e;
        std::string_view raw;
        if (auto e = o.raw_json().get(raw)) return e;
        out.error = raw;
      } else {
        out.error = v.raw_json_token();
      }
    }
  }
  return simdjson::SUCCESS;
}

}  // namespace

void ChunkReader::read(std::string_view data, StreamChunk& out) {
  out.done = out.malformed = false;
  out.text.clear();
  out.prompt_tokens.reset();
  out.completion_tokens.reset();
  out.error.clear();
  if (trimmed_equals(data, "[DONE]")) {
    out.done = true;
    return;
  }
  const simdjson::padded_string_view padded(data.data(), data.size(),
                                            data.size() + SseParser::kPadding);
  od::document doc;
  od::object obj;
  if (impl_->parser.iterate(padded).get(doc) || doc.get_object().get(obj) ||
      read_object(obj, out)) {
    out.malformed = true;
    out.text.clear();
  }
}

}  // namespace kvtrace::replay
