// kvtrace simulate: hit rates of finite KV caches (one or several workers behind a router)
// over a Mooncake trace, or the lru hit rate of every capacity in one pass (docs/simulate.md).

#include <fmt/format.h>

#include <limits>
#include <memory>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/cache/report.hpp"
#include "kvtrace/cache/sweep.hpp"
#include "kvtrace/cache/sweep_target.hpp"
#include "kvtrace/cache/target.hpp"
#include "kvtrace/cache/target_report.hpp"
#include "kvtrace/cache/worker_curves.hpp"
#include "kvtrace/core/error.hpp"

namespace kvtrace::cli {
namespace {

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

struct SimulateFlags {
  std::string input;
  std::string format;  // empty: table on a terminal, json otherwise
  std::string output = "-";
  std::string report_json;
  std::string per_request;
  ReaderFlags reader;
  std::optional<std::uint64_t> capacity;
  bool curve = false;
  std::uint32_t curve_points = 32;
  std::optional<double> target_hit_rate;
  std::optional<double> target_of_ideal;
  std::string metric = "token";
  std::vector<std::string> tiers;
  bool no_ideal = false;
  std::uint32_t seeds = 1;
  double tolerance = 0.01;
  unsigned threads = 0;
  flags::KvMemory kv;  // resolved into sweep.kv_bytes_per_token
  // --capacity-sweep, --gpu-mem, --kv-bytes-per-token, the policies and routers, --timing;
  // workers, the routers' weight and seed, concurrency, tokens/s, --cache-output.
  cache::SweepSpec sweep;
};

bool has_target(const SimulateFlags& f) {
  return f.target_hit_rate || f.target_of_ideal;
}

// lru (or, for --curve, lineage) without timing or output blocks, behind one router.
bool lru_untimed(const SimulateFlags& f) {
  const cache::SweepSpec& s = f.sweep;
  const bool policy = s.policies == std::vector<std::string>{"lru"} ||
                      (f.curve && s.policies == std::vector<std::string>{"lineage"});
  return policy && s.routers.size() == 1 && !s.timestamps && s.base.timing.concurrency == 0 &&
         !s.base.cache_output;
}

// Whether the settings have a one-pass curve: lru_untimed on one worker or behind a router
// that does not look at the caches.
bool has_curve(const SimulateFlags& f) {
  return lru_untimed(f) && (f.sweep.base.workers == 1 ||
                            !cache::routes_by_load(cache::parse_router(f.sweep.routers.front())));
}

// --target-*'s answer by simulations: the settings without a curve, or several seeds.
bool target_by_sweep(const SimulateFlags& f) {
  return has_target(f) && (!has_curve(f) || f.seeds > 1);
}

void check_flags(const SimulateFlags& f) {
  const cache::SweepSpec& s = f.sweep;
  const int sizes = (f.capacity ? 1 : 0) + (s.capacities.empty() ? 0 : 1) + (f.curve ? 1 : 0) +
                    (s.gpu_mem_gib.empty() ? 0 : 1) + (has_target(f) ? 1 : 0) +
                    (f.tiers.empty() ? 0 : 1);
  if (sizes != 1) {
    throw UsageError(sizes == 0 ? "give the cache size: --capacity BLOCKS, --capacity-sweep LIST, "
                                  "--gpu-mem GiB with --kv-bytes-per-token, --tier, or --curve; "
                                  "or ask for it: --target-hit-rate R or --target-of-ideal F"
                                : "--capacity, --capacity-sweep, --gpu-mem, --tier, --curve and "
                                  "--target-* are alternatives: give one");
  }
  if (!f.tiers.empty() && !has_curve(f)) {
    throw UsageError(
        "--tier answers from the one-pass lru curve: lru without timing or output blocks, on one "
        "worker or behind one round-robin or random router");
  }
  if (f.target_hit_rate && f.target_of_ideal) {
    throw UsageError("--target-hit-rate and --target-of-ideal are alternatives: give one");
  }
  if (!s.gpu_mem_gib.empty() && !s.kv_bytes_per_token) {
    throw UsageError("--gpu-mem needs --kv-bytes-per-token");
  }
  if (s.kv_bytes_per_token && f.curve) {
    throw UsageError(
        "--curve shows capacities in blocks; kvtrace report --simulate-curve shows them in GiB");
  }
  if (has_target(f) && (s.policies.size() != 1 || s.routers.size() != 1)) {
    throw UsageError("--target-* answers for one policy and one router: give one of each");
  }
  if (!target_by_sweep(f) && (f.seeds != 1 || f.tolerance != 0.01)) {
    throw UsageError(has_target(f) ? "--tolerance goes with a --target-* answered by simulations "
                                     "(settings without a one-pass curve, or --seeds)"
                                   : "--seeds and --tolerance go with --target-*");
  }
  if (f.curve && !lru_untimed(f)) {
    throw UsageError(
        "--curve computes lru (or lineage) without timing or output blocks, on one worker or on "
        "several behind one round-robin or random router; use --capacity-sweep for other "
        "settings");
  }
}

// The one-pass curve of the workers behind the one router given (WorkerCurves refuses a
// router that looks at the caches before the trace is read).
cache::ClusterCurve cluster_curve(const SimulateFlags& f) {
  cache::RouterConfig router = f.sweep.base.router;
  router.kind = cache::parse_router(f.sweep.routers.front());
  const std::unique_ptr<trace::TraceReader> reader = f.reader.open(f.input);
  return cache::run_cluster_curve(*reader, f.sweep.base.workers, router,
                                  reader->options().block_size);
}

// The policy a curve is: lru, or lineage when asked for and every id keeps its first parent
// (then lineage evicts as lru does); UsageError when they do not.
cache::Policy curve_policy(const SimulateFlags& f, const cache::HitCurve& c) {
  if (f.sweep.policies.front() != "lineage") return cache::Policy::kLru;
  if (c.other_parent_uses > 0) {
    throw UsageError(fmt::format(
        "--curve -p lineage: lineage's curve is lru's when every id keeps its first parent (ids "
        "that name their prefix), but {} block uses here follow another one; use "
        "--capacity-sweep -p lineage",
        c.other_parent_uses));
  }
  return cache::Policy::kLineage;
}

int run_simulate(SimulateFlags f) {
  f.sweep.kv_bytes_per_token = f.kv.resolve();
  check_flags(f);
  const std::string format = flags::resolve_format(f.format, f.output);
  std::string out;
  std::string json;         // --report-json's report
  std::string per_request;  // --per-request's CSV
  if (!f.tiers.empty()) {
    std::vector<cache::TierSpec> tiers;
    for (const std::string& t : f.tiers) tiers.push_back(cache::parse_tier(t));
    cache::validate_tiers(tiers);
    const cache::ClusterCurve c = cluster_curve(f);
    const std::optional<double> tps = f.sweep.base.timing.prefill_tokens_per_s;
    const cache::TiersAnswer answer =
        cache::tiers_from_curve(c.total, tiers, tps, f.sweep.kv_bytes_per_token);
    const cache::CurveScope scope{c.workers, c.router};
    const auto render = [&](std::string_view fmt_name) {
      return cache::render_tiers(fmt_name, f.input, tiers, answer, c.total, scope,
                                 f.sweep.kv_bytes_per_token, tps);
    };
    json = render("json");
    out = render(format);
  } else if (target_by_sweep(f)) {
    const std::unique_ptr<trace::TraceReader> reader = f.reader.open(f.input);
    cache::SweepSpec spec = f.sweep;
    spec.capacities = {1};
    const cache::SweepOptions o = cache::sweep_options(spec, reader->options().block_size);
    cache::SweepTargetOptions options{
        .base = cache::sweep_configs(o).front(),
        .target = {cache::parse_metric(f.metric), f.target_hit_rate, f.target_of_ideal},
        .seeds = f.seeds,
        .tolerance = f.tolerance,
        .replay = {.threads = f.threads,
                   .stop = reader->options().stop,
                   .progress_bytes = reader->total_bytes()}};
    fmt::print(stderr, "{}", cache::load_term_note(o));
    const cache::SweepTargetAnswer answer = cache::solve_by_sweep(*reader, options);
    json = cache::render_sweep_target("json", f.input, answer, options.base,
                                      f.sweep.kv_bytes_per_token);
    out = cache::render_sweep_target(format, f.input, answer, options.base,
                                     f.sweep.kv_bytes_per_token);
  } else if (has_target(f)) {
    const cache::Target target{cache::parse_metric(f.metric), f.target_hit_rate, f.target_of_ideal};
    const cache::ClusterCurve c = cluster_curve(f);
    const cache::TargetAnswer answer = cache::solve_on_curve(c.total, target);
    const cache::CurveScope scope{c.workers, c.router};
    json =
        cache::render_target("json", f.input, answer, c.total, scope, f.sweep.kv_bytes_per_token);
    out = cache::render_target(format, f.input, answer, c.total, scope, f.sweep.kv_bytes_per_token);
  } else if (f.curve) {
    const cache::ClusterCurve c = cluster_curve(f);
    const cache::CurveScope scope{c.workers, c.router, curve_policy(f, c.total)};
    json = cache::curve_json(f.input, c.total, f.curve_points, scope);
    out = cache::render_curve(format, f.input, c.total, f.curve_points, scope);
  } else {
    const std::unique_ptr<trace::TraceReader> reader = f.reader.open(f.input);
    cache::SweepSpec spec = f.sweep;
    if (f.capacity) spec.capacities.push_back(*f.capacity);
    const cache::SweepOptions o = cache::sweep_options(spec, reader->options().block_size);
    const std::vector<cache::SimConfig> configs = cache::sweep_configs(o);
    if (!f.per_request.empty() && configs.size() != 1) {
      throw UsageError("--per-request needs a single simulation (one capacity, policy and router)");
    }
    fmt::print(stderr, "{}", cache::load_term_note(o));
    cache::PerRequestCsv csv(o.base.timing.enabled);
    const std::vector<cache::Run> runs = cache::run_sweep(
        *reader, configs, f.per_request.empty() ? cache::RequestSink{} : csv.sink(), f.threads,
        !f.no_ideal);
    per_request = csv.text();
    json = cache::runs_json(f.input, runs, f.sweep.kv_bytes_per_token);
    out = cache::render_runs(format, f.input, runs, f.sweep.kv_bytes_per_token);
  }
  write_text(f.output, out);
  if (!f.report_json.empty()) {
    write_text(f.report_json, json);
    fmt::print(stderr, "Simulation report saved to {}\n", f.report_json);
  }
  if (!f.per_request.empty()) write_text(f.per_request, per_request);
  return kOk;
}

}  // namespace

void add_simulate(CLI::App& app, Action& action) {
  auto f = std::make_shared<SimulateFlags>();
  f->sweep.base.router.seed = flags::kDefaultSeed;
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Hit rates of finite KV caches with an eviction policy, one or several workers behind a "
      "router, or the lru hit rate of every capacity in one pass (docs/simulate.md)");
  cmd->add_option("file", f->input, "Mooncake JSONL trace, - for stdin")->required();
  cmd->add_option("-c,--capacity", f->capacity, "KV cache capacity in blocks per worker")
      ->transform(flags::integer_range(0, kMaxU64, false));
  cmd->add_option("--capacity-sweep", f->sweep.capacities,
                  "Several capacities (blocks per worker), comma-separated: one run each")
      ->delimiter(',')
      ->transform(flags::integer_range(0, kMaxU64, false));
  cmd->add_flag("--curve", f->curve,
                "lru hit rate for every capacity in one pass (no timing; one worker, or "
                "-w workers behind a round-robin or random router)");
  cmd->add_option("--target-hit-rate", f->target_hit_rate,
                  "Answer: the smallest capacity per worker whose hit rate (--metric) reaches R")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--target-of-ideal", f->target_of_ideal,
                  "Answer: the smallest capacity per worker whose hit rate (--metric) reaches F "
                  "times the ideal (room for every distinct block)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--metric", f->metric, "The hit rate a --target-* is about: token or block")
      ->check(CLI::IsMember({"token", "block"}))
      ->capture_default_str();
  cmd->add_option("--curve-points", f->curve_points,
                  "Capacities shown by --curve, log-spaced up to the distinct blocks; 0: all")
      ->capture_default_str()
      ->transform(flags::integer_range(0, UINT32_MAX, false));
  cmd->add_option("--gpu-mem", f->sweep.gpu_mem_gib,
                  "KV memory per worker in GiB, comma-separated for several: capacity = "
                  "floor(GiB * 2^30 / (kv-bytes-per-token * block size))")
      ->delimiter(',');
  flags::kv_memory(*cmd, f->kv, "The model's KV bytes per token");
  cmd->add_option("-p,--policy", f->sweep.policies,
                  "Eviction policy: lru, lineage or fifo; a comma-separated list runs each")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("-w,--workers", f->sweep.base.workers, "Workers, each with its own cache")
      ->capture_default_str()
      ->transform(flags::integer_range(1, 1u << 16));
  cmd->add_option("-r,--router", f->sweep.routers,
                  "round-robin, random, least-loaded or kv-aware; a comma-separated list runs "
                  "each")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--overlap-weight", f->sweep.base.router.overlap_score_weight,
                  "kv-aware: weight of the blocks to prefill against active blocks (Dynamo's "
                  "overlap_score_weight)")
      ->capture_default_str();
  flags::seed(*cmd, f->sweep.base.router.seed, "Seed of the random router");
  cmd->add_flag("--timing", f->sweep.timestamps,
                "Requests start at their timestamps and pin their blocks until they end");
  cmd->add_option("--concurrency", f->sweep.base.timing.concurrency,
                  "At most this many requests in flight (implies the timing model; without "
                  "--timing requests start as soon as a slot is free)")
      ->transform(flags::integer_range(0, UINT32_MAX, false));
  flags::prefill_tps(*cmd, f->sweep.base.timing.prefill_tokens_per_s,
                     "Timing: prefill tokens/s of one request (uncached input only)");
  cmd->add_option("--decode-tps", f->sweep.base.timing.decode_tokens_per_s,
                  "Timing: output tokens/s of one request")
      ->capture_default_str();
  cmd->add_option("--tier", f->tiers,
                  "A memory tier NAME:BLOCKS[:READ_GB_PER_S], top first, repeated (e.g. "
                  "--tier hbm:20000 --tier dram:100000:50): hits per tier, from the lru curve")
      ->take_all();
  cmd->add_option("--seeds", f->seeds,
                  "--target-*: repeat each simulation with this many random-router seeds "
                  "(--seed, --seed + 1, ...); the answer holds on their mean")
      ->capture_default_str()
      ->transform(flags::integer_range(1, 1000));
  cmd->add_option("--tolerance", f->tolerance,
                  "--target-* by simulations: stop when the answer is within this share of "
                  "itself (at least 1 block); 0: to the block")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.5));
  flags::threads(*cmd, f->threads, "Simulations run at once by a sweep, each on its own thread");
  cmd->add_flag("--no-ideal", f->no_ideal,
                "Leave out the 'of ideal' columns: each run's ideal (unlimited capacity) is one "
                "more simulation, which holds every distinct block");
  cmd->add_flag("--cache-output", f->sweep.base.cache_output,
                "Also cache the blocks each request's output fills (they take room)");
  flags::format(*cmd, f->format, {"table", "json", "csv"}, "the runs or the curve");
  flags::output(*cmd, f->output, "Where the report goes");
  flags::report_json(*cmd, f->report_json);
  cmd->add_option("--per-request", f->per_request,
                  "Write each request's worker and hits as CSV to this file (one simulation)");
  f->reader.add_to(*cmd, true);
  cmd->callback([f, &action] { action = [f] { return run_simulate(*f); }; });
}

}  // namespace kvtrace::cli
