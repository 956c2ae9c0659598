#pragma once
// W workers, each with its own CacheSim pool, behind a router; optionally a timing model in
// which a request holds (pins) its blocks while it runs (docs/simulate.md).
//
// Without timing, requests run one after another: each one's blocks are released before the
// next arrives. With timing, a request starts at its arrival (the trace's timestamp, or as
// soon as a slot is free under a concurrency limit), runs for
//   service_ms = 1000 * (uncached_input_tokens / prefill_tokens_per_s
//                        + output_tokens / decode_tokens_per_s)
// and releases its blocks when it ends. Workers do not slow down under load: the model is
// about which blocks are in use, not about queueing.
//
// Memory: the pools, 4 bytes per distinct block and worker for the pools' id tables, 4 more
// for numbering the ids, plus per request in flight its pinned slots (4 bytes per block).

#include <cstdint>
#include <optional>
#include <queue>
#include <span>
#include <string_view>
#include <vector>

#include "kvtrace/analysis/id_index.hpp"
#include "kvtrace/cache/cache_sim.hpp"
#include "kvtrace/random/py_random.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::cache {

enum class RouterKind {
  kRoundRobin,   // request i goes to worker i mod W
  kRandom,       // a seeded uniform choice (CPython's randrange(W))
  kLeastLoaded,  // the fewest active blocks
  kKvAware,      // Dynamo's cost: overlap_score_weight * prefill_blocks + active blocks
};

// "round-robin", "random", "least-loaded", "kv-aware"; parse_router throws UsageError.
std::string_view router_name(RouterKind r);
RouterKind parse_router(std::string_view name);
// Whether the router weighs the workers' active blocks (least-loaded, kv-aware): without
// timing no request is in flight, so that term is always 0.
bool routes_by_load(RouterKind r);

struct RouterConfig {
  RouterKind kind = RouterKind::kRoundRobin;
  // kv-aware: the weight of the blocks the worker would have to prefill (Dynamo's
  // overlap_score_weight; its default).
  double overlap_score_weight = 1.0;
  std::uint64_t seed = 0;  // random
  friend bool operator==(const RouterConfig&, const RouterConfig&) = default;
};

struct TimingConfig {
  bool enabled = false;           // pin blocks while requests run
  bool use_timestamps = true;     // arrivals at the trace's timestamps, else all at time 0
  std::uint32_t concurrency = 0;  // most requests in flight at once (all workers); 0: no limit
  double prefill_tokens_per_s = 10000;
  double decode_tokens_per_s = 50;
  friend bool operator==(const TimingConfig&, const TimingConfig&) = default;
};

struct SimConfig {
  CacheConfig cache;  // per worker
  std::uint32_t workers = 1;
  RouterConfig router;
  TimingConfig timing;
  std::uint32_t block_size = 512;
  // Also cache the blocks a request's output fills: ceil((ISL + OSL) / block_size) -
  // ceil(ISL / block_size) fresh ids that no other request can hit. They take room and
  // evict like any block.
  bool cache_output = false;
  friend bool operator==(const SimConfig&, const SimConfig&) = default;
};

// Throws UsageError naming the first bad parameter of `config` (no workers, block size 0, a
// negative overlap score weight, timing with non-positive tokens/s); what ClusterSim's
// constructor checks, without building the pools.
void validate(const SimConfig& config);

struct RequestResult {
  std::uint32_t worker = 0;
  std::uint32_t blocks = 0;  // hash ids
  std::uint32_t hit_blocks = 0;
  std::uint64_t input_tokens = 0;
  std::uint64_t hit_tokens = 0;
  double start_ms = 0;  // timing only
  double end_ms = 0;
};

struct Tally {
  std::uint64_t requests = 0;
  std::uint64_t blocks = 0;
  std::uint64_t hit_blocks = 0;
  std::uint64_t input_tokens = 0;
  std::uint64_t hit_tokens = 0;

  void add(const RequestResult& r);
  double block_hit_rate() const;
  double token_hit_rate() const;
  friend bool operator==(const Tally&, const Tally&) = default;
};

struct WorkerResult {
  Tally tally;
  CacheCounts cache;  // evictions, insertions, drops (output blocks included)
  std::uint64_t peak_active_blocks = 0;
  friend bool operator==(const WorkerResult&, const WorkerResult&) = default;
};

struct SimResult {
  Tally total;
  std::uint64_t evicted = 0;
  std::uint64_t dropped = 0;
  std::uint64_t output_blocks = 0;
  // Input tokens routed to the busiest worker over the mean of all workers (1 = even).
  double load_balance = 1;
  std::uint64_t peak_in_flight = 0;  // timing only
  double end_ms = 0;                 // timing only: when the last request ended
  std::vector<WorkerResult> workers;
  friend bool operator==(const SimResult&, const SimResult&) = default;
};

class ClusterSim {
 public:
  // Throws validate(config)'s UsageError.
  explicit ClusterSim(SimConfig config);

  // Routes and runs one request; requests come in trace order.
  RequestResult add(const trace::Request& r);
  RequestResult add(std::span<const std::uint64_t> blocks, std::int64_t input_length,
                    std::int64_t output_length, std::optional<double> timestamp_ms);

  // Ends the requests still in flight and totals up.
  SimResult finish();

  // The trace's distinct ids (and output blocks) seen so far.
  std::uint64_t distinct_ids() const { return dense_.size(); }
  // Sizes the pools' id tables for this many distinct ids (a hint: e.g. distinct_ids() of an
  // earlier simulation of the same trace), so that they do not grow by copies.
  void reserve_ids(std::uint64_t ids);

  const SimConfig& config() const { return config_; }

 private:
  struct InFlight {
    std::uint32_t worker = 0;
    std::vector<CacheSim::Slot> pins;
  };
  struct Ending {
    double end_ms;
    std::uint64_t seq;  // ties end in start order
    std::uint32_t index;
    bool operator>(const Ending& o) const {
      return end_ms != o.end_ms ? end_ms > o.end_ms : seq > o.seq;
    }
  };

  std::uint32_t route(std::span<const std::uint64_t> blocks);
  // The worker minimising `cost`, ties to the fewest blocks routed so far, then the lowest
  // index.
  template <typename Cost>
  std::uint32_t argmin(Cost cost) const;
  // When the request can start, ending the requests done by then.
  double start_time(std::optional<double> timestamp_ms);
  void end_until(double t);
  void end_next();

  SimConfig config_;
  std::vector<CacheSim> pools_;
  std::vector<WorkerResult> results_;
  std::vector<std::uint64_t> routed_blocks_;
  random::PyRandom rng_;
  std::uint64_t requests_ = 0;
  std::uint64_t output_blocks_ = 0;
  double last_arrival_ms_ = 0;
  double last_end_ms_ = 0;
  std::uint64_t peak_in_flight_ = 0;
  std::vector<InFlight> flights_;
  std::vector<std::uint32_t> free_flights_;
  std::priority_queue<Ending, std::vector<Ending>, std::greater<>> endings_;
  // Block ids are numbered densely so that the pools index a table instead of hashing.
  analysis::IdIndex dense_;
  std::vector<std::uint64_t> ids_;    // the request's input and output blocks, dense, reused
  std::vector<CacheSim::Slot> pins_;  // without timing, reused
};

}  // namespace kvtrace::cache
