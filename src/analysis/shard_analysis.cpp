#include "kvtrace/analysis/shard_analysis.hpp"

#include <fmt/format.h>

#include <boost/unordered/unordered_flat_map.hpp>

#include <cmath>
#include <future>
#include <iostream>
#include <limits>

#include "kvtrace/analysis/id_index.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/batch_reader.hpp"
#include "kvtrace/trace/for_each_request.hpp"
#include "kvtrace/trace/measured_cache.hpp"

namespace kvtrace::analysis {
namespace {

// How many ids ahead read_shard prefetches the id table's slots (as PrefixAnalyzer does).
constexpr std::size_t kIdsAhead = 16;
// Requests read before the shard's arrays are sized from the file size (as analyze_trace).
constexpr std::size_t kRequestsBeforeReserve = 4096;
// Requests merged between two looks at the stop flag.
constexpr std::size_t kStopCheckEvery = 4096;

CachedState state_of(const trace::CachedTokensField& f) {
  if (!f.present) return CachedState::kAbsent;
  return f.tokens ? CachedState::kRead : CachedState::kUnreadable;
}

trace::CachedTokensField field_of(const ShardView& s, std::size_t i) {
  switch (static_cast<CachedState>(s.cached_state[i])) {
    case CachedState::kAbsent:
      return {};
    case CachedState::kRead:
      return {true, s.cached_tokens[i]};
    case CachedState::kUnreadable:
      break;
  }
  return {true, std::nullopt};
}

std::optional<double> present(double v) {
  return std::isnan(v) ? std::nullopt : std::optional(v);
}

// UsageError unless the shard's arrays fit together (they may come from another process).
void check_view(const ShardView& s, std::size_t index) {
  const std::size_t n = s.input_lengths.size();
  const auto bad = [&](std::string_view what) {
    return UsageError(fmt::format("shard {}: {}", index, what));
  };
  if (s.output_lengths.size() != n || s.id_end.size() != n || s.cached_tokens.size() != n ||
      s.cached_state.size() != n || s.timestamps.size() != n || s.delays.size() != n ||
      s.sessions.size() != n) {
    throw bad("its per-request arrays differ in length");
  }
  std::uint64_t previous = 0;
  for (const std::uint64_t end : s.id_end) {
    if (end < previous) throw bad("id_end goes backwards");
    previous = end;
  }
  if (previous != s.local_ids.size()) throw bad("id_end does not end at the number of ids");
  for (const std::uint8_t state : s.cached_state) {
    if (state > static_cast<std::uint8_t>(CachedState::kUnreadable)) {
      throw bad("cached_state holds a value other than 0, 1 or 2");
    }
  }
  for (const std::uint32_t local : s.local_ids) {
    if (local >= s.distinct_ids.size()) throw bad("a local id without a distinct id");
  }
  for (const std::uint32_t session : s.sessions) {
    if (session != kNoSession && session >= s.session_names.size()) {
      throw bad("a session number without a session id");
    }
  }
}

}  // namespace

ShardView ShardColumns::view() const {
  return {block_size,    input_lengths, output_lengths, id_end, local_ids, distinct_ids,
          cached_tokens, cached_state,  timestamps,     delays, sessions,  session_names};
}

void ShardColumns::reserve(std::uint64_t requests, std::uint64_t ids, std::uint64_t distinct) {
  input_lengths.reserve(requests);
  output_lengths.reserve(requests);
  id_end.reserve(requests);
  cached_tokens.reserve(requests);
  cached_state.reserve(requests);
  timestamps.reserve(requests);
  delays.reserve(requests);
  sessions.reserve(requests);
  local_ids.reserve(ids);
  distinct_ids.reserve(distinct);
}

ShardColumns read_shard(trace::TraceReader& reader) {
  ShardColumns out;
  out.block_size = reader.options().block_size;
  IdIndex local;
  boost::unordered_flat_map<std::string, std::uint32_t> session_numbers;
  bool reserved = false;
  trace::read_batched(reader, [&](const trace::RequestBatch& batch) {
    // Every id of the batch in order, with a cursor kIdsAhead ids ahead of the lookups.
    std::size_t ahead_request = 0;
    std::size_t ahead_id = 0;
    const auto prefetch_next = [&] {
      while (ahead_request < batch.requests.size()) {
        const auto& ids = batch.requests[ahead_request].hash_ids;
        if (ids && ahead_id < ids->size()) {
          local.prefetch((*ids)[ahead_id++]);
          return;
        }
        ++ahead_request;
        ahead_id = 0;
      }
    };
    for (std::size_t k = 0; k < kIdsAhead; ++k) prefetch_next();
    for (const trace::Request& r : batch.requests) {
      out.input_lengths.push_back(r.input_length.value_or(0));
      out.output_lengths.push_back(r.output_length.value_or(0));
      if (r.hash_ids) {
        for (const std::uint64_t id : *r.hash_ids) {
          prefetch_next();
          bool created = false;
          out.local_ids.push_back(local.intern(id, created));
          if (created) out.distinct_ids.push_back(id);
        }
      }
      out.id_end.push_back(out.local_ids.size());
      const trace::CachedTokensField field = trace::cached_tokens_field(r);
      out.cached_state.push_back(static_cast<std::uint8_t>(state_of(field)));
      out.cached_tokens.push_back(field.tokens.value_or(0));
      constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
      out.timestamps.push_back(r.timestamp ? r.timestamp->value() : kNone);
      out.delays.push_back(r.delay ? r.delay->value() : kNone);
      std::uint32_t session = kNoSession;
      if (r.session_id) {
        const auto [it, added] = session_numbers.try_emplace(
            *r.session_id, static_cast<std::uint32_t>(out.session_names.size()));
        if (added) out.session_names.push_back(*r.session_id);
        session = it->second;
      }
      out.sessions.push_back(session);
    }
    if (!reserved && out.input_lengths.size() >= kRequestsBeforeReserve) {
      reserved = true;
      out.reserve(trace::extrapolate(reader, out.input_lengths.size(), batch.position),
                  trace::extrapolate(reader, out.local_ids.size(), batch.position),
                  trace::extrapolate(reader, out.distinct_ids.size(), batch.position));
    }
  });
  out.counts = reader.counts();
  std::cerr << trace::reader_notes(out.counts);
  return out;
}

AnalysisStats merge_shards(std::span<const ShardView> shards, const std::atomic<bool>* stop) {
  if (shards.empty()) throw UsageError("no shards to merge");
  std::uint64_t requests = 0;
  std::uint64_t blocks = 0;
  for (std::size_t k = 0; k < shards.size(); ++k) {
    check_view(shards[k], k);
    if (shards[k].block_size != shards[0].block_size) {
      throw UsageError(fmt::format("shard {} has block size {}, shard 0 has {}", k,
                                   shards[k].block_size, shards[0].block_size));
    }
    requests += shards[k].input_lengths.size();
    blocks += shards[k].local_ids.size();
  }
  if (requests == 0) {
    throw InputError(fmt::format("{} shards", shards.size()), 0, "", "no requests to analyze");
  }

  // The shards' distinct ids numbered across the trace, in local first-seen order, so that
  // the new ones are numbered in trace first-seen order.
  IdIndex trace_wide;
  std::vector<std::vector<std::uint32_t>> number_of_local(shards.size());
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const std::span<const std::uint64_t> distinct = shards[k].distinct_ids;
    number_of_local[k].resize(distinct.size());
    for (std::size_t local = 0; local < distinct.size(); ++local) {
      if (local + kIdsAhead < distinct.size()) trace_wide.prefetch(distinct[local + kIdsAhead]);
      bool created = false;
      number_of_local[k][local] = trace_wide.intern(distinct[local], created);
    }
  }

  PrefixAnalyzer analyzer(shards[0].block_size);
  analyzer.reserve(requests, blocks, trace_wide.size());
  WorkloadStats workload;
  workload.reserve(requests);
  std::vector<std::uint64_t> ids;
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const ShardView& s = shards[k];
    const std::vector<std::uint32_t>& numbers = number_of_local[k];
    std::uint64_t begin = 0;
    for (std::size_t i = 0; i < s.input_lengths.size(); ++i) {
      if (stop != nullptr && i % kStopCheckEvery == 0 && *stop) {
        throw Interrupted("analyze: the merge of the shards stopped");
      }
      const std::uint64_t end = s.id_end[i];
      ids.clear();
      for (std::uint64_t j = begin; j < end; ++j) ids.push_back(numbers[s.local_ids[j]]);
      begin = end;
      analyzer.add(s.input_lengths[i], s.output_lengths[i], ids, field_of(s, i));
      workload.add(present(s.timestamps[i]),
                   s.sessions[i] == kNoSession
                       ? std::nullopt
                       : std::optional<std::string_view>(s.session_names[s.sessions[i]]),
                   present(s.delays[i]));
    }
  }
  auto workload_done = std::async(std::launch::async, [&] { return workload.finish(); });
  AnalysisStats stats = analyzer.finish();
  stats.workload = workload_done.get();
  return stats;
}

trace::ReaderCounts merge_counts(std::span<const trace::ReaderCounts> counts) {
  trace::ReaderCounts sum;
  for (const trace::ReaderCounts& c : counts) {
    sum.lines += c.lines;
    sum.blank_lines += c.blank_lines;
    sum.requests += c.requests;
    sum.skipped_invalid += c.skipped_invalid;
    sum.outside_window += c.outside_window;
    sum.hash_id_checked += c.hash_id_checked;
    sum.hash_id_mismatches += c.hash_id_mismatches;
    // A jump at the boundary comes before any inside this shard.
    if (sum.last_timestamp && c.first_timestamp && *c.first_timestamp < *sum.last_timestamp &&
        sum.timestamps_backwards++ == 0) {
      sum.first_backwards = fmt::format("{}: timestamp: {} after {}", c.first_timestamp_at,
                                        *c.first_timestamp, *sum.last_timestamp);
    }
    sum.timestamps_backwards += c.timestamps_backwards;
    if (sum.first_backwards.empty()) sum.first_backwards = c.first_backwards;
    if (!sum.first_timestamp) {
      sum.first_timestamp = c.first_timestamp;
      sum.first_timestamp_at = c.first_timestamp_at;
    }
    if (c.last_timestamp) sum.last_timestamp = c.last_timestamp;
    if (sum.first_skipped.empty()) sum.first_skipped = c.first_skipped;
    if (sum.first_mismatch.empty()) sum.first_mismatch = c.first_mismatch;
    sum.source_notes.insert(sum.source_notes.end(), c.source_notes.begin(), c.source_notes.end());
  }
  return sum;
}

}  // namespace kvtrace::analysis
