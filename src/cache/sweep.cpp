#include "kvtrace/cache/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "kvtrace/cache/worker_curves.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/progress.hpp"
#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::cache {

SweepOptions sweep_options(const SweepSpec& spec, std::uint32_t block_size) {
  SweepOptions o{.base = spec.base, .capacities = spec.capacities};
  o.base.block_size = block_size;
  o.base.timing.enabled = spec.timestamps || o.base.timing.concurrency > 0;
  o.base.timing.use_timestamps = spec.timestamps;
  for (const double gib : spec.gpu_mem_gib) {
    o.capacities.push_back(
        capacity_from_memory(gib, spec.kv_bytes_per_token.value_or(0), block_size));
  }
  for (const std::string& p : spec.policies) o.policies.push_back(parse_policy(p));
  for (const std::string& r : spec.routers) o.routers.push_back(parse_router(r));
  return o;
}

std::vector<SimConfig> sweep_configs(const SweepOptions& options) {
  std::vector<SimConfig> out;
  for (const std::uint64_t c : options.capacities) {
    for (const Policy p : options.policies) {
      for (const RouterKind r : options.routers) {
        SimConfig cfg = options.base;
        cfg.cache = {.capacity_blocks = c, .policy = p};
        cfg.router.kind = r;
        validate(cfg);
        out.push_back(cfg);
      }
    }
  }
  return out;
}

std::uint64_t capacity_from_memory(double gib, std::uint64_t kv_bytes_per_token,
                                   std::uint32_t block_size) {
  if (!(gib > 0) || !std::isfinite(gib)) {
    throw UsageError("gpu_mem_gib", "must be a positive number of GiB");
  }
  if (kv_bytes_per_token == 0) throw UsageError("kv_bytes_per_token", "must be at least 1");
  if (block_size == 0) throw UsageError("block_size", "must be at least 1");
  const double blocks =
      std::floor(gib * 1073741824.0 /
                 (static_cast<double>(kv_bytes_per_token) * static_cast<double>(block_size)));
  if (blocks < 1) {
    throw UsageError(fmt::format("{} GiB holds no block of {} tokens at {} bytes per token", gib,
                                 block_size, kv_bytes_per_token));
  }
  return static_cast<std::uint64_t>(blocks);
}

void CompactTrace::add(const trace::Request& r) {
  const std::size_t n = r.hash_ids ? r.hash_ids->size() : 0;
  if (n > UINT32_MAX) throw LimitError("a request of more than 2^32 - 1 blocks");
  if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < n) {
    if (chunks_.size() == UINT32_MAX) throw LimitError("more than 2^32 - 1 chunks of ids");
    chunks_.emplace_back().reserve(std::max(chunk_ids_, n));
  }
  Chunk& chunk = chunks_.back();
  chunk_.push_back(static_cast<std::uint32_t>(chunks_.size() - 1));
  begin_.push_back(static_cast<std::uint32_t>(chunk.size()));
  count_.push_back(static_cast<std::uint32_t>(n));
  if (n > 0) chunk.insert(chunk.end(), r.hash_ids->begin(), r.hash_ids->end());
  input_length_.push_back(r.input_length.value_or(0));
  output_length_.push_back(r.output_length.value_or(0));
  timestamp_ms_.push_back(r.timestamp ? std::optional(r.timestamp->value()) : std::nullopt);
  const trace::CachedTokensField field = trace::cached_tokens_field(r);
  if (field.present || !cached_tokens_.empty()) {
    cached_tokens_.resize(size() - 1);  // the requests before the first one that has it
    cached_tokens_.push_back(field);
  }
}

trace::CachedTokensField CompactTrace::cached_tokens(std::size_t i) const {
  return i < cached_tokens_.size() ? cached_tokens_[i] : trace::CachedTokensField{};
}

RequestResult CompactTrace::replay(std::size_t i, ClusterSim& sim) const {
  return sim.add(std::span(chunks_[chunk_[i]]).subspan(begin_[i], count_[i]), input_length_[i],
                 output_length_[i], timestamp_ms_[i]);
}

namespace {

// Simulations replayed at once share the count of requests done, for the progress line, and
// stop early when one of them failed.
struct ReplayShared {
  std::atomic<std::uint64_t> requests_done{0};
  std::atomic<bool> failed{false};
};

Run replay_one(const CompactTrace& kept, const SimConfig& config, const ReplayOptions& options,
               ReplayShared& shared) {
  constexpr std::size_t kStride = 4096;  // requests between looks at the flags
  ClusterSim sim(config);
  sim.reserve_ids(options.distinct_ids);
  trace::MeasuredCache measured;
  std::size_t counted = 0;  // requests added to shared.requests_done
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i % kStride == 0) {
      shared.requests_done += i - counted;
      counted = i;
      if (options.stop != nullptr && *options.stop) {
        throw Interrupted(
            fmt::format("interrupted: {} stopped at request {}", options.label, i + 1));
      }
      if (shared.failed) return {};
    }
    const RequestResult res = kept.replay(i, sim);
    measured.add(kept.cached_tokens(i), static_cast<std::int64_t>(res.input_tokens),
                 res.hit_tokens);
  }
  shared.requests_done += kept.size() - counted;
  return {config, sim.finish(), measured};
}

}  // namespace

std::vector<Run> replay_runs(const CompactTrace& kept, std::span<const SimConfig> configs,
                             const ReplayOptions& options) {
  std::vector<Run> runs(configs.size());
  if (configs.empty()) return runs;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t n_threads =
      std::min<std::size_t>(options.threads == 0 ? cores : options.threads, configs.size());
  ReplayShared shared;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};
  std::mutex mutex;
  std::condition_variable all_done;
  std::exception_ptr error;
  auto work = [&] {
    for (std::size_t k = next++; k < configs.size() && !shared.failed; k = next++) {
      try {
        runs[k] = replay_one(kept, configs[k], options, shared);
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        shared.failed = true;
      }
      const std::lock_guard lock(mutex);
      if (++finished == configs.size() || shared.failed) all_done.notify_one();
    }
  };
  {
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < n_threads; ++t) threads.emplace_back(work);
    core::Progress progress(
        fmt::format("{} {} runs on {} threads", options.label, configs.size(), n_threads),
        options.progress_bytes);
    const std::uint64_t total_requests = kept.size() * configs.size();
    std::unique_lock lock(mutex);
    while (finished < configs.size() && !shared.failed) {
      all_done.wait_for(lock, std::chrono::milliseconds(200));
      if (options.progress_bytes && total_requests > 0) {
        const std::uint64_t done = shared.requests_done;
        progress.update(static_cast<std::uint64_t>(static_cast<double>(*options.progress_bytes) *
                                                   static_cast<double>(done) /
                                                   static_cast<double>(total_requests)),
                        done);
      }
    }
    lock.unlock();
    progress.done();
  }  // the threads are joined here
  if (error) std::rethrow_exception(error);
  return runs;
}

SimConfig ideal_config(SimConfig config) {
  config.cache.capacity_blocks = std::numeric_limits<std::uint64_t>::max();
  config.cache.policy = Policy::kLru;
  return config;
}

namespace {

// Simulations fed the requests of the reading pass, on a thread of their own (or, without
// one, at once in the caller's): the pass then costs the longer of the reader's and this
// work instead of their sum. The queue holds a few batches, so memory stays bounded.
class SideSims {
 public:
  SideSims(std::span<const SimConfig> configs, bool own_thread)
      : sims_(configs.begin(), configs.end()), measured_(configs.size()) {
    if (own_thread && !sims_.empty()) thread_ = std::jthread([this] { loop(); });
  }
  ~SideSims() {
    if (!thread_.joinable()) return;
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
      queue_.clear();
    }
    changed_.notify_all();
  }
  SideSims(const SideSims&) = delete;
  SideSims& operator=(const SideSims&) = delete;

  void push(std::span<const trace::Request> requests) {
    if (sims_.empty()) return;
    if (!thread_.joinable()) {  // in the caller's thread: no copy
      for (const trace::Request& r : requests) {
        for (std::size_t k = 0; k < sims_.size(); ++k) {
          measured_[k].add(r, sims_[k].add(r).hit_tokens);
        }
      }
      return;
    }
    CompactTrace batch(kBatchChunkIds);
    for (const trace::Request& r : requests) batch.add(r);
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < kMaxQueued || error_; });
    if (error_) return;  // finish() rethrows it
    queue_.push_back(std::move(batch));
    changed_.notify_all();
  }

  // Waits for every batch pushed; rethrows the first error of a simulation.
  std::vector<Run> finish() {
    if (thread_.joinable()) {
      {
        const std::lock_guard lock(mutex_);
        closed_ = true;
      }
      changed_.notify_all();
      thread_.join();
    }
    if (error_) std::rethrow_exception(error_);
    std::vector<Run> out;
    for (std::size_t k = 0; k < sims_.size(); ++k) {
      out.push_back({sims_[k].config(), sims_[k].finish(), measured_[k]});
    }
    return out;
  }

 private:
  static constexpr std::size_t kMaxQueued = 4;
  // A batch's ids in chunks of plain memory (under the huge-page threshold).
  static constexpr std::size_t kBatchChunkIds = std::size_t{1} << 16;

  void run(const CompactTrace& batch) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      for (std::size_t k = 0; k < sims_.size(); ++k) {
        const RequestResult res = batch.replay(i, sims_[k]);
        measured_[k].add(batch.cached_tokens(i), static_cast<std::int64_t>(res.input_tokens),
                         res.hit_tokens);
      }
    }
  }

  void loop() {
    for (;;) {
      CompactTrace batch;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      changed_.notify_all();
      try {
        run(batch);
      } catch (...) {
        const std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        queue_.clear();
        changed_.notify_all();
        return;
      }
    }
  }

  std::vector<ClusterSim> sims_;
  std::vector<trace::MeasuredCache> measured_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<CompactTrace> queue_;
  bool closed_ = false;
  std::exception_ptr error_;
  std::jthread thread_;  // last: joined before the members it uses go
};

}  // namespace

std::vector<Run> run_sweep(trace::TraceReader& reader, std::span<const SimConfig> configs,
                           const RequestSink& per_request, unsigned threads, bool with_ideal) {
  if (configs.empty()) throw UsageError("run_sweep needs at least one configuration");
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const bool two_threads = (threads == 0 ? cores : threads) >= 2;
  // Beside the first configuration, on the requests as they are read (on a second thread
  // when there is one): the ideals, or else the second configuration.
  std::vector<SimConfig> side;
  std::vector<std::size_t> ideal_of(configs.size());
  for (std::size_t k = 0; with_ideal && k < configs.size(); ++k) {
    const SimConfig ideal = ideal_config(configs[k]);
    const auto i = static_cast<std::size_t>(std::ranges::find(side, ideal) - side.begin());
    if (i == side.size()) side.push_back(ideal);
    ideal_of[k] = i;
  }
  // The ideal holds every block, and takes about as long as the first run: the second run
  // goes beside the first only when there is no ideal to balance it.
  const std::size_t first_replayed = two_threads && side.empty() && configs.size() > 1 ? 2 : 1;
  if (first_replayed == 2) side.push_back(configs[1]);
  std::vector<Run> runs;
  CompactTrace kept;
  std::uint64_t distinct_ids = 0;
  std::vector<Run> side_runs;
  {
    ClusterSim sim(configs[0]);
    SideSims side_sims(side, two_threads);
    trace::MeasuredCache measured;
    trace::for_each_request(reader, "simulate", [&](const trace::RequestBatch& batch) {
      side_sims.push(batch.requests);
      for (std::size_t i = 0; i < batch.requests.size(); ++i) {
        const trace::Request& r = batch.requests[i];
        const RequestResult res = sim.add(r);
        measured.add(r, res.hit_tokens);
        if (configs.size() > first_replayed) kept.add(r);
        if (per_request) per_request(batch.lines[i], res);
      }
    });
    runs.push_back({configs[0], sim.finish(), measured});
    distinct_ids = sim.distinct_ids();
    side_runs = side_sims.finish();
  }
  if (first_replayed == 2) runs.push_back(std::move(side_runs.back()));
  const ReplayOptions options{.threads = threads,
                              .stop = reader.options().stop,
                              .label = "simulate",
                              .progress_bytes = reader.total_bytes(),
                              .distinct_ids = distinct_ids};
  for (Run& run : replay_runs(kept, configs.subspan(first_replayed), options)) {
    runs.push_back(std::move(run));
  }
  for (std::size_t k = 0; with_ideal && k < runs.size(); ++k) {
    runs[k].ideal = side_runs[ideal_of[k]].result.total;
  }
  return runs;
}

HitCurve run_curve(trace::TraceReader& reader, std::uint32_t block_size) {
  return run_cluster_curve(reader, 1, {}, block_size).total;
}

}  // namespace kvtrace::cache
