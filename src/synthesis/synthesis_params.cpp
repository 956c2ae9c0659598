#include "kvtrace/synthesis/synthesis_params.hpp"

#include <fmt/format.h>

#include <cmath>

#include "kvtrace/core/error.hpp"

namespace kvtrace::synthesis {
namespace {

void require(bool ok, const char* knob, const std::string& bound, double value) {
  if (!ok) throw UsageError(fmt::format("{} must be {}, got {}", knob, bound, value));
}

}  // namespace

void SynthesisParams::validate() const {
  require(std::isfinite(speedup_ratio) && speedup_ratio > 0, "speedup ratio", "> 0", speedup_ratio);
  require(std::isfinite(prefix_len_multiplier) && prefix_len_multiplier > 0,
          "prefix length multiplier", "> 0", prefix_len_multiplier);
  // Each shared block becomes ceil(P) ids: a count that must fit in 64 bits.
  require(prefix_len_multiplier < 0x1p63, "prefix length multiplier", "< 2^63",
          prefix_len_multiplier);
  require(prefix_root_multiplier >= 1, "prefix root multiplier", "an integer >= 1",
          static_cast<double>(prefix_root_multiplier));
  require(std::isfinite(prompt_len_multiplier) && prompt_len_multiplier > 0,
          "prompt length multiplier", "> 0", prompt_len_multiplier);
  require(std::isfinite(output_len_multiplier) && output_len_multiplier >= 0,
          "output length multiplier", ">= 0", output_len_multiplier);
  if (max_isl) require(*max_isl >= 1, "max ISL", ">= 1", static_cast<double>(*max_isl));
  if (max_osl) require(*max_osl >= 1, "max OSL", ">= 1", static_cast<double>(*max_osl));
  require(block_size >= 1, "block size", ">= 1", block_size);
}

bool SynthesisParams::any_multiplier() const {
  return speedup_ratio != 1.0 || prefix_len_multiplier != 1.0 || prefix_root_multiplier != 1 ||
         prompt_len_multiplier != 1.0 || output_len_multiplier != 1.0;
}

}  // namespace kvtrace::synthesis
