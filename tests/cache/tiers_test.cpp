#include "kvtrace/cache/tiers.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <list>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/cache/cache_sim.hpp"
#include "kvtrace/cache/worker_curves.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

// A named namespace around the anonymous one: the unity build compiles this file together with
// other test files, whose helpers would otherwise share one anonymous namespace with these.
namespace kvtrace::cache::tiers_test {
namespace {

using trace::Request;
using Ids = std::vector<std::uint64_t>;

// Where a running request's block goes when all of tier 1 is pinned by that request.
enum class Overflow {
  kSpill,  // the next tier with an unpinned slot (tiers.hpp's model)
  kDrop,   // nowhere: CacheSim's rule on tier 1 alone; a lower-tier hit stays where it is
};

// Tiers of lru pools with demotion on eviction and promotion on a hit, simulated block by
// block as plainly as possible: a list per tier (unpinned blocks, most recent first) and a
// map from id to place. CacheSim's access: look the blocks up in order, pin each (hit or
// inserted), then release them last block first, each to the front of its tier.
class TieredLru {
 public:
  TieredLru(const std::vector<std::uint64_t>& capacities, Overflow overflow)
      : overflow_(overflow), hit_blocks(capacities.size(), 0), cached_tokens(capacities.size(), 0) {
    for (const std::uint64_t c : capacities) tiers_.push_back({c, 0, {}});
  }

  // Returns the request's hit blocks (its prefix found in any tier); counts each hit block
  // and the tokens it adds under the tier it was found in.
  std::uint64_t access(const Ids& blocks, std::int64_t input_length, std::uint32_t block_size) {
    const auto tokens = [&](std::uint64_t hits) {
      return analysis::cached_prefix_tokens(hits, blocks.size(), input_length, block_size);
    };
    Ids pins;
    bool in_prefix = true;
    std::uint64_t hits = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const std::uint64_t id = blocks[i];
      const auto found = where_.find(id);
      if (found == where_.end()) {
        in_prefix = false;
        const std::optional<std::size_t> t = slot_tier();
        if (!t) {
          ++dropped;
          continue;
        }
        where_[id] = Place{*t, 1, {}};
        ++tiers_[*t].pinned;
        settle(*t);
        pins.push_back(id);
        continue;
      }
      Place& p = found->second;
      if (in_prefix) {
        ++hits;
        ++hit_blocks[p.tier];
        cached_tokens[p.tier] += tokens(i + 1) - tokens(i);
      }
      if (p.refs > 0) {  // an id repeated within the request: pinned already
        ++p.refs;
        pins.push_back(id);
        continue;
      }
      const std::optional<std::size_t> t = slot_tier();
      if (!t) continue;  // kDrop with tier 1 all pinned: the block stays where it is
      if (*t > p.tier) throw std::logic_error("a promotion would move a block down");
      tiers_[p.tier].lru.erase(p.it);
      p.tier = *t;
      p.refs = 1;
      ++tiers_[*t].pinned;
      settle(*t);
      pins.push_back(id);
    }
    for (auto id = pins.rbegin(); id != pins.rend(); ++id) {
      Place& p = where_.at(*id);
      if (--p.refs != 0) continue;
      Tier& tier = tiers_[p.tier];
      --tier.pinned;
      tier.lru.push_front(*id);
      p.it = tier.lru.begin();
    }
    return hits;
  }

  // The tier that holds `id` (0 is the top), or nullopt.
  std::optional<std::size_t> tier_of(std::uint64_t id) const {
    const auto found = where_.find(id);
    if (found == where_.end()) return std::nullopt;
    return found->second.tier;
  }
  // The blocks in tiers 0..k.
  std::uint64_t size_through(std::size_t k) const {
    std::uint64_t n = 0;
    for (std::size_t t = 0; t <= k; ++t) n += tiers_[t].pinned + tiers_[t].lru.size();
    return n;
  }

 private:
  struct Tier {
    std::uint64_t capacity;
    std::uint64_t pinned;
    std::list<std::uint64_t> lru;
  };
  struct Place {
    std::size_t tier;
    std::uint32_t refs;                     // pins by the running request
    std::list<std::uint64_t>::iterator it;  // in tiers_[tier].lru when refs == 0
  };

  // The tier a newly pinned block takes: the first with a slot not pinned.
  std::optional<std::size_t> slot_tier() const {
    const std::size_t last = overflow_ == Overflow::kSpill ? tiers_.size() : 1;
    for (std::size_t t = 0; t < last; ++t) {
      if (tiers_[t].pinned < tiers_[t].capacity) return t;
    }
    return std::nullopt;
  }

  // Tier `from` got one block more: each overfull tier demotes its least recent unpinned
  // block to the front of the next one; the last tier's victim is gone.
  void settle(std::size_t from) {
    for (std::size_t t = from; t < tiers_.size(); ++t) {
      Tier& tier = tiers_[t];
      if (tier.pinned + tier.lru.size() <= tier.capacity) return;
      if (tier.lru.empty()) throw std::logic_error("an overfull tier with every block pinned");
      const std::uint64_t victim = tier.lru.back();
      tier.lru.pop_back();
      if (t + 1 == tiers_.size()) {
        where_.erase(victim);
        return;
      }
      Tier& next = tiers_[t + 1];
      next.lru.push_front(victim);
      where_[victim] = Place{t + 1, 0, next.lru.begin()};
    }
  }

  Overflow overflow_;
  std::vector<Tier> tiers_;
  std::unordered_map<std::uint64_t, Place> where_;

 public:
  std::vector<std::uint64_t> hit_blocks;     // by tier
  std::vector<std::uint64_t> cached_tokens;  // by tier
  std::uint64_t dropped = 0;
};

Request request(Ids ids, std::int64_t isl) {
  Request r;
  r.hash_ids = std::move(ids);
  r.input_length = isl;
  r.output_length = 1;
  return r;
}

HitCurve curve_of(const std::vector<Request>& rs, std::uint32_t block_size) {
  LruCurve curve(block_size);
  for (const Request& r : rs) curve.add(r);
  return curve.finish();
}

TieredLru run_tiers(const std::vector<Request>& rs, const std::vector<std::uint64_t>& capacities,
                    std::uint32_t block_size, Overflow overflow = Overflow::kSpill) {
  TieredLru tiers(capacities, overflow);
  for (const Request& r : rs) {
    if (r.hash_ids) tiers.access(*r.hash_ids, r.input_length.value_or(0), block_size);
  }
  return tiers;
}

std::vector<TierSpec> specs(const std::vector<std::uint64_t>& capacities) {
  std::vector<TierSpec> out;
  for (std::size_t k = 0; k < capacities.size(); ++k) {
    // Not "t" + std::to_string(k): GCC 12 at -O3 warns falsely (-Wrestrict) on that form.
    out.push_back({fmt::format("t{}", k), capacities[k], std::nullopt});
  }
  return out;
}

std::string describe(const std::vector<std::uint64_t>& capacities) {
  std::string s = "tiers";
  for (const std::uint64_t c : capacities) s += fmt::format(" {}", c);
  return s;
}

// Every tier's hit blocks and cached tokens from the curve equal the block-by-block tiers'.
void expect_curve_equals_tiers(const HitCurve& curve, const TieredLru& tiers,
                               const std::vector<std::uint64_t>& capacities) {
  const TiersAnswer a = tiers_from_curve(curve, specs(capacities), std::nullopt, std::nullopt);
  ASSERT_EQ(a.tiers.size(), capacities.size());
  std::uint64_t blocks = 0;
  std::uint64_t tokens = 0;
  for (std::size_t k = 0; k < capacities.size(); ++k) {
    EXPECT_EQ(a.tiers[k].hit_blocks, tiers.hit_blocks[k]) << describe(capacities) << ", tier " << k;
    EXPECT_EQ(a.tiers[k].cached_tokens, tiers.cached_tokens[k])
        << describe(capacities) << ", tier " << k;
    blocks += tiers.hit_blocks[k];
    tokens += tiers.cached_tokens[k];
  }
  EXPECT_EQ(a.total_hit_blocks, blocks) << describe(capacities);
  EXPECT_EQ(a.total_cached_tokens, tokens) << describe(capacities);
}

// Requests that walk a random prefix tree: each id is made under one parent and only ever
// follows it, so an id names its prefix (Mooncake ids). A request extends a prefix of one of
// the last 40 requests (or starts a new root) by 0-2 new blocks; its input ends inside its
// last block, or now and then past its blocks; a few requests have no ids.
std::vector<Request> prefix_requests(std::uint32_t count, std::uint32_t seed,
                                     std::uint32_t block_size) {
  std::mt19937 rng(seed);
  std::vector<Ids> seen;
  std::uint64_t next_id = 0;
  std::vector<Request> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (rng() % 50 == 0) {
      Request r;
      r.input_length = 7;
      out.push_back(std::move(r));
      continue;
    }
    Ids ids;
    if (!seen.empty() && rng() % 8 != 0) {
      const Ids& base = seen[seen.size() - 1 - rng() % std::min<std::size_t>(seen.size(), 40)];
      ids.assign(base.begin(), base.begin() + 1 + rng() % std::min<std::size_t>(base.size(), 9));
    }
    const std::uint32_t fresh = rng() % 3 + (ids.empty() ? 1 : 0);
    for (std::uint32_t k = 0; k < fresh; ++k) ids.push_back(next_id++);
    const auto n = static_cast<std::int64_t>(ids.size());
    const std::int64_t isl =
        rng() % 5 == 0 ? n * block_size + 3 : n * block_size - rng() % block_size;
    seen.push_back(ids);
    out.push_back(request(std::move(ids), isl));
  }
  return out;
}

// Short requests over a small alphabet: ids under several parents, ids repeated within a
// request, requests longer than a small tier.
std::vector<Request> any_id_requests(std::uint32_t count, std::uint32_t alphabet,
                                     std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Request> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    Ids ids(1 + rng() % 8);
    for (auto& id : ids) id = rng() % alphabet;
    out.push_back(request(ids, static_cast<std::int64_t>(ids.size() * 4 - rng() % 4)));
  }
  return out;
}

std::vector<std::vector<std::uint64_t>> splits(const std::vector<std::uint64_t>& sizes,
                                               std::size_t tiers) {
  std::vector<std::vector<std::uint64_t>> out{{}};
  for (std::size_t k = 0; k < tiers; ++k) {
    std::vector<std::vector<std::uint64_t>> longer;
    for (const auto& s : out) {
      for (const std::uint64_t c : sizes) {
        longer.push_back(s);
        longer.back().push_back(c);
      }
    }
    out = std::move(longer);
  }
  return out;
}

// --- The reference itself -------------------------------------------------------------------

TEST(Tiers, ReferenceWithOneTierIsCacheSim) {
  const auto rs = any_id_requests(400, 30, 5);
  for (std::uint64_t c = 1; c <= 35; ++c) {
    for (const Overflow overflow : {Overflow::kSpill, Overflow::kDrop}) {
      TieredLru tiers({c}, overflow);
      CacheSim sim({.capacity_blocks = c, .policy = Policy::kLru});
      for (const Request& r : rs) {
        ASSERT_EQ(tiers.access(*r.hash_ids, *r.input_length, 4), sim.access(*r.hash_ids))
            << "capacity " << c;
      }
      EXPECT_EQ(tiers.dropped, sim.counts().dropped) << "capacity " << c;
    }
  }
}

// --- The invariant --------------------------------------------------------------------------

// After every request tiers 1..k hold exactly the blocks of CacheSim's lru with c1+..+ck, and
// the hierarchy's hits are that lru's at the total: for any ids, including ids under several
// parents, repeated ids and requests longer than tier 1 (which spill to the next tier).
TEST(Tiers, TiersHoldTheLruStackCutAtTheirCapacities) {
  constexpr std::uint32_t kAlphabet = 30;
  const auto rs = any_id_requests(300, kAlphabet, 3);
  auto cases = splits({1, 2, 3, 5, 8, 13}, 2);
  for (const auto& s : splits({1, 2, 4, 7}, 3)) cases.push_back(s);
  for (const auto& capacities : cases) {
    TieredLru tiers(capacities, Overflow::kSpill);
    std::vector<CacheSim> sims;
    std::uint64_t total = 0;
    for (const std::uint64_t c : capacities) {
      total += c;
      sims.emplace_back(CacheConfig{.capacity_blocks = total, .policy = Policy::kLru});
    }
    for (std::size_t i = 0; i < rs.size(); ++i) {
      const Ids& ids = *rs[i].hash_ids;
      const std::uint64_t hits = tiers.access(ids, *rs[i].input_length, 4);
      for (std::size_t k = 0; k < sims.size(); ++k) {
        const std::uint32_t lru_hits = sims[k].access(ids);
        if (k + 1 == sims.size()) {
          ASSERT_EQ(hits, lru_hits) << describe(capacities) << ", request " << i;
        }
        ASSERT_EQ(tiers.size_through(k), sims[k].size())
            << describe(capacities) << ", request " << i << ", tiers 1.." << k + 1;
        for (std::uint64_t id = 0; id < kAlphabet; ++id) {
          const std::optional<std::size_t> t = tiers.tier_of(id);
          ASSERT_EQ(t && *t <= k, sims[k].contains(id))
              << describe(capacities) << ", request " << i << ", block " << id;
        }
      }
    }
  }
}

// --- The curve's answer against the tiers, block by block -----------------------------------

TEST(Tiers, CurveEqualsTheTiersOnRandomPrefixTraces) {
  for (const std::uint32_t seed : {1u, 2u}) {
    const auto rs = prefix_requests(400, seed, 4);
    const HitCurve curve = curve_of(rs, 4);
    ASSERT_GT(curve.distinct_blocks, 300u);
    // One tier at every capacity up to past the distinct blocks.
    for (std::uint64_t c = 1; c <= curve.distinct_blocks + 2; c += c < 64 ? 1 : 5) {
      expect_curve_equals_tiers(curve, run_tiers(rs, {c}, 4), {c});
    }
    for (const auto& capacities : splits({1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 500}, 2)) {
      expect_curve_equals_tiers(curve, run_tiers(rs, capacities, 4), capacities);
    }
    for (const auto& capacities : splits({1, 2, 4, 9, 20, 45, 100, 220, 500}, 3)) {
      expect_curve_equals_tiers(curve, run_tiers(rs, capacities, 4), capacities);
    }
  }
}

TEST(Tiers, CurveEqualsTheTiersOnTheSample) {
  // 21,514 distinct blocks; requests of up to 239 blocks, so the small top tiers spill.
  const auto rs = trace::read_all(testing::kSample);
  const HitCurve curve = curve_of(rs, 512);
  const std::vector<std::vector<std::uint64_t>> cases{{1},
                                                      {1000},
                                                      {30000},
                                                      {1, 1, 1},
                                                      {16, 100},
                                                      {100, 1000},
                                                      {1000, 4000},
                                                      {16, 100, 1000},
                                                      {500, 2000, 8000},
                                                      {2000, 2000, 2000},
                                                      {4000, 8000, 20000},
                                                      {20000, 1, 5000}};
  for (const auto& capacities : cases) {
    expect_curve_equals_tiers(curve, run_tiers(rs, capacities, 512), capacities);
  }
}

// Tiers on each of 3 round-robin workers: ClusterCurve::total read at capacities per worker.
TEST(Tiers, ClusterCurveGivesTheTiersOfEveryWorkerAddedUp) {
  constexpr std::uint32_t kWorkers = 3;
  const auto rs = prefix_requests(600, 4, 4);
  WorkerCurves curves(kWorkers, RouterConfig{RouterKind::kRoundRobin, 1.0, 7}, 4);
  for (const Request& r : rs) curves.add(r);
  const ClusterCurve cluster = curves.finish();
  for (const auto& capacities : splits({1, 3, 10, 40, 150}, 2)) {
    std::vector<TieredLru> workers;
    workers.reserve(kWorkers);  // TieredLru holds list iterators: built in place, never moved
    for (std::uint32_t w = 0; w < kWorkers; ++w) workers.emplace_back(capacities, Overflow::kSpill);
    for (std::size_t i = 0; i < rs.size(); ++i) {
      if (rs[i].hash_ids) workers[i % kWorkers].access(*rs[i].hash_ids, *rs[i].input_length, 4);
    }
    TieredLru sum(capacities, Overflow::kSpill);
    for (const TieredLru& w : workers) {
      for (std::size_t k = 0; k < capacities.size(); ++k) {
        sum.hit_blocks[k] += w.hit_blocks[k];
        sum.cached_tokens[k] += w.cached_tokens[k];
      }
    }
    expect_curve_equals_tiers(cluster.total, sum, capacities);
  }
}

// --- By hand --------------------------------------------------------------------------------

// Block size 4; hbm 3, dram 2, ssd 3 blocks (8 in all). Ids name their prefix (1-2-3, 1-2-9,
// 4-5, 6-7-8, 6-7-10). Tiers after each request, most recent first, and the hits:
//   r1 [1 2 3]    hbm 1 2 3 | dram -   | ssd -
//   r2 [4 5]      hbm 4 5 1 | dram 2 3 | ssd -        (4 and 5 push 3, then 2, down)
//   r3 [6 7 8]    hbm 6 7 8 | dram 4 5 | ssd 1 2 3
//   r4 [1 2 9]    1, 2 in ssd: 2 ssd hits, 8 tokens; 9 is new, 3 falls out of ssd.
//                 hbm 1 2 9 | dram 6 7 | ssd 8 4 5
//   r5 [4 5]      4, 5 in ssd: 2 ssd hits, the whole 8 tokens.
//                 hbm 4 5 1 | dram 2 9 | ssd 6 7 8
//   r6 [1 2 3]    1 in hbm, 2 in dram: 1 hbm + 1 dram hit, 4 + 4 tokens; 3 is gone (8 falls out).
//                 hbm 1 2 3 | dram 4 5 | ssd 9 6 7
//   r7 [6 7 10]   6, 7 in ssd: 2 ssd hits, 8 tokens; 9 falls out.
//                 hbm 6 7 10 | dram 1 2 | ssd 3 4 5
// One lru stack of 8 cut at 3 and 5: lru's hits at 3, 5 and 8 blocks are 1, 2 and 8.
TEST(Tiers, HandComputedThreeTiers) {
  const std::vector<Request> rs{request({1, 2, 3}, 10), request({4, 5}, 8), request({6, 7, 8}, 12),
                                request({1, 2, 9}, 11), request({4, 5}, 8), request({1, 2, 3}, 10),
                                request({6, 7, 10}, 9)};
  const HitCurve curve = curve_of(rs, 4);
  EXPECT_EQ(curve.blocks_at(3), 1u);
  EXPECT_EQ(curve.blocks_at(5), 2u);
  EXPECT_EQ(curve.blocks_at(8), 8u);
  const std::vector<TierSpec> tiers{{"hbm", 3, std::nullopt}, {"dram", 2, 50.0}, {"ssd", 3, 5.0}};
  const TiersAnswer a = tiers_from_curve(curve, tiers, std::nullopt, std::nullopt);
  ASSERT_EQ(a.tiers.size(), 3u);
  EXPECT_EQ(a.tiers[0].name, "hbm");
  EXPECT_EQ(a.tiers[0].capacity_blocks, 3u);
  EXPECT_EQ(a.tiers[0].hit_blocks, 1u);
  EXPECT_EQ(a.tiers[0].cached_tokens, 4u);
  EXPECT_EQ(a.tiers[1].hit_blocks, 1u);
  EXPECT_EQ(a.tiers[1].cached_tokens, 4u);
  EXPECT_EQ(a.tiers[2].hit_blocks, 6u);
  EXPECT_EQ(a.tiers[2].cached_tokens, 24u);
  EXPECT_EQ(a.total_hit_blocks, 8u);
  EXPECT_EQ(a.total_cached_tokens, 32u);
  // 19 blocks, 68 input tokens.
  EXPECT_DOUBLE_EQ(a.tiers[2].block_hit_rate, 6.0 / 19.0);
  EXPECT_DOUBLE_EQ(a.tiers[2].token_hit_rate, 24.0 / 68.0);
  EXPECT_DOUBLE_EQ(a.block_hit_rate, 8.0 / 19.0);
  EXPECT_DOUBLE_EQ(a.token_hit_rate, 32.0 / 68.0);
  EXPECT_EQ(&a.top_tier_alone(), &a.tiers.front());
  EXPECT_FALSE(a.prefill_seconds_saved);
  EXPECT_FALSE(a.tiers[0].prefill_seconds_saved);

  const TieredLru sim = run_tiers(rs, {3, 2, 3}, 4);
  EXPECT_EQ(sim.hit_blocks, (std::vector<std::uint64_t>{1, 1, 6}));
  EXPECT_EQ(sim.cached_tokens, (std::vector<std::uint64_t>{4, 4, 24}));
  for (const std::uint64_t id : {6, 7, 10}) EXPECT_EQ(sim.tier_of(id), 0u) << id;
  for (const std::uint64_t id : {1, 2}) EXPECT_EQ(sim.tier_of(id), 1u) << id;
  for (const std::uint64_t id : {3, 4, 5}) EXPECT_EQ(sim.tier_of(id), 2u) << id;
  for (const std::uint64_t id : {8, 9}) EXPECT_EQ(sim.tier_of(id), std::nullopt) << id;
}

// Where the curve's split is not the tiers': ids under several parents. hbm 2, dram 2:
//   [1 2]  hbm 1 2          [3 4]  hbm 3 4 | dram 1 2
//   [2 3]  2 is in dram (depth 4), 3 in hbm (depth 1, then 2 once 2 moved up).
// The tiers count 1 dram hit and 1 hbm hit. The curve files 3 under its prefix's deepest
// block (depth 4: dram), and lru of 2 alone misses 2 and so stops: 0 hbm, 2 dram. The total,
// 2, is exact either way.
TEST(Tiers, IdsUnderSeveralParentsSplitDifferentlyButAddUpTheSame) {
  const std::vector<Request> rs{request({1, 2}, 8), request({3, 4}, 8), request({2, 3}, 8)};
  const TieredLru sim = run_tiers(rs, {2, 2}, 4);
  EXPECT_EQ(sim.hit_blocks, (std::vector<std::uint64_t>{1, 1}));
  const TiersAnswer a =
      tiers_from_curve(curve_of(rs, 4), specs({2, 2}), std::nullopt, std::nullopt);
  EXPECT_EQ(a.tiers[0].hit_blocks, 0u);
  EXPECT_EQ(a.tiers[1].hit_blocks, 2u);
  EXPECT_EQ(a.total_hit_blocks, 2u);
}

// A request longer than tier 1. hbm 1, dram 10, [1 2] twice, 1000 input tokens, blocks of 512.
// Spilling (tiers.hpp): the first request pins 1 in hbm and 2 in dram; the second finds 1 in
// hbm and 2 in dram: 512 + 488 tokens, lru's at 1 and 11 blocks. Pinning in hbm only drops 2
// both times (CacheSim's rule on hbm alone): dram never holds it, the hierarchy hits 1 block
// where lru of 11 hits 2.
TEST(Tiers, ARequestLongerThanTheTopTierSpillsOrLeavesTheStack) {
  const std::vector<Request> rs{request({1, 2}, 1000), request({1, 2}, 1000)};
  const TiersAnswer a =
      tiers_from_curve(curve_of(rs, 512), specs({1, 10}), std::nullopt, std::nullopt);
  EXPECT_EQ(a.tiers[0].hit_blocks, 1u);
  EXPECT_EQ(a.tiers[0].cached_tokens, 512u);
  EXPECT_EQ(a.tiers[1].hit_blocks, 1u);
  EXPECT_EQ(a.tiers[1].cached_tokens, 488u);

  const TieredLru spill = run_tiers(rs, {1, 10}, 512, Overflow::kSpill);
  EXPECT_EQ(spill.hit_blocks, (std::vector<std::uint64_t>{1, 1}));
  EXPECT_EQ(spill.cached_tokens, (std::vector<std::uint64_t>{512, 488}));
  const TieredLru drop = run_tiers(rs, {1, 10}, 512, Overflow::kDrop);
  EXPECT_EQ(drop.hit_blocks, (std::vector<std::uint64_t>{1, 0}));
  EXPECT_EQ(drop.dropped, 2u);
}

// Pinning in tier 1 only is the same model as long as no request outgrows tier 1.
TEST(Tiers, PinningInTheTopTierOnlyAgreesWhileRequestsFitInIt) {
  const auto rs = prefix_requests(400, 6, 4);
  std::uint64_t longest = 0;
  for (const Request& r : rs)
    longest = std::max<std::uint64_t>(longest, r.hash_ids ? r.hash_ids->size() : 0);
  const HitCurve curve = curve_of(rs, 4);
  for (const auto& lower : splits({1, 7, 50, 300}, 2)) {
    for (const std::uint64_t top : {longest, longest + 5, std::uint64_t{100}}) {
      const std::vector<std::uint64_t> capacities{top, lower[0], lower[1]};
      expect_curve_equals_tiers(curve, run_tiers(rs, capacities, 4, Overflow::kDrop), capacities);
    }
  }
}

// --- parse_tier, validate_tiers -------------------------------------------------------------

TEST(Tiers, ParsesNameCapacityAndBandwidth) {
  EXPECT_EQ(parse_tier("hbm:20000"), (TierSpec{"hbm", 20000, std::nullopt}));
  EXPECT_EQ(parse_tier("dram:100000:50"), (TierSpec{"dram", 100000, 50.0}));
  EXPECT_EQ(parse_tier("ssd:1000000:5"), (TierSpec{"ssd", 1000000, 5.0}));
  EXPECT_EQ(parse_tier("nvme-0:1:0.25"), (TierSpec{"nvme-0", 1, 0.25}));
  EXPECT_EQ(parse_tier("x:18446744073709551615"), (TierSpec{"x", UINT64_MAX, std::nullopt}));
}

// The problem (UsageError::problem()) that `text` is rejected with; its parameter is "tier",
// which the CLI shows as --tier.
std::string tier_problem(std::string_view text) {
  try {
    parse_tier(text);
  } catch (const UsageError& e) {
    EXPECT_EQ(e.parameter(), "tier") << text;
    EXPECT_EQ(std::string(e.what()), "tier: " + e.problem()) << text;
    return e.problem();
  }
  return "(accepted)";
}

TEST(Tiers, ParseErrorsNameWhatWasExpected) {
  EXPECT_EQ(tier_problem("hbm"), "expected NAME:CAPACITY[:READ_GB_PER_S], got \"hbm\" (1 field)");
  EXPECT_EQ(tier_problem(""), "expected NAME:CAPACITY[:READ_GB_PER_S], got \"\" (1 field)");
  EXPECT_EQ(tier_problem("ssd:1000:5:extra"),
            "expected NAME:CAPACITY[:READ_GB_PER_S], got \"ssd:1000:5:extra\" (4 fields)");
  EXPECT_EQ(tier_problem(":100"),
            "empty tier name in \":100\" (expected NAME:CAPACITY[:READ_GB_PER_S])");
  EXPECT_EQ(tier_problem("hbm:0"), "capacity must be at least 1 block, got 0 in \"hbm:0\"");
  for (const std::string cap : {"", "1.5", "-3", "+3", " 3", "3 ", "1e3", "0x10", "lots"}) {
    EXPECT_EQ(tier_problem("hbm:" + cap), "capacity must be a whole number of blocks, got \"" +
                                              cap + "\" in \"hbm:" + cap + "\"");
  }
  EXPECT_EQ(tier_problem("hbm:18446744073709551616"),
            "capacity \"18446744073709551616\" is out of range in \"hbm:18446744073709551616\"");
  for (const std::string bw : {"", "0", "-1", "x", "5x", "inf", "nan", "1e400"}) {
    EXPECT_EQ(tier_problem("dram:10:" + bw),
              "read bandwidth must be a positive number of GB/s, got \"" + bw +
                  "\" in \"dram:10:" + bw + "\"");
  }
}

std::string validate_problem(const std::vector<TierSpec>& tiers) {
  try {
    validate_tiers(tiers);
  } catch (const UsageError& e) {
    EXPECT_EQ(e.parameter(), "tier");
    return e.problem();
  }
  return "(accepted)";
}

TEST(Tiers, ValidateChecksTheListAndSpecsBuiltInCode) {
  EXPECT_EQ(validate_problem({parse_tier("hbm:10"), parse_tier("dram:100:50")}), "(accepted)");
  EXPECT_EQ(validate_problem({}), "give at least one tier");
  EXPECT_EQ(validate_problem({parse_tier("hbm:10"), parse_tier("dram:100"), parse_tier("hbm:5")}),
            "tier name \"hbm\" is given twice");
  EXPECT_EQ(validate_problem({{"hbm", 1, std::nullopt}, {"", 5, std::nullopt}}),
            "tier 2 has an empty name");
  EXPECT_EQ(validate_problem({{"hbm", 0, std::nullopt}}),
            "tier \"hbm\": capacity must be at least 1 block");
  EXPECT_EQ(validate_problem({{"ssd", 5, -2.5}}),
            "tier \"ssd\": read bandwidth must be a positive number of GB/s, got -2.5");
  EXPECT_EQ(validate_problem({{"ssd", 5, std::nan("")}}),
            "tier \"ssd\": read bandwidth must be a positive number of GB/s, got nan");
  // tiers_from_curve validates too.
  const HitCurve curve = curve_of({request({1}, 4)}, 4);
  EXPECT_EQ(testing::thrown_message<UsageError>([&] {
              tiers_from_curve(curve, std::vector<TierSpec>{}, std::nullopt, std::nullopt);
            }),
            "tier: give at least one tier");
}

// --- Prefill time saved, by hand ------------------------------------------------------------

// A curve made up by hand: 40 blocks, 20,000 input tokens, 4 distinct blocks.
HitCurve made_up_curve() {
  HitCurve c;
  c.total_blocks = 40;
  c.total_input_tokens = 20000;
  c.distinct_blocks = 4;
  c.hit_blocks = {0, 10, 15, 18, 20};
  c.hit_tokens = {0, 5000, 7000, 8000, 9000};
  return c;
}

// 10,000 prefill tokens/s (1e-4 s a token), 131,072 KV bytes a token.
//   hbm  capacity 1, depths 0-1: 10 blocks, 5000 tokens, free to read: 5000 / 1e4 = 0.5 s
//   dram capacity 2, depths 1-3: 8 blocks, 3000 tokens, 50 GB/s reads a token in
//        131072 / 50e9 = 2.62144e-6 s: 3000 * (1e-4 - 2.62144e-6) = 0.29213568 s
//   ssd  capacity 1, depths 3-4: 2 blocks, 1000 tokens, 1 GB/s reads a token in
//        1.31072e-4 s, slower than recomputing it: 1000 * (1e-4 - 1.31072e-4) = -0.031072 s
//   all: 0.5 + 0.29213568 - 0.031072 = 0.76106368 s
TEST(Tiers, PrefillSecondsSavedByHandIncludingASlowerThanRecomputeTier) {
  const std::vector<TierSpec> tiers{{"hbm", 1, std::nullopt}, {"dram", 2, 50.0}, {"ssd", 1, 1.0}};
  const TiersAnswer a = tiers_from_curve(made_up_curve(), tiers, 10000.0, 131072);
  ASSERT_EQ(a.tiers.size(), 3u);
  EXPECT_EQ(a.tiers[0].hit_blocks, 10u);
  EXPECT_EQ(a.tiers[0].cached_tokens, 5000u);
  EXPECT_EQ(a.tiers[1].hit_blocks, 8u);
  EXPECT_EQ(a.tiers[1].cached_tokens, 3000u);
  EXPECT_EQ(a.tiers[2].hit_blocks, 2u);
  EXPECT_EQ(a.tiers[2].cached_tokens, 1000u);
  EXPECT_DOUBLE_EQ(*a.tiers[0].prefill_seconds_saved, 0.5);
  EXPECT_DOUBLE_EQ(*a.tiers[1].prefill_seconds_saved, 0.29213568);
  EXPECT_DOUBLE_EQ(*a.tiers[2].prefill_seconds_saved, -0.031072);
  EXPECT_DOUBLE_EQ(*a.prefill_seconds_saved, 0.76106368);
  EXPECT_EQ(a.total_hit_blocks, 20u);
  EXPECT_EQ(a.total_cached_tokens, 9000u);
  EXPECT_DOUBLE_EQ(a.block_hit_rate, 0.5);
  EXPECT_DOUBLE_EQ(a.token_hit_rate, 0.45);
  EXPECT_DOUBLE_EQ(a.tiers[1].block_hit_rate, 0.2);
  EXPECT_DOUBLE_EQ(a.tiers[1].token_hit_rate, 0.15);

  // A top tier with a bandwidth pays for its reads too: 5000 * (1e-4 - 131072 / 2000e9).
  const TiersAnswer paid =
      tiers_from_curve(made_up_curve(), std::vector<TierSpec>{{"hbm", 1, 2000.0}}, 10000.0, 131072);
  EXPECT_DOUBLE_EQ(*paid.tiers[0].prefill_seconds_saved, 5000 * (1e-4 - 6.5536e-8));
}

TEST(Tiers, PrefillSecondsSavedNeedTheRateTheBytesAndALowerTiersBandwidth) {
  const std::vector<TierSpec> tiers{{"hbm", 1, std::nullopt}, {"dram", 2, 50.0}};
  for (const TiersAnswer& a : {tiers_from_curve(made_up_curve(), tiers, std::nullopt, 131072),
                               tiers_from_curve(made_up_curve(), tiers, 10000.0, std::nullopt)}) {
    EXPECT_FALSE(a.prefill_seconds_saved);
    EXPECT_FALSE(a.tiers[0].prefill_seconds_saved);
    EXPECT_FALSE(a.tiers[1].prefill_seconds_saved);
    EXPECT_EQ(a.tiers[1].hit_blocks, 8u);  // hits do not need them
  }
  // A lower tier without a bandwidth has no modeled read cost: no saving, and so no total.
  const TiersAnswer a = tiers_from_curve(
      made_up_curve(), std::vector<TierSpec>{{"hbm", 1, std::nullopt}, {"dram", 2, std::nullopt}},
      10000.0, 131072);
  EXPECT_DOUBLE_EQ(*a.tiers[0].prefill_seconds_saved, 0.5);
  EXPECT_FALSE(a.tiers[1].prefill_seconds_saved);
  EXPECT_FALSE(a.prefill_seconds_saved);
}

TEST(Tiers, CapacitiesPastTheCurveAddNothing) {
  // Past the distinct blocks nothing changes, and sums past 2^64 stay at the end of the curve.
  const std::vector<TierSpec> tiers{
      {"hbm", 3, std::nullopt}, {"dram", UINT64_MAX, 10.0}, {"ssd", UINT64_MAX, 1.0}};
  const TiersAnswer a = tiers_from_curve(made_up_curve(), tiers, std::nullopt, std::nullopt);
  EXPECT_EQ(a.tiers[0].hit_blocks, 18u);
  EXPECT_EQ(a.tiers[1].hit_blocks, 2u);
  EXPECT_EQ(a.tiers[1].cached_tokens, 1000u);
  EXPECT_EQ(a.tiers[2].hit_blocks, 0u);
  EXPECT_EQ(a.tiers[2].cached_tokens, 0u);
  EXPECT_EQ(a.total_hit_blocks, 20u);
}

TEST(Tiers, BadRatesAndUnfinishedCurvesAreRefused) {
  const std::vector<TierSpec> tiers{{"hbm", 1, std::nullopt}};
  for (const double rate : {0.0, -5.0, std::nan(""), HUGE_VAL}) {
    EXPECT_EQ(testing::thrown_message<UsageError>(
                  [&] { tiers_from_curve(made_up_curve(), tiers, rate, 131072); }),
              "prefill_tokens_per_s: must be a positive number of tokens per second")
        << rate;
  }
  EXPECT_EQ(testing::thrown_message<UsageError>(
                [&] { tiers_from_curve(made_up_curve(), tiers, 10000.0, 0); }),
            "kv_bytes_per_token: must be at least 1");
  EXPECT_THROW(tiers_from_curve(HitCurve{}, tiers, std::nullopt, std::nullopt), std::logic_error);
}

}  // namespace
}  // namespace kvtrace::cache::tiers_test
