#include "kvtrace/cache/sweep_target.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::cache {
namespace {

constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

double metric_rate(const SimResult& r, RateMetric m) {
  return m == RateMetric::kBlock ? r.total.block_hit_rate() : r.total.token_hit_rate();
}

void check_options(const SweepTargetOptions& o) {
  validate(o.target);
  validate(o.base);
  if (o.grid_points < 2) throw UsageError("grid_points", "must be at least 2");
  if (!(o.tolerance >= 0 && o.tolerance < 1)) {
    throw UsageError("tolerance", "must be at least 0 and below 1");
  }
  if (o.seeds == 0) throw UsageError("seeds", "must be at least 1");
  if (o.seeds > 1 && (o.base.router.kind != RouterKind::kRandom || o.base.workers == 1)) {
    throw UsageError(
        fmt::format("seeds: {} repeats only the random router's draws, and {} on {} "
                    "worker(s) draws nothing random",
                    o.seeds, router_name(o.base.router.kind), o.base.workers));
  }
}

// `capacity` once per seed.
std::vector<SimConfig> seed_configs(const SweepTargetOptions& o, std::uint64_t capacity) {
  std::vector<SimConfig> out;
  for (std::uint32_t k = 0; k < o.seeds; ++k) {
    SimConfig cfg = o.base;
    cfg.cache.capacity_blocks = capacity;
    cfg.router.seed = o.base.router.seed + k;
    out.push_back(cfg);
  }
  return out;
}

// Runs `capacities`, each once per seed, and returns their probes.
class Prober {
 public:
  Prober(const CompactTrace& kept, const SweepTargetOptions& o) : kept_(kept), o_(o) {}

  std::vector<Probe> run(std::span<const std::uint64_t> capacities, std::string_view stage) {
    std::vector<SimConfig> configs;
    for (const std::uint64_t c : capacities) {
      for (const SimConfig& cfg : seed_configs(o_, c)) configs.push_back(cfg);
    }
    ReplayOptions replay = o_.replay;
    replay.label = fmt::format("{} ({})", o_.replay.label, stage);
    const std::vector<Run> runs = replay_runs(kept_, configs, replay);
    simulations_ += configs.size();
    std::vector<Probe> probes;
    for (std::size_t i = 0; i < capacities.size(); ++i) {
      probes.push_back(probe_of(capacities[i], std::span(runs).subspan(i * o_.seeds, o_.seeds)));
    }
    return probes;
  }

  // A probe of `capacity` from its runs, one per seed.
  Probe probe_of(std::uint64_t capacity, std::span<const Run> runs) const {
    Probe p{.capacity = capacity};
    for (const Run& run : runs) {
      const SimResult& r = run.result;
      p.rates.push_back(metric_rate(r, o_.target.metric));
      p.block_hit_rate += r.total.block_hit_rate() / o_.seeds;
      p.token_hit_rate += r.total.token_hit_rate() / o_.seeds;
    }
    return p;
  }

  std::uint64_t simulations() const { return simulations_; }

 private:
  const CompactTrace& kept_;
  const SweepTargetOptions& o_;
  std::uint64_t simulations_ = 0;
};

// The index of the smallest probe from which every probe's rate (by `rate_of`) reaches
// `goal`; probes.size() when the largest one misses it.
template <typename RateOf>
std::size_t first_holding(const std::vector<Probe>& probes, double goal, RateOf rate_of) {
  std::size_t a = probes.size();
  while (a > 0 && rate_of(probes[a - 1]) >= goal) --a;
  return a;
}

// `n` capacities strictly between `lo` and `hi` (all of them when fewer fit): evenly spaced
// on a log scale while hi is at least twice lo (the gaps the grid leaves), else evenly.
std::vector<std::uint64_t> inside(std::uint64_t lo, std::uint64_t hi, std::uint64_t n) {
  std::vector<std::uint64_t> out;
  const std::uint64_t gap = hi - lo;
  if (gap <= n + 1) {
    for (std::uint64_t c = lo + 1; c < hi; ++c) out.push_back(c);
    return out;
  }
  const bool log_scale = lo > 0 && hi / lo >= 2;
  for (std::uint64_t j = 1; j <= n; ++j) {
    const long double x = static_cast<long double>(j) / (n + 1);
    const auto c =
        log_scale
            ? static_cast<std::uint64_t>(std::llround(lo * std::pow(double(hi) / lo, double(x))))
            : lo + static_cast<std::uint64_t>(gap * x);
    if (c > lo && c < hi && (out.empty() || c > out.back())) out.push_back(c);
  }
  return out;
}

// 1 to `top` in `points` log-spaced steps, without `top` itself.
std::vector<std::uint64_t> log_grid(std::uint64_t top, std::uint32_t points) {
  std::vector<std::uint64_t> out;
  for (std::uint32_t i = 0; i + 1 < points; ++i) {
    const double c = std::round(std::pow(static_cast<double>(top), double(i) / (points - 1)));
    const auto v = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(c), 1, top);
    if (v < top && (out.empty() || v > out.back())) out.push_back(v);
  }
  return out;
}

}  // namespace

double Probe::mean() const {
  return rates.empty() ? 0 : std::accumulate(rates.begin(), rates.end(), 0.0) / rates.size();
}
double Probe::min() const {
  return rates.empty() ? 0 : *std::ranges::min_element(rates);
}
double Probe::max() const {
  return rates.empty() ? 0 : *std::ranges::max_element(rates);
}

namespace {

// The search, given the ideal's runs (one per seed): unlimited room, where what each worker
// holds bounds every useful capacity.
SweepTargetAnswer solve(const CompactTrace& kept, SweepTargetOptions o,
                        std::span<const Run> ideal_runs, std::uint64_t distinct_ids) {
  o.replay.distinct_ids = distinct_ids;
  SweepTargetAnswer out;
  Prober prober(kept, o);
  Probe ideal = prober.probe_of(kUnlimited, ideal_runs);
  for (const Run& run : ideal_runs) {
    for (const WorkerResult& w : run.result.workers) {
      out.ideal_capacity = std::max(out.ideal_capacity, w.cache.inserted);
    }
    out.requests = run.result.total.requests;
    out.total_blocks = run.result.total.blocks;
  }
  out.ideal_capacity = std::max<std::uint64_t>(out.ideal_capacity, 1);
  ideal.capacity = out.ideal_capacity;
  out.answer.target = o.target;
  out.answer.ideal = ideal.mean();
  out.answer.goal = goal_rate(o.target, out.answer.ideal);
  const double goal = out.answer.goal;

  std::vector<Probe>& probes = out.probes;
  probes = prober.run(log_grid(out.ideal_capacity, o.grid_points), "grid");
  probes.push_back(std::move(ideal));

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::uint64_t per_round = std::max(2u, o.replay.threads == 0 ? cores : o.replay.threads);
  const auto mean_of = [](const Probe& p) { return p.mean(); };
  for (;;) {
    const std::size_t a = first_holding(probes, goal, mean_of);
    if (a == probes.size()) break;  // even the ideal misses
    const std::uint64_t hi = probes[a].capacity;
    const std::uint64_t lo = a > 0 ? probes[a - 1].capacity : 0;
    const auto allowed = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(o.tolerance * static_cast<double>(hi)));
    if (a == 0 || hi - lo <= allowed) break;  // probes start at 1 block: a == 0 is exact
    const std::vector<std::uint64_t> more = inside(lo, hi, per_round);
    std::vector<Probe> found = prober.run(more, fmt::format("round {}", ++out.rounds));
    probes.insert(probes.begin() + static_cast<std::ptrdiff_t>(a),
                  std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }

  const std::size_t a = first_holding(probes, goal, mean_of);
  if (a < probes.size()) {
    out.answer.capacity = probes[a].capacity;
    out.answer.rate = probes[a].mean();
    out.below = a > 0 ? probes[a - 1].capacity : 0;
  }
  for (std::size_t i = 1; i < probes.size(); ++i) {
    if (probes[i].mean() < probes[i - 1].mean()) {
      out.dips.emplace_back(probes[i - 1].capacity, probes[i].capacity);
    }
  }
  for (std::uint32_t k = 0; k < o.seeds; ++k) {
    const std::size_t s = first_holding(probes, goal, [k](const Probe& p) { return p.rates[k]; });
    out.seed_capacities.push_back(s < probes.size() ? std::optional(probes[s].capacity)
                                                    : std::nullopt);
  }
  out.simulations = prober.simulations() + ideal_runs.size();
  return out;
}

}  // namespace

SweepTargetAnswer solve_by_sweep(const CompactTrace& kept, const SweepTargetOptions& o) {
  check_options(o);
  const std::vector<SimConfig> ideal = seed_configs(o, kUnlimited);
  ReplayOptions replay = o.replay;
  replay.label = fmt::format("{} (ideal)", o.replay.label);
  return solve(kept, o, replay_runs(kept, ideal, replay), o.replay.distinct_ids);
}

SweepTargetAnswer solve_by_sweep(trace::TraceReader& reader, const SweepTargetOptions& o) {
  check_options(o);
  CompactTrace kept;
  std::vector<ClusterSim> sims;
  for (const SimConfig& c : seed_configs(o, kUnlimited)) sims.emplace_back(c);
  trace::for_each_request(reader, "simulate", [&](const trace::RequestBatch& batch) {
    for (const trace::Request& r : batch.requests) {
      kept.add(r);
      for (ClusterSim& sim : sims) sim.add(r);
    }
  });
  std::vector<Run> ideal;
  for (ClusterSim& sim : sims) ideal.push_back({sim.config(), sim.finish(), {}});
  return solve(kept, o, ideal, sims.front().distinct_ids());
}

}  // namespace kvtrace::cache
