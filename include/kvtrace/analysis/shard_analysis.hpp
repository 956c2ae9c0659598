#pragma once
// kvtrace analyze of a trace split into time-ordered shards (files, or any readers, in trace
// order), equal to the single pass over the whole trace in every field, in two phases:
//
//  1. read_shard(), for each shard on its own (any process or machine, in any order): parses
//     it and numbers its hash ids 0, 1, 2, ... in first-seen order within the shard. The
//     result, ShardColumns, keeps per request the lengths, the measured cached tokens, the
//     timestamp, delay and session, and the local numbers of its ids (4 bytes per id); the
//     shard's distinct ids and session ids by number.
//  2. merge_shards(), over all shards in trace order: numbers each shard's distinct ids across
//     the trace (one lookup per distinct id of a shard, not per id), maps the shard's local
//     numbers to those and hands every request to one PrefixAnalyzer.
//
// Why the merge is exact: every statistic of PrefixAnalyzer depends on the hash ids only
// through which of them are equal, and the trace-wide numbering is one-to-one, so the
// analyzer sees the trace's requests, in the trace's order, with ids renamed. A later shard's
// hit rates depend on the ids of all earlier shards and a request's context length on the
// ids of all later ones: both are decided in phase 2, over the whole trace, as one pass does.
// The numbers reach the analyzer in first-seen order, its fastest path (no hash map): the
// hashing of raw 64-bit ids happens in phase 1, in parallel.
//
// Cost: phase 1 is the parse (the bulk of analyze); phase 2 holds one shard's ids in 8 bytes
// each at a time, a table of the trace's distinct ids, and the analyzer itself.
//
// Each shard's reader checks its own lines (errors name the shard's file and line) and its own
// hash id counts against the block size; requests outside the reader's time window (absolute
// timestamps) are left out in each shard as in one pass.

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::analysis {

// What a request's cached_tokens field said (trace::CachedTokensField as one byte).
enum class CachedState : std::uint8_t { kAbsent = 0, kRead = 1, kUnreadable = 2 };

// A shard's requests as arrays, borrowed: what merge_shards reads. Request i's local numbers
// are local_ids[id_end[i - 1] .. id_end[i]) (from 0 for i = 0); its measured cached tokens
// are cached_tokens[i] when cached_state[i] is kRead.
struct ShardView {
  std::uint32_t block_size = 512;
  std::span<const std::int64_t> input_lengths;  // 0 for a request without one, as AIPerf
  std::span<const std::int64_t> output_lengths;
  std::span<const std::uint64_t> id_end;
  std::span<const std::uint32_t> local_ids;
  std::span<const std::uint64_t> distinct_ids;  // the hash id of each local number
  std::span<const std::uint64_t> cached_tokens;
  std::span<const std::uint8_t> cached_state;  // CachedState
  std::span<const double> timestamps;          // ms; NaN for a request without one
  std::span<const double> delays;              // ms; NaN for a request without one
  std::span<const std::uint32_t> sessions;     // local session numbers; kNoSession for none
  std::span<const std::string> session_names;  // the session_id of each local number
};

inline constexpr std::uint32_t kNoSession = UINT32_MAX;

// Phase 1's result: ShardView's arrays, owned, and what the shard's reader counted.
struct ShardColumns {
  std::uint32_t block_size = 512;
  std::vector<std::int64_t> input_lengths;
  std::vector<std::int64_t> output_lengths;
  std::vector<std::uint64_t> id_end;
  std::vector<std::uint32_t> local_ids;
  std::vector<std::uint64_t> distinct_ids;
  std::vector<std::uint64_t> cached_tokens;
  std::vector<std::uint8_t> cached_state;
  std::vector<double> timestamps;
  std::vector<double> delays;
  std::vector<std::uint32_t> sessions;
  std::vector<std::string> session_names;
  trace::ReaderCounts counts;

  ShardView view() const;
  // Capacity for this many requests, ids and distinct ids (a hint: growing past it is fine).
  void reserve(std::uint64_t requests, std::uint64_t ids, std::uint64_t distinct);
};

// Phase 1: every request of `reader` (its reader notes on stderr, as every pass writes them).
// A shard without requests is fine: the merge decides whether the trace has any.
ShardColumns read_shard(trace::TraceReader& reader);

// Phase 2: the statistics of the shards' requests in order, as analyze_trace gives them for
// the whole trace. UsageError when the shards' block sizes differ or a shard's arrays do not
// fit together (the shard named by its position); InputError when no shard has a request
// ("N shards: no requests to analyze"). `stop`, when given and set (e.g. on Ctrl-C), ends the
// merge early with kvtrace::Interrupted.
AnalysisStats merge_shards(std::span<const ShardView> shards,
                           const std::atomic<bool>* stop = nullptr);

// The shards' reader counts added up: lines, skips and mismatches; the first skipped line and
// first mismatch of the earliest shard that has one. Backwards timestamps also where a shard
// starts before the previous one ended, as one pass over their concatenation counts them.
trace::ReaderCounts merge_counts(std::span<const trace::ReaderCounts> counts);

}  // namespace kvtrace::analysis
