#pragma once
// KV memory tiers (HBM -> DRAM -> SSD, as LMCache, Dynamo KVBM and tair-kvcache model them),
// each an lru pool, answered from the one-pass lru curve (lru_curve.hpp) rather than simulated.
//
// The model, per worker, without timing. Tier 1 is the top. A block evicted from tier k moves
// to the front (most recent end) of tier k+1; evicted from the last tier it is gone. A request
// looks up its blocks in order: a block found in tier k is a hit *of tier k* and moves up to
// tier 1, so a block is in at most one tier (exclusive tiers); a missing block is inserted
// into tier 1. The request's hit is its longest prefix of blocks found in any tier, as in
// CacheSim. A running request pins its blocks; a block that needs a tier-1 slot while all of
// tier 1 is pinned by the request takes the next tier with an unpinned slot (only a request
// with more distinct blocks than tier 1 does that; a real engine could not run it at all).
// The request then releases its blocks last block first, each to the front of its tier
// (CacheSim's order: the request's first block ends most recent).
//
// The invariant: the tiers are one lru stack cut at depths c1, c1+c2, ... At every request
// boundary tiers 1..k together hold exactly the blocks CacheSim's lru of c1+..+ck blocks holds
// (tier k's victim is its least recent block, the one at depth c1+..+ck, and demotion puts it
// on top of tier k+1, where it is in the stack; a block moving up to tier 1 shifts the blocks
// it passes down by one, across the cuts; the pinned blocks are the stack's top in request
// order). Hence:
//   - the hierarchy's hits (its prefix hits) are lru's at c1+..+cn, for any ids;
//   - tier 1 holds what it would hold alone (lru's at c1): lower tiers only add hits;
//   - hits of tier k = hits(c1+..+ck) - hits(c1+..+c(k-1)) of the HitCurve, blocks and cached
//     tokens alike. The curve files a hit block under the deepest block of the request's
//     prefix up to it, and the tiered pool under the tier the block itself is found in; the
//     two agree when depths do not fall along each request's hit prefix. They rise strictly
//     when an id names its prefix (Mooncake hash_ids, chained sequence hashes): a block's
//     parent is released right after it at every use. A hit block's tokens are the cached
//     tokens it adds (block_size, clamped to input_length; a request hit whole brings all of
//     its input_length), so a tier's tokens are the same difference of HitCurve::hit_tokens.
//
// So the answer is exact when: lru in every tier; no timing (each request is released before
// the next arrives, nothing is pinned between requests); one worker, or workers behind one
// router that does not look at the caches (round-robin, random: ClusterCurve::total, tier
// capacities per worker, the same tiers on every worker); and, for the split between tiers
// (not the total), ids that name their prefix. Where it is not: with an id under several
// parents (or repeated within a request), a hit block found in a higher tier than an earlier
// block of its request's prefix counts here in that earlier block's tier (the total stays
// exact); and tiers that pin only in tier 1 and drop a longer request's tail (CacheSim's rule
// applied to tier 1 alone) are this model only while no request has more distinct blocks
// than tier 1 (tests/cache/tiers_test.cpp shows both, and checks the rest against a
// block-by-block tiered simulation).
//
// Cost: O(tiers) given the curve; the curve is one pass over the trace, O(n log n) for n block
// uses, about 48 bytes per distinct block (docs/simulate.md).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/cache/lru_curve.hpp"

namespace kvtrace::cache {

struct TierSpec {
  std::string name;
  std::uint64_t capacity_blocks = 0;    // per worker
  std::optional<double> read_gb_per_s;  // GB = 1e9 bytes; empty: not modeled
  friend bool operator==(const TierSpec&, const TierSpec&) = default;
};

// "NAME:CAPACITY[:READ_GB_PER_S]", e.g. "hbm:20000" or "dram:100000:50". UsageError with
// parameter "tier" (the CLI's --tier) for an empty name, a capacity that is 0 or not a whole
// number, a bandwidth that is not a positive finite number, or a missing or extra field.
TierSpec parse_tier(std::string_view text);
// The same checks on specs built in code, plus: at least one tier, no name twice.
void validate_tiers(std::span<const TierSpec> tiers);

struct TierResult {
  std::string name;
  std::uint64_t capacity_blocks = 0;
  std::uint64_t hit_blocks = 0;     // prefix hit blocks found in this tier
  std::uint64_t cached_tokens = 0;  // the cached input tokens those blocks bring
  double block_hit_rate = 0;        // over all blocks of the trace
  double token_hit_rate = 0;        // over all input tokens
  // Prefill time saved by this tier's hits (below); empty when not modeled.
  std::optional<double> prefill_seconds_saved;
};

struct TiersAnswer {
  std::vector<TierResult> tiers;  // top first, as given
  // The whole hierarchy: lru with the tiers' capacities added up.
  std::uint64_t total_hit_blocks = 0;
  std::uint64_t total_cached_tokens = 0;
  double block_hit_rate = 0;
  double token_hit_rate = 0;
  // The tiers' savings added up; empty when any tier's is.
  std::optional<double> prefill_seconds_saved;

  // The top tier alone, for comparison: that is tiers.front(), since tier 1 holds the same
  // blocks with or without tiers below it.
  const TierResult& top_tier_alone() const { return tiers.front(); }
};

// The tiers' hits from lru's curve, read at the cumulative capacities c1, c1+c2, ... `curve`
// comes from LruCurve::finish() (one worker) or is ClusterCurve::total (capacities are then
// per worker and the hits the cluster's).
//
// Prefill time saved, given both `prefill_tokens_per_s` and `kv_bytes_per_token` (else empty
// for every tier): a hit token is not recomputed (1 / prefill_tokens_per_s seconds) but its KV
// is read from its tier (kv_bytes_per_token / (read_gb_per_s * 1e9) seconds):
//   saved = cached_tokens * (1 / prefill_tokens_per_s - kv_bytes_per_token / (read_gb_per_s * 1e9))
// Negative for a tier that reads slower than prefill recomputes: fetching from it costs time.
// The top tier without a bandwidth reads at no modeled cost (saved = cached_tokens /
// prefill_tokens_per_s); a lower tier without one has no saving (empty). Reads neither overlap
// compute nor queue: a first-order estimate. UsageError for a rate that is not a positive
// finite number or 0 bytes per token, and for the tiers as validate_tiers.
TiersAnswer tiers_from_curve(const HitCurve& curve, std::span<const TierSpec> tiers,
                             std::optional<double> prefill_tokens_per_s,
                             std::optional<std::uint64_t> kv_bytes_per_token);

}  // namespace kvtrace::cache
