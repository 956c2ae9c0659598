#include "kvtrace/mock/mock_timing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "kvtrace/core/error.hpp"

namespace kvtrace::mock {

namespace {

// Capped: past kMaxDelayMs the conversion to integer nanoseconds would overflow (UB).
std::chrono::nanoseconds from_ms(double ms) {
  return std::chrono::nanoseconds(
      static_cast<std::int64_t>(std::llround(std::min(ms, kMaxDelayMs) * 1e6)));
}

void check_non_negative(double v, std::string_view name) {
  if (!(v >= 0) || !std::isfinite(v)) {
    throw UsageError(std::string(name), fmt::format("must be a finite number >= 0, got {}", v));
  }
}

void check_time(double v, std::string_view name) {
  check_non_negative(v, name);
  if (v > kMaxTimingMs) {
    throw UsageError(std::string(name),
                     fmt::format("must be at most {} (one hour), got {}", kMaxTimingMs, v));
  }
}

void check_rate(double v, std::string_view name) {
  if (!(v >= 0 && v <= 1)) {
    throw UsageError(std::string(name), fmt::format("must be between 0 and 1, got {}", v));
  }
}

// 1..tokens-1 from a raw draw: strictly inside the stream when it has two tokens or more.
std::uint32_t inside(std::uint32_t tokens, std::uint64_t draw) {
  return tokens < 2 ? 0 : 1 + static_cast<std::uint32_t>(draw % (tokens - 1));
}

}  // namespace

std::uint64_t SplitMix64::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

SplitMix64 request_rng(std::uint64_t seed, std::uint64_t index) {
  // Mixing the index through one generator step keeps neighbouring requests' streams apart.
  SplitMix64 mix(seed ^ (index * 0xD1B54A32D192ED03ULL));
  return SplitMix64(mix.next());
}

void LatencyModel::validate() const {
  check_time(ttft_ms, "ttft_ms");
  check_non_negative(prefill_tokens_per_s, "prefill_tokens_per_s");
  check_time(itl_ms, "itl_ms");
  check_rate(itl_jitter, "itl_jitter");
}

std::chrono::nanoseconds LatencyModel::ttft(std::uint64_t uncached_tokens) const {
  const double prefill_ms = prefill_tokens_per_s > 0
                                ? static_cast<double>(uncached_tokens) * 1e3 / prefill_tokens_per_s
                                : 0.0;
  return from_ms(ttft_ms + prefill_ms);
}

std::chrono::nanoseconds LatencyModel::itl(SplitMix64& rng) const {
  if (itl_jitter == 0) return from_ms(itl_ms);
  return from_ms(itl_ms * (1 + itl_jitter * (2 * rng.uniform() - 1)));
}

void FaultRates::validate() const {
  check_rate(error_rate, "error_rate");
  check_rate(stall_rate, "stall_rate");
  check_rate(drop_rate, "drop_rate");
  check_time(stall_ms, "stall_ms");
}

FaultPlan plan_faults(const FaultRates& rates, std::uint32_t tokens, SplitMix64& rng) {
  const double error = rng.uniform();
  const double stall = rng.uniform();
  const std::uint32_t stall_before = inside(tokens, rng.next());
  const double drop = rng.uniform();
  const std::uint64_t drop_draw = rng.next();
  const std::uint32_t drop_after = tokens == 0 ? 0 : static_cast<std::uint32_t>(drop_draw % tokens);
  FaultPlan plan;
  plan.error = error < rates.error_rate;
  if (stall < rates.stall_rate) plan.stall_before = stall_before;
  if (drop < rates.drop_rate) plan.drop_after = drop_after;
  return plan;
}

}  // namespace kvtrace::mock
