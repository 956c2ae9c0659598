#pragma once
// The knobs of trace synthesis (AIPerf's SynthesisParams plus the seed), with their bounds.

#include <cstdint>
#include <optional>

namespace kvtrace::synthesis {

struct SynthesisParams {
  double speedup_ratio = 1.0;               // timestamps are divided by it (> 0)
  double prefix_len_multiplier = 1.0;       // P: stretches/squeezes the shared leading blocks (> 0)
  std::int64_t prefix_root_multiplier = 1;  // R: independent prefix trees (>= 1)
  double prompt_len_multiplier = 1.0;       // Q: scales the tokens after the shared prefix (> 0)
  double output_len_multiplier = 1.0;       // scales output_length (>= 0)
  std::optional<std::int64_t> max_isl;      // >= 1
  std::optional<std::int64_t> max_osl;      // >= 1
  std::uint32_t block_size = 512;           // >= 1
  std::uint64_t seed = 42;                  // root seed of every random draw

  // Throws kvtrace::UsageError naming the first knob out of its bounds. The bounds are
  // AIPerf's config-v2 ones (the CLI's path): ratios and length multipliers > 0.
  void validate() const;
  // True when any knob that triggers AIPerf's synthesis differs from its default
  // (max_isl/max_osl alone do not trigger it).
  bool any_multiplier() const;
};

// The identifier AIPerf derives the synthesizer's random stream from.
inline constexpr const char* kSynthesizerStream = "dataset.synthesis.synthesizer";

}  // namespace kvtrace::synthesis
