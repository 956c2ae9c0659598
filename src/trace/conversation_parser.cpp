#include "kvtrace/trace/conversation_parser.hpp"

#include <simdjson.h>

#include <algorithm>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <bit>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/json_text.hpp"

namespace kvtrace::trace {

namespace od = simdjson::ondemand;

namespace {

constexpr std::uint64_t kMaxToken = 0xFFFFFFFFu;

std::string shorten(std::string_view raw) {
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                          raw.back() == '\t' || raw.back() == ',')) {
    raw.remove_suffix(1);
  }
  constexpr std::size_t kMax = 40;
  return raw.size() > kMax ? std::string(raw.substr(0, kMax)) + "..." : std::string(raw);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static_assert(kLinePadding >= 8, "the token scanner reads 8 bytes at a time");

constexpr std::uint64_t kOnes = 0x0101010101010101u;

// The number of leading ASCII digits in the 8 bytes at `p` (8 when all are digits).
unsigned leading_digits(const char* p) {
  std::uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  const std::uint64_t x = chunk ^ (0x30 * kOnes);  // digits become 0..9
  // A byte's high bit ends up set iff it is not a digit (x >= 10). A carry out of a non-digit
  // byte can only spoil the bytes after it, which are not looked at.
  const std::uint64_t non_digit = ((x + 0x76 * kOnes) | x) & (0x80 * kOnes);
  return non_digit == 0 ? 8u : static_cast<unsigned>(std::countr_zero(non_digit)) / 8;
}

// The value of the n < 8 digits at `p` (SWAR: fast_float's eight-digit conversion, with the
// digits shifted up so that zeros lead).
std::uint64_t eight_digits_value(const char* p, unsigned n) {
  if (n == 0) return 0;
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  v = (v & (0x0F * kOnes)) << (8 * (8 - n));
  v = (v * 2561) >> 8;
  v = ((v & 0x00FF00FF00FF00FFu) * 6553601) >> 16;
  return ((v & 0x0000FFFF0000FFFFu) * 42949672960001u) >> 32;
}

#if defined(__SSE2__)
// Bits of the 64 bytes at p: where they equal `c`, and where they are ASCII digits.
struct Masks64 {
  std::uint64_t commas;
  std::uint64_t digits;
};

Masks64 masks64(const char* p) {
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i zero = _mm_set1_epi8('0');
  const __m128i nine = _mm_set1_epi8('9');
  Masks64 m{0, 0};
  for (int k = 0; k < 4; ++k) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const __m128i digit = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, zero), x),
                                        _mm_cmpeq_epi8(_mm_min_epu8(x, nine), x));
    const auto shift = static_cast<unsigned>(16 * k);
    m.commas |=
        std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, comma)))}
        << shift;
    m.digits |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(digit))} << shift;
  }
  return m;
}

// The common case, compact arrays of plain integers (`[12,7,4051]`), without a serial
// dependency from one id to the next: comma bitmasks give every id's bounds and the ids
// convert independently. False (tokens unspecified) when the array has anything else —
// spaces, signs, leading zeros, empty elements, ids past 2^32 - 1 — for scan_tokens to
// read or report. Reads up to 63 bytes past the array: lines carry kLinePadding bytes.
bool scan_compact_tokens(std::string_view raw, std::vector<std::uint32_t>& tokens) {
  const char* const body = raw.data() + 1;
  const std::size_t n = raw.size() - 2;
  if (n == 0) return false;
  const auto valid_bits = [n](std::size_t at) {
    return n - at >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << (n - at)) - 1;
  };
  for (std::size_t at = 0; at < n; at += 64) {
    const Masks64 m = masks64(body + at);
    const std::uint64_t valid = valid_bits(at);
    if (((m.commas | m.digits) & valid) != valid) return false;
  }
  // Room for the most ids n bytes can hold ("1,1,…"); trimmed below. Counting the commas
  // first would cost a popcount per chunk, a library call on baseline x86-64.
  tokens.resize(n / 2 + 1);
  std::uint32_t* dst = tokens.data();
  bool ok = true;
  const char* start = body;
  const auto convert = [&](const char* end) {
    const auto len = static_cast<unsigned>(end - start);
    std::uint64_t value;
    if (len - 1 < 8) {
      value = eight_digits_value(start, len);
    } else {
      value = 0;
      for (const char* q = start; q < end; ++q)
        value = value * 10 + static_cast<unsigned>(*q - '0');
    }
    // len 0 wraps to a huge len - 1: an empty element, as is a leading zero or > 10 digits.
    ok &= len - 1 < 10 && (len == 1 || *start != '0') && value <= kMaxToken;
    // An empty element takes no slot: k ids need 2k - 1 bytes, so the room above holds
    // every id of any input, however many commas it has.
    *dst = static_cast<std::uint32_t>(value);
    dst += len != 0;
    start = end + 1;
  };
  for (std::size_t at = 0; at < n; at += 64) {
    std::uint64_t mask = masks64(body + at).commas & valid_bits(at);
    while (mask != 0) {
      convert(body + at + static_cast<std::size_t>(std::countr_zero(mask)));
      mask &= mask - 1;
    }
  }
  convert(body + n);
  tokens.resize(static_cast<std::size_t>(dst - tokens.data()));
  return ok;
}
#endif

struct TokenScan {
  std::optional<std::size_t> bad_index;  // the first element that is not a token id
  std::string_view bad_text;
};

// Reads the token ids of a JSON array's text (`[1, 2]`, already checked as a JSON array by
// simdjson) into `tokens`. Token arrays are most of the input's bytes: going through them
// here instead of element by element with On-Demand is what makes `kvtrace hash` fast
// (bench/RESULTS.md). Accepts exactly JSON's integer grammar without sign, up to 2^32 - 1.
TokenScan scan_tokens(std::string_view raw, std::vector<std::uint32_t>& tokens) {
#if defined(__SSE2__)
  if (scan_compact_tokens(raw, tokens)) return {};
#endif
  const char* p = raw.data() + 1;                       // after '['
  const char* const end = raw.data() + raw.size() - 1;  // at ']'
  tokens.clear();
  tokens.reserve(static_cast<std::size_t>(std::count(p, end, ',')) + 1);
  std::size_t index = 0;
  const auto bad = [&](const char* at) {
    const char* stop = at;
    while (stop < end && *stop != ',') ++stop;
    tokens.clear();
    return TokenScan{index, std::string_view(at, static_cast<std::size_t>(stop - at))};
  };
  while (p < end && is_space(*p)) ++p;
  if (p == end) return {};
  for (;;) {
    const char* const start = p;
    std::uint64_t value = 0;
    // The line's padding (kLinePadding bytes past its end) makes the 8-byte load safe.
    const unsigned n = leading_digits(p);
    if (n < 8) {
      value = eight_digits_value(p, n);
      p += n;
    } else {
      while (p < end && static_cast<unsigned char>(*p - '0') < 10 && p - start < 11) {
        value = value * 10 + static_cast<unsigned>(*p - '0');
        ++p;
      }
    }
    const std::ptrdiff_t digits = p - start;
    if (digits == 0 || value > kMaxToken || (digits > 1 && *start == '0')) return bad(start);
    tokens.push_back(static_cast<std::uint32_t>(value));
    while (p < end && is_space(*p)) ++p;
    if (p == end) break;
    if (*p != ',') return bad(start);
    ++p;
    ++index;
    while (p < end && is_space(*p)) ++p;
  }
  return {};
}

}  // namespace

struct ConversationParser::Impl {
  std::string source;
  od::parser parser;
  const Line* line = nullptr;
  Conversation* out = nullptr;
  int prompts = 0;  // prompt sources seen, at any level

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw InputError(source, line->number, field, problem);
  }

  // A simdjson error: syntax errors name no field (On-Demand cannot locate them better).
  template <typename T>
  T check(simdjson::simdjson_result<T> r, const std::string& field, std::string_view expected) {
    T value{};
    if (const auto e = std::move(r).get(value)) {
      if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_ERROR ||
          e == simdjson::NUMBER_OUT_OF_RANGE) {
        fail(field, "expected " + std::string(expected));
      }
      // simdjson says "ended early" when a whole object is followed by more text.
      if (has_text_after_value(line->text)) fail("", std::string(kTextAfterObject));
      fail("", std::string("invalid JSON: ") + simdjson::error_message(e));
    }
    return value;
  }

  od::json_type type_of(od::value& v, const std::string& field) {
    return check(v.type(), field, "a JSON value");
  }

  void expect(od::value& v, od::json_type want, const std::string& field,
              std::string_view expected) {
    if (type_of(v, field) != want) {
      fail(field, "expected " + std::string(expected) + ", got " + shorten(v.raw_json_token()));
    }
  }

  std::string read_string(od::value& v, const std::string& field) {
    expect(v, od::json_type::string, field, "a string");
    return std::string(check(v.get_string(), field, "a string"));
  }

  Number read_number(od::value& v, const std::string& field) {
    expect(v, od::json_type::number, field, "a number");
    const std::string raw = shorten(v.raw_json_token());
    const od::number n = check(v.get_number(), field, "a number");
    Number result;
    switch (n.get_number_type()) {
      case od::number_type::signed_integer:
        result = Number::of_int(n.get_int64());
        break;
      case od::number_type::unsigned_integer:
        fail(field, "too large, got " + raw);
      default:
        result = Number::of_real(n.get_double());
        break;
    }
    if (result.value() < 0 || !std::isfinite(result.value())) {
      fail(field, "must be >= 0, got " + raw);
    }
    return result;
  }

  std::int64_t read_count(od::value& v, const std::string& field) {
    expect(v, od::json_type::number, field, "a non-negative integer");
    const std::string raw = shorten(v.raw_json_token());
    std::int64_t n = 0;
    if (v.get_int64().get(n) || n < 0) {
      fail(field, "expected a non-negative integer, got " + raw);
    }
    return n;
  }

  void read_tokens(od::value& v, const std::string& field) {
    expect(v, od::json_type::array, field, "an array of token ids");
    od::array arr = check(v.get_array(), field, "an array of token ids");
    const std::string_view raw = check(arr.raw_json(), field, "an array of token ids");
    const TokenScan scan = scan_tokens(raw, out->tokens);
    if (scan.bad_index) {
      fail(field + "[" + std::to_string(*scan.bad_index) + "]",
           "expected a token id (an integer in [0, 4294967295]), got " +
               (scan.bad_text.empty() ? std::string("an empty element") : shorten(scan.bad_text)));
    }
    if (out->tokens.empty()) fail(field, "empty: a prompt needs at least one token");
    out->source = PromptSource::kTokens;
  }

  // Chat content: a string, or an array of parts of which the text ones are kept.
  std::string read_content(od::value& v, const std::string& field) {
    const od::json_type t = type_of(v, field);
    if (t == od::json_type::string) return read_string(v, field);
    if (t == od::json_type::null) return {};
    if (t != od::json_type::array) {
      fail(field,
           "expected a string or an array of content parts, got " + shorten(v.raw_json_token()));
    }
    std::string text;
    std::size_t i = 0;
    for (auto element : check(v.get_array(), field, "an array")) {
      const std::string part = field + "[" + std::to_string(i++) + "]";
      od::value pv = check(element, part, "an object");
      expect(pv, od::json_type::object, part, "a content part object");
      std::string type;
      std::string part_text;
      for (auto f : check(pv.get_object(), part, "an object")) {
        const std::string_view key = check(f.unescaped_key(), part, "a key");
        od::value fv = check(f.value(), part, "a value");
        if (key == "type") {
          type = read_string(fv, part + ".type");
        } else if (key == "text") {
          part_text = read_string(fv, part + ".text");
        }
      }
      if (type != "text") {
        fail(part + ".type", "only \"text\" content parts can be hashed, got \"" + type + "\"");
      }
      text += part_text;
    }
    return text;
  }

  void read_messages(od::value& v, const std::string& field) {
    expect(v, od::json_type::array, field, "an array of messages");
    std::size_t i = 0;
    for (auto element : check(v.get_array(), field, "an array")) {
      const std::string name = field + "[" + std::to_string(i++) + "]";
      od::value mv = check(element, name, "an object");
      expect(mv, od::json_type::object, name, "a message object");
      ChatMessage message;
      bool has_role = false;
      for (auto f : check(mv.get_object(), name, "an object")) {
        const std::string_view key = check(f.unescaped_key(), name, "a key");
        od::value fv = check(f.value(), name, "a value");
        if (key == "role") {
          message.role = read_string(fv, name + ".role");
          has_role = true;
        } else if (key == "content") {
          message.content = read_content(fv, name + ".content");
        }
      }
      if (!has_role) fail(name + ".role", "missing");
      out->messages.push_back(std::move(message));
    }
    if (i == 0) fail(field, "empty: a conversation needs at least one message");
    out->source = PromptSource::kMessages;
  }

  void read_prompt(od::value& v, const std::string& field) {
    const od::json_type t = type_of(v, field);
    if (t == od::json_type::array) return read_tokens(v, field);
    if (t != od::json_type::string) {
      fail(field, "expected a string or an array of token ids, got " + shorten(v.raw_json_token()));
    }
    out->text = read_string(v, field);
    if (out->text.empty()) fail(field, "empty: a prompt needs some text");
    out->source = PromptSource::kText;
  }

  void one_prompt(const std::string& field) {
    if (++prompts > 1) {
      fail(field, "a second prompt: give exactly one of tokens, prompt, messages");
    }
  }

  // The fields of the line or of its `body`; `prefix` is "" or "body.".
  void read_object(od::object obj, const std::string& prefix) {
    unsigned seen = 0;
    for (auto f : obj) {
      const std::string_view key = check(f.unescaped_key(), prefix, "a key");
      od::value v = check(f.value(), prefix + std::string(key), "a value");
      const std::string field = prefix + std::string(key);
      const auto once = [&](unsigned bit) {
        if (seen & bit) fail(field, "duplicate field");
        seen |= bit;
      };
      if (key == "tokens") {
        once(1u << 0);
        one_prompt(field);
        read_tokens(v, field);
      } else if (key == "prompt") {
        once(1u << 1);
        one_prompt(field);
        read_prompt(v, field);
      } else if (key == "messages") {
        once(1u << 2);
        one_prompt(field);
        read_messages(v, field);
      } else if (key == "output_length" || key == "max_tokens" || key == "max_completion_tokens") {
        once(1u << 3);
        out->output_length = read_count(v, field);
      } else if (prefix.empty() && key == "timestamp") {
        once(1u << 4);
        out->timestamp = read_number(v, field);
      } else if (prefix.empty() && key == "delay") {
        once(1u << 5);
        out->delay = read_number(v, field);
      } else if (prefix.empty() && key == "session_id") {
        once(1u << 6);
        if (type_of(v, field) != od::json_type::null) out->session_id = read_string(v, field);
      } else if (prefix.empty() && key == "body") {
        once(1u << 7);
        expect(v, od::json_type::object, field, "an object");
        read_object(check(v.get_object(), field, "an object"), "body.");
      }
    }
  }
};

ConversationParser::ConversationParser(std::string source) : impl_(std::make_unique<Impl>()) {
  impl_->source = std::move(source);
}

ConversationParser::~ConversationParser() = default;

void ConversationParser::parse(const Line& line, Conversation& out) {
  Impl& p = *impl_;
  p.line = &line;
  p.out = &out;
  p.prompts = 0;
  out.line = line.number;
  out.tokens.clear();
  out.text.clear();
  out.messages.clear();
  out.timestamp.reset();
  out.session_id.reset();
  out.delay.reset();
  out.output_length.reset();
  if (!line.problem.empty()) p.fail("", std::string(line.problem));
  if (line.too_long) p.fail("", "line too long");

  od::document doc =
      p.check(p.parser.iterate(line.text.data(), line.text.size(), line.capacity), "", "JSON");
  od::json_type t = p.check(doc.type(), "", "a JSON value");
  if (t != od::json_type::object) p.fail("", "expected a JSON object");
  p.read_object(p.check(doc.get_object(), "", "a JSON object"), "");
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    p.fail("", std::string(kTextAfterObject));
  }
  if (p.prompts == 0) {
    p.fail("", "no prompt: give one of tokens, prompt (text or token ids), messages");
  }
}

}  // namespace kvtrace::trace
