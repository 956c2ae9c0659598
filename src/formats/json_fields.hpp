#pragma once
// Reading the fields of a JSON object (simdjson DOM) with problems named the way every
// kvtrace reader names them ("request.replay.input_length: missing"), for the formats whose
// records are JSON objects of their own schema (Dynamo request traces).

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/trace/request_parser.hpp"

namespace kvtrace::formats {

// A value as it is written, shortened for messages: `string "12"`, `number -3`, `object`.
inline std::string describe_json(simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::ARRAY:
      return "array";
    case T::OBJECT:
      return "object";
    case T::NULL_VALUE:
      return "null";
    default:
      break;
  }
  std::string text = simdjson::minify(e);
  constexpr std::size_t kMax = 40;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  const std::string_view kind = e.is_string() ? "string " : e.is_bool() ? "boolean " : "number ";
  return std::string(kind) + text;
}

// A JSON object key as it is written between quotes, appended to `out`: '"', '\\' and
// control characters escaped.
inline void append_json_escaped(std::string& out, std::string_view key) {
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
}

// Typed reads of an object's fields; each problem is recorded with `prefix` + the key. Null
// counts as absent.
class JsonFields {
 public:
  explicit JsonFields(std::vector<trace::FieldProblem>* problems) : problems_(problems) {}
  explicit JsonFields(std::vector<trace::FieldProblem>& problems)
      : problems_(&problems), before_(problems.size()) {}

  std::string prefix;

  void problem(std::string_view field, std::string text) {
    problems_->push_back({prefix + std::string(field), std::move(text)});
  }
  bool failed() const { return problems_->size() != before_; }

  // The value of `key`, or nullopt (a problem when `required`) if absent or null.
  std::optional<simdjson::dom::element> value(simdjson::dom::object o, std::string_view key,
                                              bool required) {
    simdjson::dom::element e;
    if (o[key].get(e) || e.is_null()) {
      if (required) problem(key, "missing");
      return std::nullopt;
    }
    return e;
  }

  std::optional<std::string_view> string(simdjson::dom::object o, std::string_view key,
                                         bool required) {
    const auto e = value(o, key, required);
    if (!e) return std::nullopt;
    std::string_view s;
    if (e->get_string().get(s)) {
      problem(key, "expected a string, got " + describe_json(*e));
      return std::nullopt;
    }
    return s;
  }

  // An integer from 0 to 2^64-1, read exactly (never through a double).
  std::optional<std::uint64_t> unsigned_integer(simdjson::dom::object o, std::string_view key,
                                                bool required) {
    const auto e = value(o, key, required);
    if (!e) return std::nullopt;
    return to_u64(*e, key);
  }

  // A length: an integer from 0 to 2^63-1.
  std::optional<std::int64_t> length(simdjson::dom::object o, std::string_view key, bool required) {
    const auto n = unsigned_integer(o, key, required);
    if (!n) return std::nullopt;
    if (*n > static_cast<std::uint64_t>(INT64_MAX)) {
      problem(key, "too large (maximum 2^63-1), got " + std::to_string(*n));
      return std::nullopt;
    }
    return static_cast<std::int64_t>(*n);
  }

  // The array of unsigned 64-bit integers at `key` into `out` (cleared first, its storage
  // reused); false, with the problems, when it is absent, null or not such an array.
  bool u64_array(simdjson::dom::object o, std::string_view key, bool required,
                 std::vector<std::uint64_t>& out) {
    out.clear();
    const auto e = value(o, key, required);
    if (!e) return false;
    simdjson::dom::array a;
    if (e->get_array().get(a)) {
      problem(key, "expected an array of unsigned 64-bit integers, got " + describe_json(*e));
      return false;
    }
    out.reserve(a.size());
    std::size_t index = 0;
    bool ok = true;
    for (simdjson::dom::element item : a) {
      std::uint64_t u = 0;
      if (!item.get_uint64().get(u)) {
        out.push_back(u);
      } else {
        // The item's name is spelled out only for a problem: most arrays have none.
        to_u64(item, std::string(key) + "[" + std::to_string(index) + "]");
        ok = false;
      }
      ++index;
    }
    return ok;
  }

 private:
  std::optional<std::uint64_t> to_u64(simdjson::dom::element e, std::string_view field) {
    std::uint64_t u = 0;
    if (!e.get_uint64().get(u)) return u;
    std::int64_t i = 0;
    if (!e.get_int64().get(i)) {
      problem(field, "must be >= 0, got " + describe_json(e));
    } else {
      problem(field, "expected an unsigned 64-bit integer, got " + describe_json(e));
    }
    return std::nullopt;
  }

  std::vector<trace::FieldProblem>* problems_;
  std::size_t before_ = 0;
};

}  // namespace kvtrace::formats
