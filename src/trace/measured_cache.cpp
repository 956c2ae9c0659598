#include "kvtrace/trace/measured_cache.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace kvtrace::trace {
namespace {

double ratio(std::uint64_t a, std::uint64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

}  // namespace

CachedTokensField cached_tokens_field(const Request& r) {
  for (const ExtraField& f : r.extra) {
    if (f.key != "cached_tokens") continue;
    const std::string_view v = f.raw_value;
    if (v == "null") return {};
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size()) return {true, std::nullopt};
    return {true, n};
  }
  return {};
}

void MeasuredCache::add(const Request& r, std::uint64_t predicted) {
  add(cached_tokens_field(r), r.input_length.value_or(0), predicted);
}

void MeasuredCache::add(const CachedTokensField& field, std::int64_t input_length,
                        std::uint64_t predicted) {
  if (!field.present) return;
  if (!field.tokens) {
    ++unreadable;
    return;
  }
  ++requests;
  input_tokens += static_cast<std::uint64_t>(std::max<std::int64_t>(input_length, 0));
  measured_cached_tokens += *field.tokens;
  predicted_cached_tokens += predicted;
}

double MeasuredCache::measured_rate() const {
  return ratio(measured_cached_tokens, input_tokens);
}

double MeasuredCache::predicted_rate() const {
  return ratio(predicted_cached_tokens, input_tokens);
}

double MeasuredCache::achieved_share() const {
  return ratio(measured_cached_tokens, predicted_cached_tokens);
}

void write_measured_cache(json::ObjectWriter& o, std::string_view key, const MeasuredCache& m) {
  if (!m.any()) {
    o.null_field(key);
    return;
  }
  json::ObjectWriter w = o.object(key);
  w.field("requests", m.requests);
  w.field("unreadable", m.unreadable);
  w.field("input_tokens", m.input_tokens);
  w.field("measured_cached_tokens", m.measured_cached_tokens);
  w.field("predicted_cached_tokens", m.predicted_cached_tokens);
  w.field("measured_token_hit_rate", m.measured_rate());
  w.field("predicted_token_hit_rate", m.predicted_rate());
  w.field("achieved_share", m.achieved_share());
  w.close();
}

}  // namespace kvtrace::trace
