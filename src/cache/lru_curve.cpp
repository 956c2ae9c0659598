#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/analysis/prefix_analyzer.hpp"

#include <algorithm>
#include <bit>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/ratio.hpp"

namespace kvtrace::cache {
namespace {

constexpr std::uint64_t kMinTree = std::uint64_t{1} << 16;
constexpr std::uint32_t kGroupShift = 9;  // 512 times, one cache line of bits, per group

// The smallest capacity whose hits reach `rate` of `total`: hits never fall as capacity grows.
std::optional<std::uint64_t> first_reaching(const std::vector<std::uint64_t>& hits,
                                            std::uint64_t total, double rate) {
  const auto at = std::partition_point(hits.begin(), hits.end(),
                                       [&](std::uint64_t h) { return ratio(h, total) < rate; });
  if (at == hits.end()) return std::nullopt;
  return static_cast<std::uint64_t>(at - hits.begin());
}

}  // namespace

std::uint64_t HitCurve::blocks_at(std::uint64_t capacity) const {
  return hit_blocks[std::min(capacity, distinct_blocks)];
}

std::uint64_t HitCurve::tokens_at(std::uint64_t capacity) const {
  return hit_tokens[std::min(capacity, distinct_blocks)];
}

double HitCurve::block_hit_rate(std::uint64_t capacity) const {
  return ratio(blocks_at(capacity), total_blocks);
}

double HitCurve::token_hit_rate(std::uint64_t capacity) const {
  return ratio(tokens_at(capacity), total_input_tokens);
}

std::optional<std::uint64_t> HitCurve::capacity_for_token_rate(double rate) const {
  return first_reaching(hit_tokens, total_input_tokens, rate);
}

std::optional<std::uint64_t> HitCurve::capacity_for_block_rate(double rate) const {
  return first_reaching(hit_blocks, total_blocks, rate);
}

LruCurve::LruCurve(std::uint32_t block_size) : block_size_(block_size) {
  if (block_size == 0) throw UsageError("block size must be at least 1");
  compact(kMinTree);
  block_hist_.push_back(0);
  token_hist_.push_back(0);
}

void LruCurve::add(const trace::Request& r) {
  const std::int64_t isl = r.input_length.value_or(0);
  const std::span<const std::uint64_t> blocks =
      r.hash_ids ? std::span<const std::uint64_t>(*r.hash_ids) : std::span<const std::uint64_t>{};
  measured_.add(r, add(blocks, isl));
}

std::uint64_t LruCurve::add(std::span<const std::uint64_t> blocks, std::int64_t input_length,
                            const trace::CachedTokensField& cached_tokens) {
  const std::uint64_t cached = add(blocks, input_length);
  measured_.add(cached_tokens, input_length, cached);
  return cached;
}

std::uint64_t LruCurve::add(std::span<const std::uint64_t> blocks, std::int64_t input_length) {
  ++requests_;
  total_tokens_ += static_cast<std::uint64_t>(std::max<std::int64_t>(input_length, 0));
  total_blocks_ += blocks.size();
  if (blocks.empty()) return 0;

  // Depths as the request arrives; a block is a hit up to the first one never seen. New
  // blocks are numbered here, in request order: ids numbered in first-seen order keep the
  // id index in its identity mode, where a lookup costs nothing. Their time stays 0 (never
  // used) until the second loop.
  const std::uint32_t live = ids_.size();
  dense_.clear();
  std::uint32_t deepest = 0;
  bool in_prefix = true;
  std::uint64_t prefix_tokens = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    bool created = false;
    const std::uint32_t d = ids_.intern(blocks[i], created);
    const std::uint32_t parent = i == 0 ? analysis::IdIndex::kNone : dense_.back();
    dense_.push_back(d);
    if (created) {
      time_of_.push_back(0);
      parent_of_.push_back(parent);
      block_hist_.push_back(0);
      token_hist_.push_back(0);
      in_prefix = false;
    } else if (parent_of_[d] != parent) {
      ++other_parent_uses_;
    }
    if (!in_prefix) continue;
    const std::uint32_t depth = live - times_through(time_of_[d] - 1);
    deepest = std::max(deepest, depth);
    const std::uint64_t tokens =
        analysis::cached_prefix_tokens(i + 1, blocks.size(), input_length, block_size_);
    ++block_hist_[deepest];
    token_hist_[deepest] += tokens - prefix_tokens;
    prefix_tokens = tokens;
  }

  // The request uses its blocks last block first: the first ends up on top of the stack.
  if (std::uint64_t{now_} + blocks.size() >= time_capacity()) compact();
  for (std::size_t i = blocks.size(); i-- > 0;) {
    const std::uint32_t d = dense_[i];
    if (time_of_[d] != 0) clear_time(time_of_[d]);
    time_of_[d] = ++now_;
    set_time(now_);
  }
  return prefix_tokens;
}

void LruCurve::set_time(std::uint32_t t) {
  bits_[t >> 6] |= std::uint64_t{1} << (t & 63);
  group_add(t, 1);
}

void LruCurve::clear_time(std::uint32_t t) {
  bits_[t >> 6] &= ~(std::uint64_t{1} << (t & 63));
  group_add(t, -1);
}

void LruCurve::group_add(std::uint32_t t, std::int32_t delta) {
  const std::size_t n = groups_.size();
  for (std::size_t k = (t >> kGroupShift) + 1; k < n; k += k & (~k + 1)) {
    groups_[k] += static_cast<std::uint32_t>(delta);
  }
}

std::uint32_t LruCurve::times_through(std::uint32_t t) const {
  // Whole groups before t's, then t's group word by word up to t.
  std::uint32_t sum = 0;
  for (std::uint32_t k = t >> kGroupShift; k > 0; k &= k - 1) sum += groups_[k];
  const std::uint32_t last = t >> 6;
  for (std::uint32_t w = (t >> kGroupShift) << (kGroupShift - 6); w < last; ++w) {
    sum += static_cast<std::uint32_t>(std::popcount(bits_[w]));
  }
  const std::uint32_t bit = t & 63;
  const std::uint64_t through = bit == 63 ? ~std::uint64_t{0} : (std::uint64_t{2} << bit) - 1;
  return sum + static_cast<std::uint32_t>(std::popcount(bits_[last] & through));
}

void LruCurve::reserve(std::uint64_t distinct_blocks, std::uint64_t accesses) {
  ids_.reserve(distinct_blocks);
  time_of_.reserve(distinct_blocks);
  parent_of_.reserve(distinct_blocks);
  block_hist_.reserve(distinct_blocks + 1);
  token_hist_.reserve(distinct_blocks + 1);
  // Times 1..now_ so far, one more per use to come.
  const std::uint64_t times = std::uint64_t{now_} + accesses + 1;
  if (times >= time_capacity() && times < UINT32_MAX / 2) compact(times);
}

void LruCurve::compact(std::uint64_t min_times) {
  // Room for the times of the blocks seen so far plus as many uses again, and for any single
  // request (a request uses at most its length in new times).
  const std::uint64_t live = time_of_.size();
  std::uint64_t size = std::max(2 * live + 2 * dense_.size() + kMinTree, min_times);
  size = (size + 512) & ~std::uint64_t{511};  // whole groups, room for time `size` too
  if (size >= UINT32_MAX)
    throw LimitError("more than 2^32 - 1 distinct blocks: too many for the one-pass curve");
  // Blocks numbered but not yet used (the request being added) keep time 0.
  std::vector<std::uint32_t> rank(std::uint64_t{now_} + 1, 0);
  for (const std::uint32_t t : time_of_) {
    if (t != 0) rank[t] = 1;
  }
  std::uint32_t count = 0;
  for (std::uint32_t& r : rank) {
    if (r != 0) r = ++count;
  }
  for (std::uint32_t& t : time_of_) t = rank[t];
  now_ = count;
  // Ones at times 1..count; each group's count, then the Fenwick tree over them built in place.
  bits_.assign(size / 64, 0);
  for (std::uint64_t t = 1; t <= count; ++t) bits_[t >> 6] |= std::uint64_t{1} << (t & 63);
  const std::uint64_t groups = size >> kGroupShift;
  groups_.assign(groups + 1, 0);
  for (std::uint64_t g = 0; g < groups; ++g) {
    std::uint32_t ones = 0;
    for (std::uint64_t w = g << (kGroupShift - 6); w < (g + 1) << (kGroupShift - 6); ++w) {
      ones += static_cast<std::uint32_t>(std::popcount(bits_[w]));
    }
    groups_[g + 1] = ones;
  }
  for (std::uint64_t k = 1; k <= groups; ++k) {
    const std::uint64_t parent = k + (k & (~k + 1));
    if (parent <= groups) groups_[parent] += groups_[k];
  }
}

HitCurve LruCurve::finish() const {
  HitCurve c;
  c.block_size = block_size_;
  c.requests = requests_;
  c.total_blocks = total_blocks_;
  c.total_input_tokens = total_tokens_;
  c.distinct_blocks = time_of_.size();
  c.hit_blocks.resize(c.distinct_blocks + 1);
  c.hit_tokens.resize(c.distinct_blocks + 1);
  std::uint64_t blocks = 0;
  std::uint64_t tokens = 0;
  for (std::uint64_t d = 0; d <= c.distinct_blocks; ++d) {
    blocks += block_hist_[d];
    tokens += token_hist_[d];
    c.hit_blocks[d] = blocks;
    c.hit_tokens[d] = tokens;
  }
  c.server_measured = measured_;
  c.other_parent_uses = other_parent_uses_;
  return c;
}

}  // namespace kvtrace::cache
