#pragma once
// When the mock server sends what (docs/mock-server.md): the latency model (TTFT from the
// uncached prompt tokens, a fixed ITL with optional jitter) and the faults injected into a
// request, both drawn from a per-request generator seeded by (seed, request number) so that a
// seeded run injects the same faults whatever the threads or connections.

#include <chrono>
#include <cstdint>
#include <optional>

namespace kvtrace::mock {

// The most a time setting may be (ttft_ms, itl_ms, stall_ms; the server's timeouts): one hour.
// More is a typo, and would overflow the nanosecond clock near 1e300.
inline constexpr double kMaxTimingMs = 3'600'000;
// A computed delay (the TTFT of a long prompt at a slow prefill rate) is capped at one day.
inline constexpr double kMaxDelayMs = 86'400'000;

// SplitMix64: eight bytes of state per stream, good enough for jitter and fault draws.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

// The generator of request number `index` (0-based, in arrival order) under root `seed`.
SplitMix64 request_rng(std::uint64_t seed, std::uint64_t index);

struct LatencyModel {
  double ttft_ms = 20;                  // fixed part of every TTFT
  double prefill_tokens_per_s = 10000;  // 0: prefill costs nothing
  double itl_ms = 10;                   // time between two output tokens
  double itl_jitter = 0;                // each ITL is uniform in itl_ms * [1 - j, 1 + j]

  // Throws UsageError for times outside [0, kMaxTimingMs], a negative or non-finite prefill
  // rate, or a jitter outside [0, 1].
  void validate() const;
  // ttft_ms + uncached_tokens / prefill_tokens_per_s, at most kMaxDelayMs.
  std::chrono::nanoseconds ttft(std::uint64_t uncached_tokens) const;
  // One ITL; draws once from `rng` only when there is jitter.
  std::chrono::nanoseconds itl(SplitMix64& rng) const;
};

struct FaultRates {
  double error_rate = 0;  // probability of an HTTP 500 instead of a response
  double stall_rate = 0;  // probability that a stream pauses stall_ms once, mid-way
  double stall_ms = 1000;
  double drop_rate = 0;  // probability that the connection is closed mid-stream

  // Throws UsageError for a rate outside [0, 1] or a stall outside [0, kMaxTimingMs].
  void validate() const;
};

// The faults of one request of `tokens` output tokens.
struct FaultPlan {
  bool error = false;
  // The stall comes before output token stall_before (1..tokens-1; 0 when tokens is 1: a
  // long TTFT).
  std::optional<std::uint32_t> stall_before;
  // The connection is closed once drop_after tokens (0..tokens-1) have been sent.
  std::optional<std::uint32_t> drop_after;
};

// Always makes the same five draws, so request n's faults depend on (seed, n) only.
FaultPlan plan_faults(const FaultRates& rates, std::uint32_t tokens, SplitMix64& rng);

}  // namespace kvtrace::mock
