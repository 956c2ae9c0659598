#pragma once
// The request model: one line of a Mooncake trace (docs/formats.md).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kvtrace::trace {

// A JSON number kept as it was given: integers stay integers, floats stay floats, so a
// trace written back has the same values and kinds it was read with.
struct Number {
  bool is_integer = true;
  std::int64_t integer = 0;
  double real = 0;

  static Number of_int(std::int64_t v) { return {true, v, 0}; }
  static Number of_real(double v) { return {false, 0, v}; }
  double value() const { return is_integer ? static_cast<double>(integer) : real; }
  friend bool operator==(const Number&, const Number&) = default;
};

// A field the model does not know, kept verbatim: the key as it appeared (escaped, without
// the quotes) and the raw JSON text of its value.
struct ExtraField {
  std::string key;
  std::string raw_value;
  friend bool operator==(const ExtraField&, const ExtraField&) = default;
};

struct Request {
  std::optional<Number> timestamp;                     // ms
  std::optional<std::int64_t> input_length;            // tokens, >= 0
  std::optional<std::int64_t> output_length;           // tokens, >= 0
  std::optional<std::vector<std::uint64_t>> hash_ids;  // block ids, 64-bit
  std::optional<std::string> session_id;
  std::optional<Number> delay;  // ms after the previous turn of the session
  std::optional<std::string> text_input;
  std::vector<ExtraField> extra;  // unknown fields, in file order

  friend bool operator==(const Request&, const Request&) = default;
};

// Number of hash ids a prompt of `input_length` tokens has with blocks of `block_size`
// tokens: ceil(input_length / block_size); the last block may be partial.
constexpr std::uint64_t expected_hash_id_count(std::int64_t input_length,
                                               std::uint32_t block_size) {
  const auto n = static_cast<std::uint64_t>(input_length);
  return n / block_size + (n % block_size != 0 ? 1 : 0);
}

}  // namespace kvtrace::trace
