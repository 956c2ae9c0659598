#include "kvtrace/cache/cluster_sim.hpp"
#include "kvtrace/analysis/prefix_analyzer.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/ratio.hpp"

namespace kvtrace::cache {
namespace {

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

}  // namespace

std::string_view router_name(RouterKind r) {
  switch (r) {
    case RouterKind::kRoundRobin:
      return "round-robin";
    case RouterKind::kRandom:
      return "random";
    case RouterKind::kLeastLoaded:
      return "least-loaded";
    case RouterKind::kKvAware:
      return "kv-aware";
  }
  return "?";
}

RouterKind parse_router(std::string_view name) {
  for (const RouterKind r : {RouterKind::kRoundRobin, RouterKind::kRandom, RouterKind::kLeastLoaded,
                             RouterKind::kKvAware}) {
    if (name == router_name(r)) return r;
  }
  throw UsageError("unknown router '" + std::string(name) +
                   "' (expected round-robin, random, least-loaded or kv-aware)");
}

bool routes_by_load(RouterKind r) {
  return r == RouterKind::kLeastLoaded || r == RouterKind::kKvAware;
}

void Tally::add(const RequestResult& r) {
  ++requests;
  blocks += r.blocks;
  hit_blocks += r.hit_blocks;
  input_tokens += r.input_tokens;
  hit_tokens += r.hit_tokens;
}

double Tally::block_hit_rate() const {
  return ratio(hit_blocks, blocks);
}
double Tally::token_hit_rate() const {
  return ratio(hit_tokens, input_tokens);
}

void validate(const SimConfig& config) {
  if (config.workers == 0) throw UsageError("the number of workers must be at least 1");
  if (config.block_size == 0) throw UsageError("block size must be at least 1");
  const double w = config.router.overlap_score_weight;
  if (!std::isfinite(w) || w < 0) throw UsageError("the overlap score weight must be >= 0");
  const TimingConfig& t = config.timing;
  if (t.enabled &&
      !(t.prefill_tokens_per_s > 0 && t.decode_tokens_per_s > 0 &&
        std::isfinite(t.prefill_tokens_per_s) && std::isfinite(t.decode_tokens_per_s))) {
    throw UsageError("prefill and decode tokens/s must be positive");
  }
}

ClusterSim::ClusterSim(SimConfig config) : config_(config), rng_(config.router.seed) {
  validate(config_);
  CacheConfig pool = config_.cache;
  pool.dense_ids = true;
  pools_.reserve(config_.workers);
  for (std::uint32_t i = 0; i < config_.workers; ++i) pools_.emplace_back(pool);
  results_.resize(config_.workers);
  routed_blocks_.assign(config_.workers, 0);
}

RequestResult ClusterSim::add(const trace::Request& r) {
  std::span<const std::uint64_t> blocks;
  if (r.hash_ids) blocks = *r.hash_ids;
  std::optional<double> ts;
  if (r.timestamp) ts = r.timestamp->value();
  return add(blocks, r.input_length.value_or(0), r.output_length.value_or(0), ts);
}

RequestResult ClusterSim::add(std::span<const std::uint64_t> blocks, std::int64_t input_length,
                              std::int64_t output_length, std::optional<double> timestamp_ms) {
  const auto isl = static_cast<std::uint64_t>(std::max<std::int64_t>(input_length, 0));
  const auto osl = static_cast<std::uint64_t>(std::max<std::int64_t>(output_length, 0));
  RequestResult res;
  res.blocks = static_cast<std::uint32_t>(blocks.size());
  res.input_tokens = isl;
  const bool timed = config_.timing.enabled;
  if (timed) res.start_ms = start_time(timestamp_ms);
  ids_.clear();
  bool created = false;
  for (const std::uint64_t id : blocks) ids_.push_back(dense_.intern(id, created));
  res.worker = route(std::span(ids_).first(blocks.size()));
  if (config_.cache_output) {
    const std::uint64_t bs = config_.block_size;
    const std::uint64_t extra = ceil_div(isl + osl, bs) - ceil_div(isl, bs);
    // Output blocks have no id in the trace: dense numbers of their own, so that they
    // never meet a trace id, whatever its value.
    for (std::uint64_t k = 0; k < extra; ++k) ids_.push_back(dense_.fresh());
    output_blocks_ += extra;
  }
  CacheSim& pool = pools_[res.worker];
  std::vector<CacheSim::Slot>* pins = &pins_;
  std::uint32_t flight = 0;
  if (timed) {
    if (free_flights_.empty()) {
      flight = static_cast<std::uint32_t>(flights_.size());
      flights_.emplace_back();
    } else {
      flight = free_flights_.back();
      free_flights_.pop_back();
    }
    pins = &flights_[flight].pins;
  }
  pins->clear();
  // Output blocks are new: the cached prefix never reaches into them.
  res.hit_blocks = std::min(pool.acquire(ids_, *pins), res.blocks);
  res.hit_tokens =
      analysis::cached_prefix_tokens(res.hit_blocks, res.blocks, input_length, config_.block_size);

  WorkerResult& wr = results_[res.worker];
  wr.peak_active_blocks = std::max(wr.peak_active_blocks, pool.pinned_blocks());
  if (timed) {
    const TimingConfig& t = config_.timing;
    const double service_ms =
        1000.0 * (static_cast<double>(isl - res.hit_tokens) / t.prefill_tokens_per_s +
                  static_cast<double>(osl) / t.decode_tokens_per_s);
    res.end_ms = res.start_ms + service_ms;
    flights_[flight].worker = res.worker;
    endings_.push({res.end_ms, requests_, flight});
    peak_in_flight_ = std::max<std::uint64_t>(peak_in_flight_, endings_.size());
  } else {
    pool.release(*pins);
  }
  routed_blocks_[res.worker] += res.blocks;
  wr.tally.add(res);
  ++requests_;
  return res;
}

double ClusterSim::start_time(std::optional<double> timestamp_ms) {
  const TimingConfig& t = config_.timing;
  double start = last_arrival_ms_;
  if (t.use_timestamps && timestamp_ms) start = std::max(start, *timestamp_ms);
  end_until(start);
  if (t.concurrency > 0 && endings_.size() >= t.concurrency) {
    start = std::max(start, endings_.top().end_ms);
    end_until(start);
  }
  // Requests start in trace order.
  last_arrival_ms_ = start;
  return start;
}

void ClusterSim::end_until(double t) {
  while (!endings_.empty() && endings_.top().end_ms <= t) end_next();
}

void ClusterSim::end_next() {
  const Ending e = endings_.top();
  endings_.pop();
  InFlight& f = flights_[e.index];
  pools_[f.worker].release(f.pins);
  free_flights_.push_back(e.index);
  last_end_ms_ = std::max(last_end_ms_, e.end_ms);
}

template <typename Cost>
std::uint32_t ClusterSim::argmin(Cost cost) const {
  std::uint32_t best = 0;
  double best_cost = cost(0);
  for (std::uint32_t w = 1; w < config_.workers; ++w) {
    const double c = cost(w);
    if (c < best_cost || (c == best_cost && routed_blocks_[w] < routed_blocks_[best])) {
      best = w;
      best_cost = c;
    }
  }
  return best;
}

std::uint32_t ClusterSim::route(std::span<const std::uint64_t> blocks) {
  const std::uint32_t workers = config_.workers;
  switch (config_.router.kind) {
    case RouterKind::kRoundRobin:
      return static_cast<std::uint32_t>(requests_ % workers);
    case RouterKind::kRandom:
      return static_cast<std::uint32_t>(rng_.randbelow(workers));
    case RouterKind::kLeastLoaded:
      return argmin(
          [&](std::uint32_t w) { return static_cast<double>(pools_[w].pinned_blocks()); });
    case RouterKind::kKvAware: {
      const double weight = config_.router.overlap_score_weight;
      return argmin([&](std::uint32_t w) {
        const CacheSim& p = pools_[w];
        const std::uint64_t prefill = blocks.size() - p.cached_prefix(blocks);
        return weight * static_cast<double>(prefill) + static_cast<double>(p.pinned_blocks());
      });
    }
  }
  return 0;
}

void ClusterSim::reserve_ids(std::uint64_t ids) {
  for (CacheSim& pool : pools_) pool.reserve_ids(ids);
}

SimResult ClusterSim::finish() {
  while (!endings_.empty()) end_next();
  SimResult s;
  std::uint64_t max_tokens = 0;
  for (std::uint32_t w = 0; w < config_.workers; ++w) {
    WorkerResult& r = results_[w];
    r.cache = pools_[w].counts();
    s.total.requests += r.tally.requests;
    s.total.blocks += r.tally.blocks;
    s.total.hit_blocks += r.tally.hit_blocks;
    s.total.input_tokens += r.tally.input_tokens;
    s.total.hit_tokens += r.tally.hit_tokens;
    s.evicted += r.cache.evicted;
    s.dropped += r.cache.dropped;
    max_tokens = std::max(max_tokens, r.tally.input_tokens);
  }
  if (s.total.input_tokens > 0) {
    s.load_balance = static_cast<double>(max_tokens) * config_.workers /
                     static_cast<double>(s.total.input_tokens);
  }
  s.output_blocks = output_blocks_;
  s.peak_in_flight = peak_in_flight_;
  s.end_ms = last_end_ms_;
  s.workers = results_;
  return s;
}

}  // namespace kvtrace::cache
