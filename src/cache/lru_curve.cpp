#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/analysis/prefix_analyzer.hpp"

#include <algorithm>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/ratio.hpp"

namespace kvtrace::cache {
namespace {

constexpr std::uint32_t kNone = analysis::IdIndex::kNone;
constexpr std::uint64_t kMinTree = std::uint64_t{1} << 16;

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
  const auto at = std::partition_point(hit_tokens.begin(), hit_tokens.end(), [&](std::uint64_t t) {
    return ratio(t, total_input_tokens) < rate;
  });
  if (at == hit_tokens.end()) return std::nullopt;
  return static_cast<std::uint64_t>(at - hit_tokens.begin());
}

LruCurve::LruCurve(std::uint32_t block_size) : block_size_(block_size) {
  if (block_size == 0) throw UsageError("block size must be at least 1");
  tree_.assign(kMinTree + 1, 0);
  block_hist_.push_back(0);
  token_hist_.push_back(0);
}

void LruCurve::add(const trace::Request& r) {
  const std::int64_t isl = r.input_length.value_or(0);
  const std::span<const std::uint64_t> blocks =
      r.hash_ids ? std::span<const std::uint64_t>(*r.hash_ids) : std::span<const std::uint64_t>{};
  measured_.add(r, add(blocks, isl));
}

std::uint64_t LruCurve::add(std::span<const std::uint64_t> blocks, std::int64_t input_length) {
  ++requests_;
  total_tokens_ += static_cast<std::uint64_t>(std::max<std::int64_t>(input_length, 0));
  total_blocks_ += blocks.size();
  if (blocks.empty()) return 0;

  // Depths as the request arrives; a block is a hit up to the first one never seen.
  const std::uint32_t live = ids_.size();
  dense_.clear();
  std::uint32_t deepest = 0;
  bool in_prefix = true;
  std::uint64_t prefix_tokens = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::uint32_t d = ids_.find(blocks[i]);
    dense_.push_back(d);
    if (!in_prefix) continue;
    if (d == kNone) {
      in_prefix = false;
      continue;
    }
    const std::uint32_t depth = live - fenwick_prefix(time_of_[d] - 1);
    deepest = std::max(deepest, depth);
    const std::uint64_t tokens =
        analysis::cached_prefix_tokens(i + 1, blocks.size(), input_length, block_size_);
    ++block_hist_[deepest];
    token_hist_[deepest] += tokens - prefix_tokens;
    prefix_tokens = tokens;
  }

  // The request uses its blocks last block first: the first ends up on top of the stack.
  if (std::uint64_t{now_} + blocks.size() >= tree_.size()) compact();
  for (std::size_t i = blocks.size(); i-- > 0;) {
    std::uint32_t d = dense_[i];
    bool created = false;
    if (d == kNone) d = ids_.intern(blocks[i], created);
    if (created) {
      time_of_.push_back(0);
      block_hist_.push_back(0);
      token_hist_.push_back(0);
    } else {
      fenwick_add(time_of_[d], -1);
    }
    time_of_[d] = ++now_;
    fenwick_add(now_, 1);
  }
  return prefix_tokens;
}

void LruCurve::fenwick_add(std::uint32_t i, std::int32_t delta) {
  const std::size_t n = tree_.size();
  for (std::size_t k = i; k < n; k += k & (~k + 1)) {
    tree_[k] += static_cast<std::uint32_t>(delta);
  }
}

std::uint32_t LruCurve::fenwick_prefix(std::uint32_t i) const {
  std::uint32_t sum = 0;
  for (; i > 0; i &= i - 1) sum += tree_[i];
  return sum;
}

void LruCurve::compact() {
  // Room for the times of the blocks seen so far plus as many uses again, and for any single
  // request (a request uses at most its length in new times).
  const std::uint64_t live = time_of_.size();
  const std::uint64_t size = 2 * live + 2 * dense_.size() + kMinTree;
  if (size >= UINT32_MAX)
    throw LimitError("more than 2^32 - 1 distinct blocks: too many for the one-pass curve");
  std::vector<std::uint32_t> rank(std::uint64_t{now_} + 1, 0);
  for (const std::uint32_t t : time_of_) rank[t] = 1;
  std::uint32_t count = 0;
  for (std::uint32_t& r : rank) {
    if (r != 0) r = ++count;
  }
  for (std::uint32_t& t : time_of_) t = rank[t];
  now_ = count;
  // The tree of ones at 1..live: node k covers (k - lowbit(k), k].
  tree_.assign(size + 1, 0);
  for (std::uint64_t k = 1; k <= size; ++k) {
    const std::uint64_t low = k - (k & (~k + 1));
    tree_[k] = static_cast<std::uint32_t>(std::min(k, live) > low ? std::min(k, live) - low : 0);
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
  return c;
}

}  // namespace kvtrace::cache
