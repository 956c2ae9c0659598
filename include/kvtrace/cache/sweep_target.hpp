#pragma once
// Capacity answers by simulation (docs/simulate.md, "Capacity for a target"), for the settings
// that have no one-pass curve: lineage and fifo, least-loaded and kv-aware routers, the timing
// model, output blocks.
//
// Model: the requests are simulated at a set of capacities per worker ("probes"), each with
// the full ClusterSim of `base`, several at once (replay_runs). There the rate need not grow
// with capacity: a router that weighs load sends a request elsewhere once a worker's cache
// holds more, and pinned blocks change what is evicted. So the answer is stated over the
// probes: the smallest probed capacity from which *every* larger probe reaches the goal.
//
// Search: first the ideal (every worker with room for all it is sent: the capacity beyond
// which nothing changes), then a log-spaced grid from 1 block to that capacity, then rounds of
// evenly spaced probes inside the gap between the answer and the largest probe below it that
// misses, until the gap is at most `tolerance` of the answer (at least 1 block). Each round
// narrows the gap by the number of its probes plus one, whatever the rates do (on a log scale
// while the gap spans a factor of 2 or more, then evenly).
//
// Replications: with `seeds` > 1 each probe runs once per router seed (base.router.seed + k)
// and holds when the mean rate reaches the goal; each seed's own answer over the same probes
// gives the spread. Only the random router draws random numbers; the others refuse seeds > 1.
//
// Cost: (1 + grid + rounds x probes) x seeds simulations, `threads` at a time, each with its
// own pools (memory grows with the threads).

#include <cstdint>
#include <optional>
#include <vector>

#include "kvtrace/cache/cluster_sim.hpp"
#include "kvtrace/cache/sweep.hpp"
#include "kvtrace/cache/target.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::cache {

struct SweepTargetOptions {
  SimConfig base;  // everything but the capacity
  Target target;
  std::uint32_t seeds = 1;
  // From 1 block to the ideal's capacity, both included; with the ideal run while the trace
  // is read, 11 leaves 10 simulations: an even number for two cores.
  std::uint32_t grid_points = 11;
  double tolerance = 0.01;  // the largest gap left, as a share of the answer
  ReplayOptions replay;     // threads, stop flag, progress
};

// One capacity simulated, once per seed.
struct Probe {
  std::uint64_t capacity = 0;  // blocks per worker
  std::vector<double> rates;   // the target's metric, per seed
  double block_hit_rate = 0;   // means over the seeds
  double token_hit_rate = 0;
  double mean() const;
  double min() const;
  double max() const;
};

struct SweepTargetAnswer {
  TargetAnswer answer;  // ideal, goal, capacity (per worker) and its mean rate
  // The capacity per worker beyond which nothing changes: the most blocks any worker held with
  // unlimited room (the ideal's).
  std::uint64_t ideal_capacity = 0;
  std::uint64_t requests = 0;
  std::uint64_t total_blocks = 0;
  // The largest probe below the answer, which misses the goal: the answer is exact to within
  // `answer.capacity - below` blocks (0 when the answer is 1 block).
  std::uint64_t below = 0;
  std::vector<Probe> probes;  // every capacity simulated, ascending
  // Where the mean rate fell as capacity grew between neighbouring probes: (smaller, larger).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> dips;
  // Each seed's answer over the same probes (none: that seed never reaches the goal).
  std::vector<std::optional<std::uint64_t>> seed_capacities;
  std::uint64_t simulations = 0;
  std::uint32_t rounds = 0;  // of refinement, after the grid
};

// UsageError for a bad target (as solve_on_curve), grid_points < 2, a tolerance outside
// [0, 1), seeds of 0, or seeds > 1 with a router that draws nothing random; ClusterSim's
// errors for a bad `base`. Interrupted when the stop flag is set.
SweepTargetAnswer solve_by_sweep(const CompactTrace& kept, const SweepTargetOptions& options);
// The same over the trace of `reader`, read once (trace::for_each_request's pass, with its
// InputError when there is no request); the ideal runs while it is read.
SweepTargetAnswer solve_by_sweep(trace::TraceReader& reader, const SweepTargetOptions& options);

}  // namespace kvtrace::cache
