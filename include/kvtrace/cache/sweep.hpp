#pragma once
// Simulations of a whole trace file (kvtrace simulate, docs/simulate.md): several cluster
// configurations over the same requests, every capacity x policy x router of a sweep, or
// lru's hit curve over every capacity in one pass.
//
// The file is read once. The first simulation runs while it is read and, when there are
// more, keeps the requests in a CompactTrace (what ClusterSim::add uses: hash ids, lengths,
// timestamps; 8 bytes per block and about 40 per request), which the others replay with the
// same results as reading the file again.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kvtrace/analysis/internal/huge_page_allocator.hpp"
#include "kvtrace/cache/cache_sim.hpp"
#include "kvtrace/cache/cluster_sim.hpp"
#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/trace/measured_cache.hpp"
#include "kvtrace/trace/request.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::cache {

// What a sweep crosses, and what its configurations share.
struct SweepOptions {
  SimConfig base;                         // everything but the capacity, the policy and the router
  std::vector<std::uint64_t> capacities;  // blocks per worker
  std::vector<Policy> policies;
  std::vector<RouterKind> routers;
};

// A sweep as a person states it (kvtrace simulate's flags, docs/simulate.md): policies and
// routers by name, capacities in blocks or as KV memory per worker, timing by the trace's
// timestamps or not.
struct SweepSpec {
  SimConfig base;  // as SweepOptions::base, but for its block size and timing on/off
  std::vector<std::uint64_t> capacities;            // blocks per worker
  std::vector<double> gpu_mem_gib;                  // also the capacities these KV memories hold
  std::optional<std::uint64_t> kv_bytes_per_token;  // needed with gpu_mem_gib
  std::vector<std::string> policies{"lru"};
  std::vector<std::string> routers{"round-robin"};
  bool timestamps = false;  // requests start at their timestamps (the timing model)
};

// The SweepOptions of `spec` with blocks of `block_size` tokens: the capacities, then
// capacity_from_memory's of each gpu_mem_gib; the names parsed in order (parse_policy,
// parse_router); the timing model on with timestamps or a concurrency. UsageError as
// capacity_from_memory (a missing kv_bytes_per_token counts as 0) and for an unknown name.
SweepOptions sweep_options(const SweepSpec& spec, std::uint32_t block_size);

// The configurations of a sweep, capacities outermost and routers innermost, each checked by
// validate() so that a bad value surfaces before the trace is read.
std::vector<SimConfig> sweep_configs(const SweepOptions& options);

// The blocks of `block_size` tokens that `gib` GiB of KV memory holds at
// `kv_bytes_per_token`: floor(gib * 2^30 / (kv_bytes_per_token * block_size)). UsageError
// for a bad value or a memory that holds no block.
std::uint64_t capacity_from_memory(double gib, std::uint64_t kv_bytes_per_token,
                                   std::uint32_t block_size);

// Requests kept in memory to be simulated again, in trace order. The ids go into chunks of
// at least kChunkIds that never move (on huge pages): growing one array by copies cost a
// quarter of a sweep's first pass in copies and page faults.
class CompactTrace {
 public:
  static constexpr std::size_t kChunkIds = std::size_t{1} << 20;

  // `chunk_ids`: the ids a chunk holds at least (smaller for a batch of a few requests).
  explicit CompactTrace(std::size_t chunk_ids = kChunkIds) : chunk_ids_(chunk_ids) {}

  void add(const trace::Request& r);
  std::size_t size() const { return begin_.size(); }
  // Request i into `sim`, as ClusterSim::add(const trace::Request&) would.
  RequestResult replay(std::size_t i, ClusterSim& sim) const;
  // Request i's cached_tokens field (not present when it has none).
  trace::CachedTokensField cached_tokens(std::size_t i) const;

 private:
  using Chunk = std::vector<std::uint64_t, analysis::HugePageAllocator<std::uint64_t>>;
  std::size_t chunk_ids_;
  std::vector<Chunk> chunks_;  // each filled up to its capacity at most
  // Request i's ids: chunks_[chunk_[i]] from begin_[i], count_[i] of them.
  std::vector<std::uint32_t> chunk_;
  std::vector<std::uint32_t> begin_;
  std::vector<std::uint32_t> count_;
  std::vector<std::int64_t> input_length_;
  std::vector<std::int64_t> output_length_;
  std::vector<std::optional<double>> timestamp_ms_;
  // By request, from the first that carries cached_tokens on (empty for most traces).
  std::vector<trace::CachedTokensField> cached_tokens_;
};

// One simulation: a configuration and what it gave.
struct Run {
  SimConfig config;
  SimResult result;
  // The server's cached_tokens (recorded traces) beside this run's cached tokens.
  trace::MeasuredCache server_measured;
  // The same settings with unlimited capacity (run_sweep's with_ideal): the rates this run's
  // capacity could reach at most.
  std::optional<Tally> ideal;
};

// `config` with unlimited capacity. The policy then changes nothing (no block is ever
// evicted), so it is set to lru: configurations that differ only in capacity and policy share
// one ideal.
SimConfig ideal_config(SimConfig config);

// Sees each request's 1-based line and result.
using RequestSink = std::function<void(std::uint64_t line, const RequestResult& result)>;

// How replay_runs runs simulations of requests held in memory.
struct ReplayOptions {
  // Simulations at once, each on a thread of its own; 0: one per core. Each holds its own
  // pools, so memory grows with the threads.
  unsigned threads = 0;
  const std::atomic<bool>* stop = nullptr;  // Interrupted when set
  std::string label = "simulate";           // starts the progress line
  // The trace file's size: progress is drawn as if each run read it again (none: no line).
  std::optional<std::uint64_t> progress_bytes;
  // The trace's distinct ids, when known (ClusterSim::distinct_ids of an earlier run): each
  // simulation sizes its tables once (ClusterSim::reserve_ids).
  std::uint64_t distinct_ids = 0;
};

// Runs each configuration over `kept`, several at once (options.threads), with the same
// results as one after another; the runs come back in the order of `configs`. An error of
// any run is rethrown once all threads have stopped.
std::vector<Run> replay_runs(const CompactTrace& kept, std::span<const SimConfig> configs,
                             const ReplayOptions& options);

// Runs each configuration over the trace of `reader`. The pass over the file is
// trace::for_each_request's (progress, the reader's notes on stderr, InputError when there
// is no request to simulate) and runs the first configuration; the others replay the
// requests kept in memory, `threads` at a time (replay_runs). `per_request`, when set, sees
// the requests of the first configuration. With `with_ideal`, each run also gets its ideal
// (Run::ideal), simulated during the pass over the file (one per distinct ideal_config).
// UsageError when `configs` is empty; Interrupted when the reader's stop flag is set, in the
// later runs too.
std::vector<Run> run_sweep(trace::TraceReader& reader, std::span<const SimConfig> configs,
                           const RequestSink& per_request = {}, unsigned threads = 0,
                           bool with_ideal = false);

// lru's hit curve on one worker over the trace of `reader`, blocks of `block_size` tokens;
// the same pass over the file as run_sweep.
HitCurve run_curve(trace::TraceReader& reader, std::uint32_t block_size);

}  // namespace kvtrace::cache
