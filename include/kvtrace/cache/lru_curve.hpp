#pragma once
// The hit rate of CacheSim's lru policy on one worker, without timing, for every capacity
// in one pass (Mattson's stack algorithm, docs/simulate.md).
//
// lru's pool of C blocks always holds the C most recently used distinct blocks, a request
// using its blocks last block first. So keep one recency stack of every block ever seen; a
// block's depth is its 1-based position in it (the number of distinct blocks used since,
// itself included): the number of use times after its own that are some block's last use.
// Those times are bits of a bitmap, counted by popcount within a 512-bit group and a Fenwick
// tree over the groups' counts, so that a count touches one cache line of the bitmap and a
// tree 512 times smaller than one over times (3 MB and 190 KB for 24M uses). A request's
// block i is part of its cached prefix with C blocks exactly when the deepest of blocks
// 0..i is at most C, so a histogram of that running maximum gives the hits of every
// capacity at once. O(n log n) for n block accesses; memory per distinct block 4 bytes of
// time, 16 of histograms and about 0.5 of bitmap and tree.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kvtrace/analysis/id_index.hpp"
#include "kvtrace/cache/cache_sim.hpp"
#include "kvtrace/trace/measured_cache.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::cache {

struct HitCurve {
  std::uint32_t block_size = 512;
  std::uint64_t requests = 0;
  std::uint64_t total_blocks = 0;        // hash ids over all requests
  std::uint64_t total_input_tokens = 0;  // input_length over all requests
  std::uint64_t distinct_blocks = 0;     // the capacity beyond which nothing changes
  // Hit blocks and cached input tokens with c blocks of capacity, c = 0..distinct_blocks.
  std::vector<std::uint64_t> hit_blocks;
  std::vector<std::uint64_t> hit_tokens;
  // The server's cached_tokens (recorded traces) beside the infinite cache's prediction.
  trace::MeasuredCache server_measured;
  // Block uses whose predecessor in the request (none for a first block) is not the one the id
  // had when first seen. 0 when every id names its prefix (Mooncake hash_ids, chained
  // hashes): then lineage evicts as lru does (docs/simulate.md), so this curve is lineage's too.
  std::uint64_t other_parent_uses = 0;

  std::uint64_t blocks_at(std::uint64_t capacity) const;
  std::uint64_t tokens_at(std::uint64_t capacity) const;
  double block_hit_rate(std::uint64_t capacity) const;
  double token_hit_rate(std::uint64_t capacity) const;
  // The smallest capacity whose token hit rate is at least `rate`; nullopt when even the
  // infinite cache falls short.
  std::optional<std::uint64_t> capacity_for_token_rate(double rate) const;
  // The same for the block hit rate.
  std::optional<std::uint64_t> capacity_for_block_rate(double rate) const;
};

class LruCurve {
 public:
  explicit LruCurve(std::uint32_t block_size = 512);

  // Requests in trace order. A request without hash ids adds its input tokens only. The
  // request's cached_tokens, when it carries them, go to HitCurve::server_measured.
  void add(const trace::Request& r);
  // Returns the request's cached tokens with an infinite cache.
  std::uint64_t add(std::span<const std::uint64_t> blocks, std::int64_t input_length);
  // The same, with the request's cached_tokens field for HitCurve::server_measured.
  std::uint64_t add(std::span<const std::uint64_t> blocks, std::int64_t input_length,
                    const trace::CachedTokensField& cached_tokens);

  // Capacity for this many distinct blocks and block uses in all (a hint: more is fine).
  // With both known, every array is sized once and the use times never need renumbering:
  // growing them costs copies and page faults worth as much as the curve's own work.
  void reserve(std::uint64_t distinct_blocks, std::uint64_t accesses);

  HitCurve finish() const;

 private:
  // Marks time t as a last use (or no longer one).
  void set_time(std::uint32_t t);
  void clear_time(std::uint32_t t);
  void group_add(std::uint32_t t, std::int32_t delta);
  // The last-use times in 1..t.
  std::uint32_t times_through(std::uint32_t t) const;
  std::uint64_t time_capacity() const { return std::uint64_t{bits_.size()} * 64; }
  // Renumbers the use times 1..distinct in their order, into a tree with room to grow (and
  // for at least `min_times` times).
  void compact(std::uint64_t min_times = 0);

  std::uint32_t block_size_;
  std::uint64_t requests_ = 0;
  std::uint64_t total_blocks_ = 0;
  std::uint64_t total_tokens_ = 0;
  analysis::IdIndex ids_;
  std::vector<std::uint32_t> time_of_;    // by dense id: its last use time, 1-based
  std::vector<std::uint32_t> parent_of_;  // by dense id: its first predecessor (kNone: first)
  std::uint64_t other_parent_uses_ = 0;
  std::vector<std::uint64_t> bits_;    // bit t: time t is some block's last use
  std::vector<std::uint32_t> groups_;  // Fenwick tree over 512-bit groups of bits_, 1-based
  std::uint32_t now_ = 0;              // the last use time handed out
  // By depth (1-based): blocks and tokens whose prefix's deepest block is that deep.
  std::vector<std::uint64_t> block_hist_;
  std::vector<std::uint64_t> token_hist_;
  std::vector<std::uint32_t> dense_;  // the current request's dense ids (kNone: new), reused
  trace::MeasuredCache measured_;
};

}  // namespace kvtrace::cache
