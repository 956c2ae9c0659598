#include "kvtrace/cache/worker_curves.hpp"

#include <algorithm>
#include <utility>

#include "kvtrace/analysis/id_index.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::cache {

namespace {

// Requests read before the arrays are sized from them.
constexpr std::uint64_t kReserveAfter = 4096;

}  // namespace

WorkerCurves::WorkerCurves(std::uint32_t workers, const RouterConfig& router,
                           std::uint32_t block_size)
    : workers_(workers), router_(router), rng_(router.seed) {
  if (workers == 0) throw UsageError("workers", "must be at least 1");
  // One worker gets every request, whatever the router.
  if (workers > 1 && routes_by_load(router.kind)) {
    throw UsageError(
        "router",
        "a one-pass curve needs a router that does not look at the caches (round-robin or "
        "random): least-loaded and kv-aware choose by what is cached, which changes with the "
        "capacity; run a capacity sweep for them");
  }
  if (workers <= kMaxThreads) {
    for (std::uint32_t w = 0; w < workers; ++w) {
      threads_.push_back(std::make_unique<CurveThread>(block_size));
    }
    pending_.resize(workers);
  } else {
    curves_.reserve(workers);
    for (std::uint32_t w = 0; w < workers; ++w) curves_.emplace_back(block_size);
  }
}

std::uint32_t WorkerCurves::route() {
  // As ClusterSim::route: the request's position, or one draw per request.
  if (router_.kind == RouterKind::kRandom) {
    return static_cast<std::uint32_t>(rng_.randbelow(workers_));
  }
  return static_cast<std::uint32_t>(requests_ % workers_);
}

void WorkerCurves::add(const trace::Request& r) {
  const std::uint32_t w = route();
  ++requests_;
  if (threads_.empty()) {
    curves_[w].add(r);
    return;
  }
  const std::span<const std::uint64_t> blocks =
      r.hash_ids ? std::span<const std::uint64_t>(*r.hash_ids) : std::span<const std::uint64_t>{};
  pending_[w].add(blocks, r.input_length.value_or(0), trace::cached_tokens_field(r));
  // Batches of a few thousand requests: large enough that the queue's locks cost nothing.
  if (++pending_requests_ >= 4096 * workers_) flush();
}

void WorkerCurves::reserve(std::uint64_t distinct, std::uint64_t accesses) {
  const std::uint64_t distinct_each = distinct / workers_ + 1;
  const std::uint64_t accesses_each = accesses / workers_ + 1;
  for (std::uint32_t w = 0; w < workers_; ++w) {
    if (threads_.empty()) {
      curves_[w].reserve(distinct_each, accesses_each);
    } else {
      pending_[w].reserve_distinct = distinct_each;
      pending_[w].reserve_accesses = accesses_each;
    }
  }
}

void WorkerCurves::flush() {
  for (std::uint32_t w = 0; w < workers_; ++w) {
    if (!pending_[w].empty()) threads_[w]->push(std::exchange(pending_[w], {}));
  }
  pending_requests_ = 0;
}

ClusterCurve WorkerCurves::finish() {
  ClusterCurve c;
  c.workers = workers_;
  c.router = router_.kind;
  if (threads_.empty()) {
    for (const LruCurve& curve : curves_) c.per_worker.push_back(curve.finish());
  } else {
    flush();
    for (const auto& thread : threads_) c.per_worker.push_back(thread->finish());
  }
  HitCurve& t = c.total;
  t.block_size = c.per_worker.front().block_size;
  for (const HitCurve& w : c.per_worker) {
    t.requests += w.requests;
    t.total_blocks += w.total_blocks;
    t.total_input_tokens += w.total_input_tokens;
    t.other_parent_uses += w.other_parent_uses;
    t.distinct_blocks = std::max(t.distinct_blocks, w.distinct_blocks);
    t.server_measured.requests += w.server_measured.requests;
    t.server_measured.unreadable += w.server_measured.unreadable;
    t.server_measured.input_tokens += w.server_measured.input_tokens;
    t.server_measured.measured_cached_tokens += w.server_measured.measured_cached_tokens;
    t.server_measured.predicted_cached_tokens += w.server_measured.predicted_cached_tokens;
  }
  t.hit_blocks.assign(t.distinct_blocks + 1, 0);
  t.hit_tokens.assign(t.distinct_blocks + 1, 0);
  for (const HitCurve& w : c.per_worker) {
    for (std::uint64_t cap = 0; cap <= t.distinct_blocks; ++cap) {
      t.hit_blocks[cap] += w.blocks_at(cap);
      t.hit_tokens[cap] += w.tokens_at(cap);
    }
  }
  return c;
}

ClusterCurve run_cluster_curve(trace::TraceReader& reader, std::uint32_t workers,
                               const RouterConfig& router, std::uint32_t block_size) {
  WorkerCurves curves(workers, router, block_size);
  std::uint64_t requests = 0;
  std::uint64_t blocks = 0;
  bool reserved = false;
  // The first requests' distinct blocks, for the estimate of the whole trace's.
  analysis::IdIndex seen;
  trace::for_each_request(reader, "simulate", [&](const trace::RequestBatch& batch) {
    for (const trace::Request& r : batch.requests) {
      curves.add(r);
      if (reserved || !r.hash_ids) continue;
      blocks += r.hash_ids->size();
      bool created = false;
      for (const std::uint64_t id : *r.hash_ids) seen.intern(id, created);
    }
    requests += batch.requests.size();
    // Sized once from the first requests and the file's size, as analyze does.
    if (!reserved && requests >= kReserveAfter) {
      reserved = true;
      curves.reserve(trace::extrapolate(reader, seen.size(), batch.position),
                     trace::extrapolate(reader, blocks, batch.position));
    }
  });
  return curves.finish();
}

}  // namespace kvtrace::cache
