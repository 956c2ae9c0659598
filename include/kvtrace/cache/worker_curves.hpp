#pragma once
// lru's hit rate of every capacity for W workers behind a router that does not look at the
// caches (round-robin, random), in one pass (docs/simulate.md, "One pass for several
// workers").
//
// Such a router sends each request to the same worker whatever the capacity: round-robin by
// the request's position, random by the same seeded draws ClusterSim makes. So each worker
// sees a fixed subsequence of the trace, and an LruCurve per worker gives its hits at every
// capacity at once; the cluster's hits with C blocks per worker are the workers' hits at C
// added up. Up to kMaxThreads workers, each worker's curve runs on a thread of its own
// (CurveThread), fed in batches; more workers share the caller's thread. Memory: the
// LruCurves', per distinct block of each worker, and a few batches of ids per worker.

#include <cstdint>
#include <vector>

#include <memory>

#include "kvtrace/cache/cluster_sim.hpp"
#include "kvtrace/cache/curve_thread.hpp"
#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/random/py_random.hpp"
#include "kvtrace/trace/request.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::cache {

struct ClusterCurve {
  std::uint32_t workers = 1;
  RouterKind router = RouterKind::kRoundRobin;
  std::vector<HitCurve> per_worker;
  // Capacity per worker -> the cluster's hits. Its distinct_blocks is the largest worker's:
  // beyond it no worker's hits change.
  HitCurve total;
};

class WorkerCurves {
 public:
  // UsageError for no workers, or several behind a router that looks at the caches
  // (least-loaded, kv-aware: their choices change with the capacity, so there is no one-pass
  // curve). One worker gets every request, whatever the router.
  WorkerCurves(std::uint32_t workers, const RouterConfig& router, std::uint32_t block_size);

  static constexpr std::uint32_t kMaxThreads = 8;

  void add(const trace::Request& r);
  // Room for this many distinct blocks and block uses in all (hints, split evenly among the
  // workers): each worker's curve sizes its arrays once (LruCurve::reserve).
  void reserve(std::uint64_t distinct, std::uint64_t accesses);
  // Once, after the last add().
  ClusterCurve finish();

 private:
  std::uint32_t route();
  void flush();

  std::uint32_t workers_;
  RouterConfig router_;
  std::vector<LruCurve> curves_;                       // more than kMaxThreads workers
  std::vector<std::unique_ptr<CurveThread>> threads_;  // else
  std::vector<CurveThread::Batch> pending_;            // by worker, for threads_
  std::uint64_t pending_requests_ = 0;
  random::PyRandom rng_;
  std::uint64_t requests_ = 0;
};

// The curve of `workers` behind `router` over the trace of `reader` (the pass of
// trace::for_each_request: progress, notes, the no-request error).
ClusterCurve run_cluster_curve(trace::TraceReader& reader, std::uint32_t workers,
                               const RouterConfig& router, std::uint32_t block_size);

}  // namespace kvtrace::cache
