#include "kvtrace/trace/request_parser.hpp"

#include <simdjson.h>

#include <cmath>
#include <string_view>

#include "kvtrace/trace/json_text.hpp"

namespace kvtrace::trace {

static_assert(kLinePadding >= simdjson::SIMDJSON_PADDING, "lines need simdjson's padding");

namespace od = simdjson::ondemand;

namespace {

// Bits of the known fields, to report duplicates and check which fields are present.
enum Seen : unsigned {
  kTimestamp = 1u << 0,
  kInputLength = 1u << 1,
  kOutputLength = 1u << 2,
  kHashIds = 1u << 3,
  kSessionId = 1u << 4,
  kDelay = 1u << 5,
  kTextInput = 1u << 6,
  kMessages = 1u << 7,  // kept as an extra field; counted for "exactly one prompt source"
  kPayload = 1u << 8,
};

constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

std::string_view type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "array";
    case od::json_type::object:
      return "object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "value";
}

// The value as written, shortened for messages: `got string "12"`. `raw` is the value's
// raw_json_token(), taken before the value is consumed.
std::string describe(od::json_type t, std::string_view raw) {
  std::string out(type_name(t));
  if (t == od::json_type::array || t == od::json_type::object) return out;
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r')) {
    raw.remove_suffix(1);
  }
  constexpr std::size_t kMax = 40;
  out += ' ';
  if (raw.size() > kMax) {
    out.append(raw.substr(0, kMax));
    out += "...";
  } else {
    out.append(raw);
  }
  return out;
}

std::string describe(od::value& v, od::json_type t) {
  return describe(t, v.raw_json_token());
}

std::string json_error(simdjson::error_code e) {
  return std::string("invalid JSON: ") + simdjson::error_message(e);
}

// Reads every scalar of a value so that malformed content inside it is reported: On-Demand
// does not validate what it skips. `depth` is the value's nesting level (the line's object is
// 1); a value nested deeper than kMaxJsonNesting is a DEPTH_ERROR, before the recursion could
// exhaust the stack.
simdjson::error_code consume(od::value v, std::size_t depth) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  const bool composite = t == od::json_type::object || t == od::json_type::array;
  if (composite && depth > kMaxJsonNesting) return simdjson::DEPTH_ERROR;
  switch (t) {
    case od::json_type::object: {
      od::object obj;
      if (auto e = v.get_object().get(obj)) return e;
      for (auto field : obj) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        if (auto e = consume(field.value(), depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array arr;
      if (auto e = v.get_array().get(arr)) return e;
      for (auto element : arr) {
        od::value item;
        if (auto e = element.get(item)) return e;
        if (auto e = consume(item, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::number:
      return v.get_number().error();
    case od::json_type::string:
      return v.get_string().error();
    case od::json_type::boolean:
      return v.get_bool().error();
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

}  // namespace

bool is_blank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v') return false;
  }
  return true;
}

struct RequestParser::Impl {
  od::parser parser;
  od::parser extra_parser;  // validates the raw text of unknown fields
  std::vector<FieldProblem>* problems = nullptr;
  std::size_t problems_before = 0;
  const Line* line = nullptr;

  void problem(std::string field, std::string text) {
    problems->push_back({std::move(field), std::move(text)});
  }

  // A JSON syntax error ends the parse: On-Demand cannot go on after one. simdjson says
  // "ended early" when a whole object is followed by more text; that is said plainly.
  bool syntax(simdjson::error_code e) {
    problem("", has_text_after_value(line->text) ? std::string(kTextAfterObject) : json_error(e));
    return false;
  }

  // Null counts as absent (AIPerf's fields are Optional). Returns false on a syntax error.
  bool null_or_type(od::value& v, od::json_type& t, bool& is_null) {
    if (auto e = v.type().get(t)) return syntax(e);
    is_null = t == od::json_type::null;
    if (is_null) {
      bool really = false;
      if (auto e = v.is_null().get(really)) return syntax(e);
      if (!really) return syntax(simdjson::N_ATOM_ERROR);
    }
    return true;
  }

  // Reads the number in `v`. A non-number, or a literal out of range (past 64 bits or a
  // double), is recorded as the field's problem and leaves `out` empty; `expected` says what
  // was wanted. Returns false on a syntax error only.
  bool read_number(od::value& v, od::json_type t, const std::string& field,
                   std::string_view expected, std::string_view& raw,
                   std::optional<od::number>& out) {
    out.reset();
    raw = v.raw_json_token();
    if (t != od::json_type::number) {
      problem(field, "expected " + std::string(expected) + ", got " + describe(t, raw));
      return true;
    }
    od::number n;
    if (auto e = v.get_number().get(n)) {
      if (e != simdjson::NUMBER_ERROR) return syntax(e);
      problem(field,
              "out of range: expected " + std::string(expected) + ", got " + describe(t, raw));
      return true;
    }
    out = n;
    return true;
  }

  // A non-negative integer up to 2^64-1: a JSON integer, or a float with an integral value up
  // to 2^53 (pydantic accepts 1.0 for an int field). Records the problem otherwise.
  std::optional<std::uint64_t> non_negative_integer(const od::number& n, const std::string& field,
                                                    std::string_view raw) {
    const auto what = [&] { return describe(od::json_type::number, raw); };
    switch (n.get_number_type()) {
      case od::number_type::signed_integer:
        if (n.get_int64() >= 0) return static_cast<std::uint64_t>(n.get_int64());
        problem(field, "must be >= 0, got " + what());
        return std::nullopt;
      case od::number_type::unsigned_integer:
        return n.get_uint64();
      case od::number_type::floating_point_number: {
        const double d = n.get_double();
        if (d != std::floor(d)) {
          problem(field, "expected an integer, got " + what());
        } else if (d < 0) {
          problem(field, "must be >= 0, got " + what());
        } else if (d > kMaxExactInteger) {
          problem(field, "too large for an integer written as a float, got " + what());
        } else {
          return static_cast<std::uint64_t>(d);
        }
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // A length: a non-negative integer up to 2^63-1. Returns false on a syntax error only.
  bool length(od::value& v, od::json_type t, const std::string& field,
              std::optional<std::int64_t>& out) {
    out.reset();
    std::string_view raw;
    std::optional<od::number> n;
    if (!read_number(v, t, field, "a non-negative integer", raw, n)) return false;
    if (!n) return true;
    const std::optional<std::uint64_t> u = non_negative_integer(*n, field, raw);
    if (u && *u > static_cast<std::uint64_t>(INT64_MAX)) {
      problem(field, "too large (maximum 2^63-1), got " + describe(t, raw));
    } else if (u) {
      out = static_cast<std::int64_t>(*u);
    }
    return true;
  }

  // Milliseconds: an integer or a float, kept as given. Returns false on a syntax error only.
  bool millis(od::value& v, od::json_type t, const std::string& field, bool non_negative,
              std::optional<Number>& out) {
    std::string_view raw;
    std::optional<od::number> n;
    if (!read_number(v, t, field, "a number (milliseconds)", raw, n)) return false;
    if (!n) return true;
    Number value;
    switch (n->get_number_type()) {
      case od::number_type::signed_integer:
        value = Number::of_int(n->get_int64());
        break;
      case od::number_type::unsigned_integer:
        problem(field, "too large (maximum 2^63-1), got " + describe(t, raw));
        return true;
      case od::number_type::floating_point_number:
        value = Number::of_real(n->get_double());
        break;
    }
    if (non_negative && value.value() < 0) {
      problem(field, "must be >= 0, got " + describe(t, raw));
      return true;
    }
    out = value;
    return true;
  }

  bool string(od::value& v, od::json_type t, std::string_view field, std::string_view hint,
              std::optional<std::string>& out) {
    if (t != od::json_type::string) {
      out.reset();
      std::string text = "expected a string, got " + describe(v, t);
      if (!hint.empty()) text.append(" (").append(hint).append(")");
      problem(std::string(field), std::move(text));
      return true;
    }
    std::string_view s;
    if (auto e = v.get_string().get(s)) return syntax(e);
    if (!out) out.emplace();
    out->assign(s);
    return true;
  }

  bool hash_ids(od::value& v, od::json_type t, std::optional<std::vector<std::uint64_t>>& out) {
    if (t != od::json_type::array) {
      out.reset();
      problem("hash_ids", "expected an array of non-negative integers, got " + describe(v, t));
      return true;
    }
    if (!out) out.emplace();
    out->clear();
    od::array arr;
    if (auto e = v.get_array().get(arr)) return syntax(e);
    std::size_t index = 0;
    for (auto element : arr) {
      od::value item;
      if (auto e = element.get(item)) return syntax(e);
      std::uint64_t id = 0;
      // Fast path: a plain unsigned integer, the common case by far.
      const auto fast = item.get_uint64().get(id);
      if (fast == simdjson::SUCCESS) {
        out->push_back(id);
      } else if (!hash_id_slow(item, index, *out)) {
        return false;
      }
      ++index;
    }
    return true;
  }

  bool hash_id_slow(od::value& item, std::size_t index, std::vector<std::uint64_t>& out) {
    const std::string field = "hash_ids[" + std::to_string(index) + "]";
    od::json_type t;
    if (auto e = item.type().get(t)) return syntax(e);
    std::string_view raw;
    std::optional<od::number> n;
    if (!read_number(item, t, field, "an unsigned 64-bit integer", raw, n)) return false;
    if (!n) return true;
    if (const auto id = non_negative_integer(*n, field, raw)) out.push_back(*id);
    return true;
  }

  bool extra_field(od::value& v, od::json_type t, std::string_view key, Request& out) {
    std::string_view raw;
    const bool composite = t == od::json_type::array || t == od::json_type::object;
    if (composite) {
      simdjson::error_code e;
      if (t == od::json_type::array) {
        od::array arr;
        e = v.get_array().get(arr);
        if (!e) e = arr.raw_json().get(raw);
      } else {
        od::object obj;
        e = v.get_object().get(obj);
        if (!e) e = obj.raw_json().get(raw);
      }
      if (e) return syntax(e);
      // Validate the kept text fully, with a parser of its own.
      const auto offset = static_cast<std::size_t>(raw.data() - line->text.data());
      od::document doc;
      if (auto e2 =
              extra_parser.iterate(raw.data(), raw.size(), line->capacity - offset).get(doc)) {
        return syntax(e2);
      }
      od::value root;
      if (auto e2 = doc.get_value().get(root)) return syntax(e2);
      if (auto e2 = consume(root, 2)) {
        if (e2 != simdjson::DEPTH_ERROR) return syntax(e2);
        problem(std::string(key), "nesting deeper than " + std::to_string(kMaxJsonNesting) +
                                      " levels of arrays and objects");
        return false;
      }
    } else {
      raw = v.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' ||
                              raw.back() == '\r')) {
        raw.remove_suffix(1);
      }
      if (auto e = consume(v, 2)) return syntax(e);
    }
    out.extra.push_back({std::string(key), std::string(raw)});
    return true;
  }

  bool parse(const Line& l, Request& out, std::vector<FieldProblem>& sink) {
    problems = &sink;
    problems_before = sink.size();
    line = &l;
    out.extra.clear();

    od::document doc;
    if (auto e = parser.iterate(l.text.data(), l.text.size(), l.capacity).get(doc)) {
      return syntax(e);
    }
    od::json_type top;
    if (auto e = doc.type().get(top)) return syntax(e);
    if (top != od::json_type::object) {
      // A scalar line must still be valid JSON to be called "a number" etc.: `not json`
      // starts like null.
      simdjson::error_code e = simdjson::SUCCESS;
      switch (top) {
        case od::json_type::number:
          e = doc.get_number().error();
          break;
        case od::json_type::string:
          e = doc.get_string().error();
          break;
        case od::json_type::boolean:
          e = doc.get_bool().error();
          break;
        case od::json_type::null: {
          bool is_null = false;
          e = doc.is_null().get(is_null);
          if (!e && !is_null) e = simdjson::N_ATOM_ERROR;
          break;
        }
        default:
          break;
      }
      if (e) return syntax(e);
      problem("", "expected a JSON object, got " + std::string(type_name(top)));
      return false;
    }
    od::object obj;
    if (auto e = doc.get_object().get(obj)) return syntax(e);

    unsigned seen = 0;
    for (auto field_result : obj) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return syntax(e);
      // The raw key (escaped form) is what an unknown field is written back with.
      const std::string_view raw_key = raw_key_text(field.key().raw());
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return syntax(e);
      od::value v = field.value();
      od::json_type t;
      bool is_null = false;
      if (!null_or_type(v, t, is_null)) return false;

      unsigned bit = 0;
      if (key == "hash_ids") {
        bit = kHashIds;
      } else if (key == "input_length") {
        bit = kInputLength;
      } else if (key == "output_length") {
        bit = kOutputLength;
      } else if (key == "timestamp") {
        bit = kTimestamp;
      } else if (key == "session_id") {
        bit = kSessionId;
      } else if (key == "delay") {
        bit = kDelay;
      } else if (key == "text_input") {
        bit = kTextInput;
      } else if (key == "messages") {
        bit = kMessages;
      } else if (key == "payload") {
        bit = kPayload;
      }
      if (bit != 0 && (seen & bit) != 0) {
        problem(std::string(key), "duplicate field");
        continue;
      }
      if (is_null) {
        // Absent, as AIPerf treats null; messages/payload nulls are kept verbatim.
        clear_field(bit, out);
        if (bit == kMessages || bit == kPayload || bit == 0) {
          out.extra.push_back({std::string(raw_key), "null"});
        }
        continue;
      }
      seen |= bit;
      bool ok = true;
      switch (bit) {
        case kHashIds:
          ok = hash_ids(v, t, out.hash_ids);
          break;
        case kInputLength:
          ok = length(v, t, "input_length", out.input_length);
          break;
        case kOutputLength:
          ok = length(v, t, "output_length", out.output_length);
          break;
        case kTimestamp:
          ok = millis(v, t, "timestamp", false, out.timestamp);
          break;
        case kDelay:
          ok = millis(v, t, "delay", true, out.delay);
          break;
        case kSessionId:
          ok = string(v, t, "session_id", "AIPerf rejects non-string session ids; quote it",
                      out.session_id);
          break;
        case kTextInput:
          ok = string(v, t, "text_input", "", out.text_input);
          break;
        default:
          ok = extra_field(v, t, raw_key, out);
          break;
      }
      if (!ok) return false;
    }
    // After the object the document must be exhausted: "{...} x" is not one object.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      return syntax(simdjson::TRAILING_CONTENT);
    }

    for (unsigned bit :
         {kTimestamp, kInputLength, kOutputLength, kHashIds, kSessionId, kDelay, kTextInput}) {
      if ((seen & bit) == 0) clear_field(bit, out);
    }
    check_cross_fields(seen, out);
    return sink.size() == problems_before;
  }

  // The key of an unknown field as it was written (escapes kept): `raw` points just after
  // the opening quote of a key the parser has already validated.
  static std::string_view raw_key_text(const char* raw) {
    std::size_t i = 0;
    while (raw[i] != '"') i += raw[i] == '\\' ? 2 : 1;
    return {raw, i};
  }

  static void clear_field(unsigned bit, Request& out) {
    switch (bit) {
      case kTimestamp:
        out.timestamp.reset();
        break;
      case kInputLength:
        out.input_length.reset();
        break;
      case kOutputLength:
        out.output_length.reset();
        break;
      case kHashIds:
        out.hash_ids.reset();
        break;
      case kSessionId:
        out.session_id.reset();
        break;
      case kDelay:
        out.delay.reset();
        break;
      case kTextInput:
        out.text_input.reset();
        break;
      default:
        break;
    }
  }

  // AIPerf's MooncakeTrace rules: exactly one prompt source; hash_ids need input_length.
  void check_cross_fields(unsigned seen, const Request& out) {
    if (problems->size() != problems_before) return;  // a bad field already explains the line
    const int sources = (out.input_length ? 1 : 0) + (out.text_input ? 1 : 0) +
                        ((seen & kMessages) != 0 ? 1 : 0) + ((seen & kPayload) != 0 ? 1 : 0);
    if (sources == 0) {
      problem("input_length",
              "missing: a request needs one of input_length, text_input, messages or payload");
    } else if (sources > 1) {
      problem("input_length",
              "input_length, text_input, messages and payload are mutually exclusive; use one");
    }
    if (out.hash_ids && !out.input_length) {
      problem("hash_ids", "only allowed together with input_length");
    }
  }
};

RequestParser::RequestParser() : impl_(std::make_unique<Impl>()) {}
RequestParser::~RequestParser() = default;

bool RequestParser::parse(const Line& line, Request& out, std::vector<FieldProblem>& problems) {
  return impl_->parse(line, out, problems);
}

}  // namespace kvtrace::trace
