#include "kvtrace/analysis/prefix_analyzer.hpp"

#include <algorithm>
#include <future>
#include <limits>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/ratio.hpp"
#include "kvtrace/stats/exact_mean.hpp"

namespace kvtrace::analysis {
namespace {

constexpr std::uint32_t kRoot = UINT32_MAX;
constexpr std::uint32_t kExtraBase = IdIndex::kMaxIds;  // extra trie nodes: kExtraBase + k
// Flags in IdInfo::first_pos_flags; positions stay far below 2^30 (a line holds at most 50M
// ids under the 100 MB line limit).
constexpr std::uint32_t kPairRepeated = 1u << 31;  // (first_pos, id) seen more than once
constexpr std::uint32_t kNodeRepeated = 1u << 30;  // node (primary_parent, id) likewise
constexpr std::uint32_t kPosMask = kNodeRepeated - 1;

// How many ids ahead add() prefetches the id map's slots: enough misses in flight to cover
// memory latency, few enough for the core's fill buffers.
constexpr std::uint32_t kPrefetchAhead = 16;

constexpr std::uint64_t pack(std::uint32_t hi, std::uint32_t lo) {
  return (std::uint64_t{hi} << 32) | lo;
}

// The sum of lengths (each >= 0, as the parser reads them), exact.
unsigned __int128 sum_lengths(const std::vector<std::int64_t>& lengths) {
  unsigned __int128 sum = 0;
  for (const std::int64_t l : lengths) sum += static_cast<std::uint64_t>(l);
  return sum;
}

std::int64_t clamp_tokens(std::uint64_t blocks, std::uint32_t block_size, std::int64_t isl) {
  return static_cast<std::int64_t>(
      std::min<std::uint64_t>(blocks * block_size, static_cast<std::uint64_t>(isl)));
}

}  // namespace

std::uint64_t cached_prefix_tokens(std::uint64_t hit_blocks, std::uint64_t blocks,
                                   std::int64_t input_length, std::uint32_t block_size) {
  const auto isl = static_cast<std::uint64_t>(std::max<std::int64_t>(input_length, 0));
  if (hit_blocks >= blocks) return isl;
  return std::min(hit_blocks * block_size, isl);
}

PrefixAnalyzer::PrefixAnalyzer(std::uint32_t block_size) : block_size_(block_size) {
  if (block_size == 0) throw UsageError("block size must be at least 1");
}

std::uint32_t PrefixAnalyzer::visit_extra_node(std::uint32_t parent, std::uint32_t dense) {
  const auto [it, inserted] = extra_node_of_.try_emplace(
      pack(parent, dense), static_cast<std::uint32_t>(extra_nodes_.size()));
  if (inserted) {
    if (extra_nodes_.size() >= IdIndex::kMaxIds - 1) {
      throw LimitError(
          "more than 2^31 distinct hash-id prefixes: the trace is too large to analyze");
    }
    extra_nodes_.push_back({parent, false});
  } else {
    extra_nodes_[it->second].repeated = true;
  }
  return kExtraBase + it->second;
}

void PrefixAnalyzer::reserve(std::uint64_t requests, std::uint64_t blocks,
                             std::optional<std::uint64_t> distinct) {
  isls_.reserve(requests);
  osls_.reserve(requests);
  id_end_.reserve(requests);
  hit_rates_.reserve(requests);
  dense_ids_.reserve(blocks);
  // Distinct ids, when not given: extrapolated from the share of distinct ids so far.
  if (!distinct && !dense_ids_.empty()) {
    const double share = static_cast<double>(info_.size()) / static_cast<double>(dense_ids_.size());
    distinct = static_cast<std::uint64_t>(share * static_cast<double>(blocks));
  }
  if (distinct) {
    info_.reserve(*distinct);
    ids_.reserve(*distinct);
  }
}

// Random ids (raw hashes) miss the cache in the id map: a cursor kPrefetchAhead ids ahead of
// the analyzer, across requests, starts loading their slots, so that the misses overlap
// instead of coming one after the other.
class PrefixAnalyzer::Prefetcher {
 public:
  Prefetcher(std::span<const trace::Request> requests, const IdIndex& ids)
      : requests_(requests), ids_(ids) {
    for (std::uint32_t k = 0; k < kPrefetchAhead; ++k) step();
  }
  // Prefetches the next id not prefetched yet, if any.
  void step() {
    while (request_ < requests_.size()) {
      const auto& hash_ids = requests_[request_].hash_ids;
      if (hash_ids && id_ < hash_ids->size()) {
        ids_.prefetch((*hash_ids)[id_++]);
        return;
      }
      ++request_;
      id_ = 0;
    }
  }

 private:
  std::span<const trace::Request> requests_;
  const IdIndex& ids_;
  std::size_t request_ = 0;
  std::size_t id_ = 0;
};

void PrefixAnalyzer::add(const trace::Request& r) {
  add(std::span(&r, 1));
}

void PrefixAnalyzer::add(std::span<const trace::Request> requests) {
  Prefetcher ahead(requests, ids_);
  for (const trace::Request& r : requests) {
    // AIPerf reads input_length/output_length with a default of 0.
    add_one(
        r.input_length.value_or(0), r.output_length.value_or(0),
        r.hash_ids ? std::span<const std::uint64_t>(*r.hash_ids) : std::span<const std::uint64_t>(),
        trace::cached_tokens_field(r), ahead);
  }
}

void PrefixAnalyzer::add(std::int64_t input_length, std::int64_t output_length,
                         std::span<const std::uint64_t> hash_ids,
                         const trace::CachedTokensField& cached_tokens) {
  Prefetcher ahead({}, ids_);
  add_one(input_length, output_length, hash_ids, cached_tokens, ahead);
}

void PrefixAnalyzer::add_one(std::int64_t input_length, std::int64_t output_length,
                             std::span<const std::uint64_t> ids,
                             const trace::CachedTokensField& cached_tokens, Prefetcher& ahead) {
  if (finished_) throw std::logic_error("PrefixAnalyzer::add after finish");
  isls_.push_back(input_length);
  osls_.push_back(output_length);
  if (ids.empty()) {
    id_end_.push_back(dense_ids_.size());
    measured_.add(cached_tokens, input_length, 0);
    return;
  }
  // Ids numbered before this request are exactly AIPerf's `seen` set at this point.
  const std::uint32_t seen_before = ids_.size();
  std::size_t hits = ids.size();
  std::uint32_t parent = kRoot;
  if (ids.size() > kPosMask) throw LimitError("a request with more than 2^30 hash ids");
  for (std::uint32_t pos = 0; pos < ids.size(); ++pos) {
    ahead.step();
    bool created = false;
    const std::uint32_t d = ids_.intern(ids[pos], created);
    dense_ids_.push_back(d);
    if (d >= seen_before && hits == ids.size()) hits = pos;
    if (created) {
      info_.push_back({pos, parent});
      parent = d;
      continue;
    }
    IdInfo& info = info_[d];
    if ((info.first_pos_flags & kPosMask) == pos) {
      info.first_pos_flags |= kPairRepeated;
    } else {
      const auto [it, inserted] = extra_pairs_.try_emplace(pack(pos, d), false);
      if (!inserted) it->second = true;
    }
    if (info.primary_parent == parent) {
      info.first_pos_flags |= kNodeRepeated;
      parent = d;
    } else {
      parent = visit_extra_node(parent, d);
    }
  }
  id_end_.push_back(dense_ids_.size());
  hit_rates_.push_back(static_cast<double>(hits) / static_cast<double>(ids.size()));
  hit_blocks_ += hits;
  const std::uint64_t cached = cached_prefix_tokens(hits, ids.size(), input_length, block_size_);
  cached_tokens_ += cached;
  measured_.add(cached_tokens, input_length, cached);
}

bool PrefixAnalyzer::pair_repeated(std::uint32_t pos, std::uint32_t dense) const {
  const std::uint32_t f = info_[dense].first_pos_flags;
  if ((f & kPosMask) == pos) return (f & kPairRepeated) != 0;
  const auto it = extra_pairs_.find(pack(pos, dense));
  return it != extra_pairs_.end() && it->second;
}

void PrefixAnalyzer::length_stats(AnalysisStats& s, RequestLengths* keep) const {
  // Context length (AIPerf): repeated (position, id) pairs x block size, or the whole ISL
  // when every pair repeats. Shared prefix (kvtrace): the same, counting only the leading
  // run of repeated pairs, clamped to the ISL.
  const std::size_t n = isls_.size();
  std::vector<std::int64_t> context(n), unique_prompt(n), shared_prefix(n), unique_suffix(n);
  std::uint64_t begin = 0;
  for (std::size_t t = 0; t < n; ++t) {
    const std::uint64_t end = id_end_[t];
    const std::int64_t isl = isls_[t];
    const std::uint64_t len = end - begin;
    std::uint64_t repeated = 0;
    std::uint64_t leading = 0;
    bool in_run = true;
    for (std::uint64_t i = begin; i < end; ++i) {
      if (pair_repeated(static_cast<std::uint32_t>(i - begin), dense_ids_[i])) {
        ++repeated;
        if (in_run) ++leading;
      } else {
        in_run = false;
      }
    }
    begin = end;
    if (len > 0 && repeated == len) {
      context[t] = isl;
      shared_prefix[t] = isl;
    } else {
      context[t] = static_cast<std::int64_t>(repeated * block_size_);
      shared_prefix[t] = clamp_tokens(leading, block_size_, isl);
    }
    unique_prompt[t] = isl - context[t];
    if (unique_prompt[t] < 0) ++s.negative_unique_prompts;
    unique_suffix[t] = isl - shared_prefix[t];
  }
  s.context_length_stats = stats::summarize(context);
  s.unique_prompt_length_stats = stats::summarize(unique_prompt);
  s.shared_prefix_length_stats = stats::summarize(shared_prefix);
  s.unique_suffix_length_stats = stats::summarize(unique_suffix);
  if (keep != nullptr) {
    keep->context = std::move(context);
    keep->shared_prefix = std::move(shared_prefix);
  }
}

void PrefixAnalyzer::sharing_stats(AnalysisStats& s) const {
  // The prefix trie: every dense id is one node (its first parent), plus the extra nodes.
  s.unique_prefixes = info_.size() + extra_nodes_.size();
  s.total_blocks = dense_ids_.size();
  // Prefix occurrences of reused prefixes: all occurrences minus the prefixes seen once.
  std::uint64_t seen_once = 0;
  for (const IdInfo& info : info_) {
    const bool repeated = (info.first_pos_flags & kNodeRepeated) != 0;
    if (!repeated) ++seen_once;
    if (repeated && info.primary_parent == kRoot) ++s.num_prefix_groups;
  }
  for (const ExtraNode& node : extra_nodes_) {
    if (!node.repeated) ++seen_once;
    if (node.repeated && node.parent == kRoot) ++s.num_prefix_groups;
  }
  const std::uint64_t reused = s.total_blocks - seen_once;
  s.prefix_reuse_ratio = ratio(reused, s.total_blocks);

  s.cache_hit_rate = stats::exact_mean(hit_rates_);
  s.hit_rate_stats = stats::summarize(hit_rates_);
  s.requests_with_hash_ids = hit_rates_.size();
  s.distinct_hash_ids = info_.size();
  s.hit_blocks = hit_blocks_;
  s.block_hit_rate = ratio(hit_blocks_, s.total_blocks);

  const std::size_t n = isls_.size();
  if (n > 0) {
    const auto [min_isl, max_isl] = std::minmax_element(isls_.begin(), isls_.end());
    const auto [min_osl, max_osl] = std::minmax_element(osls_.begin(), osls_.end());
    s.min_isl = *min_isl;
    s.max_isl = *max_isl;
    s.min_osl = *min_osl;
    s.max_osl = *max_osl;
    // Python divides the exact integer sum once; the sums are exact below 2^53. Lengths go
    // up to 2^63-1 each: summed in 128 bits, they cannot overflow.
    const unsigned __int128 sum_isl = sum_lengths(isls_);
    const unsigned __int128 sum_osl = sum_lengths(osls_);
    s.avg_isl = static_cast<double>(sum_isl) / static_cast<double>(n);
    s.avg_osl = static_cast<double>(sum_osl) / static_cast<double>(n);
    if (sum_isl > std::numeric_limits<std::uint64_t>::max()) {
      throw LimitError("the input lengths add up to more than 2^64-1 tokens");
    }
    s.total_input_tokens = static_cast<std::uint64_t>(sum_isl);
  }
  s.cached_input_tokens = cached_tokens_;
  s.token_hit_rate = ratio(cached_tokens_, s.total_input_tokens);
  s.server_measured = measured_;
  s.isl_stats = stats::summarize(isls_);
  s.osl_stats = stats::summarize(osls_);
}

AnalysisStats PrefixAnalyzer::finish(RequestLengths* lengths) {
  if (finished_) throw std::logic_error("PrefixAnalyzer::finish called twice");
  finished_ = true;
  AnalysisStats s;
  s.block_size = block_size_;
  s.total_requests = isls_.size();
  // The two halves read the analyzer and write disjoint fields: run them side by side.
  auto sharing = std::async(std::launch::async, [&] { sharing_stats(s); });
  length_stats(s, lengths);
  sharing.get();
  return s;
}

}  // namespace kvtrace::analysis
