#pragma once
// AIPerf's PrefixAnalyzer (`aiperf analyze-trace`, reference section 3) as a streaming
// analyzer: add() each request in file order, then finish(). The AIPerf fields keep AIPerf's
// exact definitions, surprising ones included; kvtrace's own fields sit beside them
// (docs/analyze.md).
//
// Memory: per request 4 bytes per hash id plus 32 bytes; per distinct hash id 8 bytes (and,
// when ids are not numbered in first-seen order, up to 16 in the id table or 21-43 in the
// hash map of sparse ids).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "kvtrace/analysis/id_index.hpp"
#include "kvtrace/analysis/workload_stats.hpp"
#include "kvtrace/stats/metric_stats.hpp"
#include "kvtrace/trace/measured_cache.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::analysis {

// Tokens of a request's longest cached prefix, `hit_blocks` of its `blocks` blocks, as
// analyze counts them (and simulate, for finite caches): the whole input when every block is
// cached, else hit_blocks * block_size clamped to the input length.
std::uint64_t cached_prefix_tokens(std::uint64_t hit_blocks, std::uint64_t blocks,
                                   std::int64_t input_length, std::uint32_t block_size);

struct AnalysisStats {
  // --- AIPerf's AnalysisStats, same names, order and definitions ---
  std::uint64_t total_requests = 0;
  std::uint64_t unique_prefixes = 0;    // distinct hash-id prefixes H[0:i]
  std::uint64_t num_prefix_groups = 0;  // first ids shared by >= 2 requests
  double cache_hit_rate = 0;            // mean per-request block hit rate (infinite cache)
  std::int64_t min_isl = 0;
  std::int64_t max_isl = 0;
  double avg_isl = 0;
  std::int64_t min_osl = 0;
  std::int64_t max_osl = 0;
  double avg_osl = 0;
  double prefix_reuse_ratio = 0;
  std::optional<stats::MetricStats> isl_stats;
  std::optional<stats::MetricStats> osl_stats;
  std::optional<stats::MetricStats> context_length_stats;
  std::optional<stats::MetricStats> unique_prompt_length_stats;
  std::optional<stats::MetricStats> hit_rate_stats;

  // --- kvtrace's own ---
  std::uint32_t block_size = 512;
  std::uint64_t requests_with_hash_ids = 0;
  std::uint64_t total_blocks = 0;  // hash ids over all requests
  std::uint64_t distinct_hash_ids = 0;
  std::uint64_t hit_blocks = 0;  // blocks of the longest already-cached prefixes
  double block_hit_rate = 0;     // hit_blocks / total_blocks
  std::uint64_t total_input_tokens = 0;
  std::uint64_t cached_input_tokens = 0;  // tokens of the longest already-cached prefixes
  double token_hit_rate = 0;              // cached_input_tokens / total_input_tokens
  // Contiguous shared prefix: the leading blocks whose (position, id) recurs in another
  // request, in tokens and clamped to the ISL; and what follows it (never negative).
  std::optional<stats::MetricStats> shared_prefix_length_stats;
  std::optional<stats::MetricStats> unique_suffix_length_stats;
  // The server's cached_tokens (recorded traces) beside cached_input_tokens' prediction.
  trace::MeasuredCache server_measured;
  // Requests whose AIPerf unique prompt length is negative (context counted in whole blocks).
  std::uint64_t negative_unique_prompts = 0;
  // Arrivals and sessions, when the caller gathered them (analyze_trace, merge_shards do).
  std::optional<WorkloadStatsResult> workload;
};

// Per-request lengths that finish() computes on the way to their statistics, in request
// order, for callers that draw their distributions (kvtrace report).
struct RequestLengths {
  std::vector<std::int64_t> context;        // AIPerf's context length
  std::vector<std::int64_t> shared_prefix;  // the contiguous shared prefix, in tokens
};

class PrefixAnalyzer {
 public:
  explicit PrefixAnalyzer(std::uint32_t block_size = 512);

  void add(const trace::Request& r);
  // The same as add() of each in turn, faster when ids are not numbered in first-seen order
  // (raw hashes): the id map's slots are prefetched ahead across request boundaries.
  void add(std::span<const trace::Request> requests);
  // One request given by what add(r) reads of it: its lengths (0 for an absent one), hash ids
  // (none or empty alike) and the cached_tokens field the server measured.
  void add(std::int64_t input_length, std::int64_t output_length,
           std::span<const std::uint64_t> hash_ids, const trace::CachedTokensField& cached_tokens);
  // Capacity for this many requests and hash ids in all (a hint: growing past it is fine).
  // Saves the copies and page faults of growing the per-request arrays on large traces.
  // `distinct`: how many distinct hash ids, when known; else extrapolated from those so far.
  void reserve(std::uint64_t requests, std::uint64_t blocks,
               std::optional<std::uint64_t> distinct = std::nullopt);
  // Computes the statistics; the analyzer can take no more requests afterwards. `lengths`,
  // when given, receives the per-request lengths behind them.
  AnalysisStats finish(RequestLengths* lengths = nullptr);

  std::uint64_t requests() const { return isls_.size(); }
  // Per-request values in request order (hit rates: requests with hash ids only), for
  // distribution comparisons.
  const std::vector<std::int64_t>& input_lengths() const { return isls_; }
  const std::vector<std::int64_t>& output_lengths() const { return osls_; }
  const std::vector<double>& hit_rates() const { return hit_rates_; }
  std::uint64_t blocks() const { return dense_ids_.size(); }
  // Every request's hash ids renumbered 0, 1, ... in first-seen order, all requests end to
  // end; request t's are [block_ends()[t-1], block_ends()[t]) (from 0 for t = 0).
  const std::vector<std::uint32_t>& dense_blocks() const { return dense_ids_; }
  const std::vector<std::uint64_t>& block_ends() const { return id_end_; }
  std::uint64_t distinct_blocks() const { return info_.size(); }

 private:
  // 8 bytes per distinct id. Only "seen once" versus "seen more than once" matters for
  // every count AIPerf derives (repeated pairs, reused prefixes, prefix groups), so the
  // counts are two flags beside the position.
  struct IdInfo {
    std::uint32_t first_pos_flags;  // position of the first occurrence | kPairRepeated | ...
    std::uint32_t primary_parent;   // parent node of that first occurrence
  };
  struct ExtraNode {
    std::uint32_t parent;
    bool repeated;
  };

  class Prefetcher;
  void add_one(std::int64_t input_length, std::int64_t output_length,
               std::span<const std::uint64_t> ids, const trace::CachedTokensField& cached_tokens,
               Prefetcher& ahead);
  bool pair_repeated(std::uint32_t pos, std::uint32_t dense) const;
  // The two halves of finish(): per-request context and shared-prefix lengths; everything
  // else (prefix sharing, hit rates, ISL/OSL).
  void length_stats(AnalysisStats& s, RequestLengths* keep) const;
  void sharing_stats(AnalysisStats& s) const;
  std::uint32_t visit_extra_node(std::uint32_t parent, std::uint32_t dense);

  std::uint32_t block_size_;
  bool finished_ = false;
  IdIndex ids_;
  std::vector<IdInfo> info_;  // by dense id
  // Nodes of the prefix trie are dense ids when reached through the id's first parent (the
  // common case); any other (parent, id) edge is an extra node numbered from kExtraBase.
  boost::unordered_flat_map<std::uint64_t, std::uint32_t> extra_node_of_;
  std::vector<ExtraNode> extra_nodes_;
  // (position, id) pairs at a position other than the id's first one -> seen more than once.
  boost::unordered_flat_map<std::uint64_t, bool> extra_pairs_;

  std::vector<std::int64_t> isls_;
  std::vector<std::int64_t> osls_;
  std::vector<std::uint32_t> dense_ids_;  // all ids, in order
  std::vector<std::uint64_t> id_end_;     // end offset of each request's ids in dense_ids_
  std::vector<double> hit_rates_;         // requests with hash ids only
  std::uint64_t hit_blocks_ = 0;
  std::uint64_t cached_tokens_ = 0;
  trace::MeasuredCache measured_;
};

}  // namespace kvtrace::analysis
