#pragma once
// The prefix-cache hits a server measured, as a recorded trace carries them (Dynamo's
// `request.cached_tokens`, kept as the extra field `cached_tokens`; docs/formats.md), set
// beside kvtrace's prediction for the same requests: how much of the reuse the trace allows
// did the server achieve?

#include <cstdint>
#include <optional>
#include <string_view>

#include "kvtrace/core/json_writer.hpp"

#include "kvtrace/trace/request.hpp"

namespace kvtrace::trace {

// What a request's `cached_tokens` field says.
struct CachedTokensField {
  bool present = false;                 // the field is there and not null
  std::optional<std::uint64_t> tokens;  // its value when a non-negative integer
};
CachedTokensField cached_tokens_field(const Request& r);

struct MeasuredCache {
  std::uint64_t requests = 0;      // requests whose cached_tokens was read
  std::uint64_t unreadable = 0;    // requests whose cached_tokens is not a non-negative integer
  std::uint64_t input_tokens = 0;  // input tokens of `requests`
  std::uint64_t measured_cached_tokens = 0;
  std::uint64_t predicted_cached_tokens = 0;  // kvtrace's cached tokens for the same requests

  // A request for which kvtrace predicts `predicted` cached tokens; counted only when it
  // carries cached_tokens.
  void add(const Request& r, std::uint64_t predicted);
  // Any request carried the field (read or not).
  bool any() const { return requests + unreadable > 0; }
  double measured_rate() const;   // measured_cached_tokens / input_tokens
  double predicted_rate() const;  // predicted_cached_tokens / input_tokens
  // measured / predicted: the share of the predicted reuse the server achieved (above 1 when
  // it cached more than predicted); 0 when nothing was predicted.
  double achieved_share() const;

  // A request's cached_tokens field as add() reads it, for callers that keep it apart.
  void add(const CachedTokensField& field, std::int64_t input_length, std::uint64_t predicted);
};

// `key`: an object with the counts and the three rates, or null when !m.any().
void write_measured_cache(json::ObjectWriter& o, std::string_view key, const MeasuredCache& m);

}  // namespace kvtrace::trace
