#include "kvtrace/cache/tiers.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/ratio.hpp"

namespace kvtrace::cache {
namespace {

constexpr std::string_view kTierForm = "NAME:CAPACITY[:READ_GB_PER_S]";

[[noreturn]] void bad_tier(const std::string& problem) {
  throw UsageError("tier", problem);
}

bool positive_finite(double x) {
  return std::isfinite(x) && x > 0;
}

// a + b, held at the largest value: capacities added up only index a curve that stops at its
// distinct blocks, so a sum past 2^64 means "everything" rather than wrapping to a small one.
std::uint64_t add_saturating(std::uint64_t a, std::uint64_t b) {
  return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

}  // namespace

TierSpec parse_tier(std::string_view text) {
  std::vector<std::string_view> fields;
  for (std::size_t start = 0;;) {
    const std::size_t colon = text.find(':', start);
    fields.push_back(text.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  const std::string quoted = fmt::format("\"{}\"", text);
  if (fields.size() < 2 || fields.size() > 3) {
    bad_tier(fmt::format("expected {}, got {} ({} field{})", kTierForm, quoted, fields.size(),
                         fields.size() == 1 ? "" : "s"));
  }
  TierSpec spec;
  if (fields[0].empty())
    bad_tier(fmt::format("empty tier name in {} (expected {})", quoted, kTierForm));
  spec.name = fields[0];

  const std::string_view cap = fields[1];
  const auto [cap_end, cap_error] =
      std::from_chars(cap.data(), cap.data() + cap.size(), spec.capacity_blocks);
  if (cap_error == std::errc::result_out_of_range) {
    bad_tier(fmt::format("capacity \"{}\" is out of range in {}", cap, quoted));
  }
  if (cap.empty() || cap_error != std::errc() || cap_end != cap.data() + cap.size()) {
    bad_tier(
        fmt::format("capacity must be a whole number of blocks, got \"{}\" in {}", cap, quoted));
  }
  if (spec.capacity_blocks == 0) {
    bad_tier(fmt::format("capacity must be at least 1 block, got 0 in {}", quoted));
  }

  if (fields.size() == 3) {
    const std::string_view bw = fields[2];
    double value = 0;
    const auto [bw_end, bw_error] = std::from_chars(bw.data(), bw.data() + bw.size(), value);
    // from_chars also reads "inf" and "nan": the finiteness check turns them away.
    if (bw.empty() || bw_error != std::errc() || bw_end != bw.data() + bw.size() ||
        !positive_finite(value)) {
      bad_tier(fmt::format("read bandwidth must be a positive number of GB/s, got \"{}\" in {}", bw,
                           quoted));
    }
    spec.read_gb_per_s = value;
  }
  return spec;
}

void validate_tiers(std::span<const TierSpec> tiers) {
  if (tiers.empty()) bad_tier("give at least one tier");
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const TierSpec& t = tiers[i];
    if (t.name.empty()) bad_tier(fmt::format("tier {} has an empty name", i + 1));
    if (t.capacity_blocks == 0) {
      bad_tier(fmt::format("tier \"{}\": capacity must be at least 1 block", t.name));
    }
    if (t.read_gb_per_s && !positive_finite(*t.read_gb_per_s)) {
      bad_tier(fmt::format("tier \"{}\": read bandwidth must be a positive number of GB/s, got {}",
                           t.name, *t.read_gb_per_s));
    }
    // Quadratic, but a hierarchy has a handful of tiers.
    for (std::size_t j = 0; j < i; ++j) {
      if (tiers[j].name == t.name) bad_tier(fmt::format("tier name \"{}\" is given twice", t.name));
    }
  }
}

TiersAnswer tiers_from_curve(const HitCurve& curve, std::span<const TierSpec> tiers,
                             std::optional<double> prefill_tokens_per_s,
                             std::optional<std::uint64_t> kv_bytes_per_token) {
  validate_tiers(tiers);
  if (prefill_tokens_per_s && !positive_finite(*prefill_tokens_per_s)) {
    throw UsageError("prefill_tokens_per_s", "must be a positive number of tokens per second");
  }
  if (kv_bytes_per_token && *kv_bytes_per_token == 0) {
    throw UsageError("kv_bytes_per_token", "must be at least 1");
  }
  if (curve.hit_blocks.size() != curve.distinct_blocks + 1 ||
      curve.hit_tokens.size() != curve.distinct_blocks + 1) {
    throw std::logic_error("tiers_from_curve needs a finished HitCurve (LruCurve::finish)");
  }
  const bool timed = prefill_tokens_per_s && kv_bytes_per_token;

  TiersAnswer answer;
  answer.prefill_seconds_saved = timed ? std::optional<double>(0.0) : std::nullopt;
  // Tier k holds the stack between depths `above` and `above` + c_k: its hits are the curve's
  // gain across that stretch.
  std::uint64_t above = 0;
  for (std::size_t k = 0; k < tiers.size(); ++k) {
    const TierSpec& spec = tiers[k];
    const std::uint64_t below = add_saturating(above, spec.capacity_blocks);
    TierResult r;
    r.name = spec.name;
    r.capacity_blocks = spec.capacity_blocks;
    r.hit_blocks = curve.blocks_at(below) - curve.blocks_at(above);
    r.cached_tokens = curve.tokens_at(below) - curve.tokens_at(above);
    r.block_hit_rate = ratio(r.hit_blocks, curve.total_blocks);
    r.token_hit_rate = ratio(r.cached_tokens, curve.total_input_tokens);
    if (timed) {
      const auto tokens = static_cast<double>(r.cached_tokens);
      if (spec.read_gb_per_s) {
        const double read_s =
            static_cast<double>(*kv_bytes_per_token) / (*spec.read_gb_per_s * 1e9);
        r.prefill_seconds_saved = tokens * (1.0 / *prefill_tokens_per_s - read_s);
      } else if (k == 0) {
        r.prefill_seconds_saved = tokens / *prefill_tokens_per_s;
      }
    }
    if (r.prefill_seconds_saved && answer.prefill_seconds_saved) {
      *answer.prefill_seconds_saved += *r.prefill_seconds_saved;
    } else {
      answer.prefill_seconds_saved.reset();
    }
    answer.tiers.push_back(std::move(r));
    above = below;
  }
  answer.total_hit_blocks = curve.blocks_at(above);
  answer.total_cached_tokens = curve.tokens_at(above);
  answer.block_hit_rate = ratio(answer.total_hit_blocks, curve.total_blocks);
  answer.token_hit_rate = ratio(answer.total_cached_tokens, curve.total_input_tokens);
  return answer;
}

}  // namespace kvtrace::cache
