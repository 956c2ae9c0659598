// kvtrace simulate: hit rates of finite KV caches (one or several workers behind a router)
// over a Mooncake trace, or the lru hit rate of every capacity in one pass (docs/simulate.md).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "cli/common.hpp"
#include "kvtrace/cache/cluster_sim.hpp"
#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/json_writer.hpp"
#include "kvtrace/trace/batch_reader.hpp"

namespace kvtrace::cli {
namespace {

struct SimulateFlags {
  std::string input;
  std::string format;  // empty: table on a terminal, json otherwise
  std::string output;
  std::string per_request;
  ReaderFlags reader;
  std::optional<std::uint64_t> capacity;
  std::vector<std::uint64_t> capacity_sweep;
  bool curve = false;
  std::uint32_t curve_points = 32;
  std::optional<double> gpu_mem_gib;
  std::optional<std::uint64_t> kv_bytes_per_token;
  std::vector<std::string> policies{"lru"};
  std::vector<std::string> routers{"round-robin"};
  std::uint32_t workers = 1;
  double overlap_weight = 1.0;
  std::uint64_t seed = 0;
  bool timing = false;
  std::uint32_t concurrency = 0;
  double prefill_tps = 10000;
  double decode_tps = 50;
  bool cache_output = false;
};

// One simulation: a configuration and what it gave.
struct Run {
  cache::SimConfig config;
  cache::SimResult result;
};

// The requests kept in memory when the trace is simulated more than once.
struct CompactTrace {
  std::vector<std::uint64_t> ids;
  std::vector<std::uint64_t> end;  // end of each request's ids
  std::vector<std::int64_t> isl;
  std::vector<std::int64_t> osl;
  std::vector<std::optional<double>> timestamp;

  void add(const trace::Request& r) {
    if (r.hash_ids) ids.insert(ids.end(), r.hash_ids->begin(), r.hash_ids->end());
    end.push_back(ids.size());
    isl.push_back(r.input_length.value_or(0));
    osl.push_back(r.output_length.value_or(0));
    timestamp.push_back(r.timestamp ? std::optional(r.timestamp->value()) : std::nullopt);
  }
  std::size_t size() const { return end.size(); }
  std::span<const std::uint64_t> blocks(std::size_t i) const {
    const std::uint64_t begin = i == 0 ? 0 : end[i - 1];
    return std::span(ids).subspan(begin, end[i] - begin);
  }
};

// Capacity in blocks from GPU memory: floor(GiB * 2^30 / (kv_bytes_per_token * block_size)).
std::uint64_t capacity_from_memory(double gib, std::uint64_t kv_bytes_per_token,
                                   std::uint32_t block_size) {
  if (!(gib > 0) || !std::isfinite(gib)) throw UsageError("--gpu-mem must be a positive GiB");
  if (kv_bytes_per_token == 0) throw UsageError("--kv-bytes-per-token must be at least 1");
  const double blocks =
      std::floor(gib * 1073741824.0 /
                 (static_cast<double>(kv_bytes_per_token) * static_cast<double>(block_size)));
  if (blocks < 1) {
    throw UsageError(fmt::format("{} GiB holds no block of {} tokens at {} bytes per token", gib,
                                 block_size, kv_bytes_per_token));
  }
  return static_cast<std::uint64_t>(blocks);
}

std::vector<cache::SimConfig> configs_of(const SimulateFlags& f) {
  std::vector<std::uint64_t> capacities = f.capacity_sweep;
  if (f.capacity) capacities.push_back(*f.capacity);
  if (f.gpu_mem_gib) {
    capacities.push_back(
        capacity_from_memory(*f.gpu_mem_gib, *f.kv_bytes_per_token, f.reader.block_size));
  }
  cache::SimConfig base;
  base.workers = f.workers;
  base.block_size = f.reader.block_size;
  base.cache_output = f.cache_output;
  base.router.overlap_score_weight = f.overlap_weight;
  base.router.seed = f.seed;
  base.timing.enabled = f.timing || f.concurrency > 0;
  base.timing.use_timestamps = f.timing;
  base.timing.concurrency = f.concurrency;
  base.timing.prefill_tokens_per_s = f.prefill_tps;
  base.timing.decode_tokens_per_s = f.decode_tps;
  std::vector<cache::SimConfig> out;
  for (const std::uint64_t c : capacities) {
    for (const std::string& p : f.policies) {
      for (const std::string& r : f.routers) {
        cache::SimConfig cfg = base;
        cfg.cache = {.capacity_blocks = c, .policy = cache::parse_policy(p)};
        cfg.router.kind = cache::parse_router(r);
        out.push_back(cfg);
      }
    }
  }
  // Bad values surface before the trace is read.
  for (const auto& cfg : out) cache::ClusterSim check(cfg);
  return out;
}

void check_flags(const SimulateFlags& f) {
  const int sizes = (f.capacity ? 1 : 0) + (f.capacity_sweep.empty() ? 0 : 1) + (f.curve ? 1 : 0) +
                    (f.gpu_mem_gib ? 1 : 0);
  if (sizes == 0) {
    throw UsageError(
        "give the cache size: --capacity BLOCKS, --capacity-sweep LIST, --gpu-mem GiB with "
        "--kv-bytes-per-token, or --curve");
  }
  if (sizes > 1) {
    throw UsageError(
        "--capacity, --capacity-sweep, --gpu-mem and --curve are alternatives: give one");
  }
  if (f.gpu_mem_gib.has_value() != f.kv_bytes_per_token.has_value()) {
    throw UsageError("--gpu-mem and --kv-bytes-per-token go together");
  }
  if (f.curve) {
    const bool lru_only = f.policies.size() == 1 && f.policies[0] == "lru";
    if (!lru_only || f.workers != 1 || f.timing || f.concurrency > 0 || f.cache_output) {
      throw UsageError(
          "--curve computes lru on one worker without timing or output blocks; use "
          "--capacity-sweep for other settings");
    }
  }
}

// --- rendering ---

std::string timing_text(const cache::TimingConfig& t) {
  if (!t.enabled) return "none";
  std::string s = t.use_timestamps ? "timestamps" : "closed loop";
  if (t.concurrency > 0) s += fmt::format(", concurrency {}", t.concurrency);
  return s + fmt::format(", prefill {} tok/s, decode {} tok/s", t.prefill_tokens_per_s,
                         t.decode_tokens_per_s);
}

// The hit counts of a whole run or of one worker.
void write_tally(json::ObjectWriter& o, const cache::Tally& t) {
  o.field("requests", t.requests);
  o.field("total_blocks", t.blocks);
  o.field("hit_blocks", t.hit_blocks);
  o.field("block_hit_rate", t.block_hit_rate());
  o.field("total_input_tokens", t.input_tokens);
  o.field("cached_input_tokens", t.hit_tokens);
  o.field("token_hit_rate", t.token_hit_rate());
}

void write_run_json(json::ObjectWriter& o, const Run& run) {
  const cache::SimConfig& c = run.config;
  const cache::SimResult& r = run.result;
  o.field("capacity_blocks", c.cache.capacity_blocks);
  o.field("policy", cache::policy_name(c.cache.policy));
  o.field("workers", std::uint64_t{c.workers});
  o.field("router", cache::router_name(c.router.kind));
  o.field("overlap_score_weight", c.router.overlap_score_weight);
  o.field("seed", c.router.seed);
  if (c.timing.enabled) {
    json::ObjectWriter t = o.object("timing");
    t.bool_field("timestamps", c.timing.use_timestamps);
    t.field("concurrency", std::uint64_t{c.timing.concurrency});
    t.field("prefill_tokens_per_s", c.timing.prefill_tokens_per_s);
    t.field("decode_tokens_per_s", c.timing.decode_tokens_per_s);
    t.close();
  } else {
    o.null_field("timing");
  }
  o.bool_field("cache_output", c.cache_output);
  write_tally(o, r.total);
  o.field("evicted_blocks", r.evicted);
  o.field("dropped_blocks", r.dropped);
  o.field("output_blocks", r.output_blocks);
  o.field("load_balance", r.load_balance);
  if (c.timing.enabled) {
    o.field("peak_in_flight", r.peak_in_flight);
    o.field("end_ms", r.end_ms);
  }
  o.object_array("per_worker", r.workers.size(), [&](json::ObjectWriter& ww, std::size_t w) {
    const cache::WorkerResult& wr = r.workers[w];
    ww.field("worker", std::uint64_t{w});
    write_tally(ww, wr.tally);
    ww.field("inserted_blocks", wr.cache.inserted);
    ww.field("evicted_blocks", wr.cache.evicted);
    ww.field("dropped_blocks", wr.cache.dropped);
    ww.field("peak_active_blocks", wr.peak_active_blocks);
  });
}

std::string runs_json(const std::string& source, const std::vector<Run>& runs) {
  std::string out;
  json::ObjectWriter o(out, 0);
  o.field("input", source);
  o.field("block_size", std::uint64_t{runs.front().config.block_size});
  o.object_array("runs", runs.size(),
                 [&](json::ObjectWriter& r, std::size_t i) { write_run_json(r, runs[i]); });
  o.close();
  out += "\n";
  return out;
}

std::string runs_csv(const std::vector<Run>& runs) {
  std::string out =
      "capacity_blocks,policy,workers,router,overlap_score_weight,timing,cache_output,requests,"
      "total_blocks,hit_blocks,block_hit_rate,total_input_tokens,cached_input_tokens,"
      "token_hit_rate,evicted_blocks,dropped_blocks,load_balance,worker_block_hit_rates\n";
  for (const Run& run : runs) {
    const auto& c = run.config;
    const auto& r = run.result;
    std::string per_worker;
    for (const auto& w : r.workers) {
      if (!per_worker.empty()) per_worker += ' ';
      per_worker += json::format_double(w.tally.block_hit_rate());
    }
    out += fmt::format(
        "{},{},{},{},{},\"{}\",{},{},{},{},{},{},{},{},{},{},{},{}\n", c.cache.capacity_blocks,
        cache::policy_name(c.cache.policy), c.workers, cache::router_name(c.router.kind),
        json::format_double(c.router.overlap_score_weight), timing_text(c.timing),
        c.cache_output ? "true" : "false", r.total.requests, r.total.blocks, r.total.hit_blocks,
        json::format_double(r.total.block_hit_rate()), r.total.input_tokens, r.total.hit_tokens,
        json::format_double(r.total.token_hit_rate()), r.evicted, r.dropped,
        json::format_double(r.load_balance), per_worker);
  }
  return out;
}

std::string runs_table(const std::string& source, const std::vector<Run>& runs) {
  const cache::SimConfig& first = runs.front().config;
  const cache::Tally& t = runs.front().result.total;
  std::string out = fmt::format(
      "kvtrace simulate: {}\n{} requests, {} blocks of {} tokens, {} input tokens\n"
      "workers {}, timing: {}{}\n\n",
      source, t.requests, t.blocks, first.block_size, t.input_tokens, first.workers,
      timing_text(first.timing), first.cache_output ? ", output blocks cached" : "");
  out += fmt::format("{:>12}  {:<8} {:<13} {:>9} {:>9} {:>12} {:>10} {:>8}\n", "capacity", "policy",
                     "router", "block hit", "token hit", "evicted", "dropped", "balance");
  for (const Run& run : runs) {
    const auto& c = run.config;
    const auto& r = run.result;
    out += fmt::format("{:>12}  {:<8} {:<13} {:>9.4f} {:>9.4f} {:>12} {:>10} {:>8.3f}\n",
                       c.cache.capacity_blocks, cache::policy_name(c.cache.policy),
                       cache::router_name(c.router.kind), r.total.block_hit_rate(),
                       r.total.token_hit_rate(), r.evicted, r.dropped, r.load_balance);
    if (r.workers.size() > 1) {
      std::string rates;
      for (const auto& w : r.workers) rates += fmt::format(" {:.4f}", w.tally.block_hit_rate());
      out += fmt::format("{:>14}block hit by worker:{}\n", "", rates);
    }
  }
  return out;
}

// Capacities to show: `points` of them spaced evenly on a log scale from 1 to the number of
// distinct blocks (where the curve ends), or every capacity when points is 0.
std::vector<std::uint64_t> curve_capacities(std::uint64_t distinct, std::uint32_t points) {
  std::vector<std::uint64_t> out;
  if (distinct == 0) return {0};
  if (points == 0 || points >= distinct) {
    for (std::uint64_t c = 1; c <= distinct; ++c) out.push_back(c);
    return out;
  }
  const double top = std::log(static_cast<double>(distinct));
  for (std::uint32_t k = 0; k < points; ++k) {
    const double x = points == 1 ? top : top * k / (points - 1);
    const auto c = static_cast<std::uint64_t>(std::llround(std::exp(x)));
    if (out.empty() || c > out.back()) out.push_back(std::min(c, distinct));
  }
  if (out.back() != distinct) out.push_back(distinct);
  return out;
}

std::string curve_output(const std::string& source, const cache::HitCurve& c, std::uint32_t points,
                         const std::string& format) {
  const auto capacities = curve_capacities(c.distinct_blocks, points);
  std::string out;
  if (format == "csv") {
    out = "capacity_blocks,hit_blocks,block_hit_rate,cached_input_tokens,token_hit_rate\n";
    for (const std::uint64_t cap : capacities) {
      out += fmt::format("{},{},{},{},{}\n", cap, c.blocks_at(cap),
                         json::format_double(c.block_hit_rate(cap)), c.tokens_at(cap),
                         json::format_double(c.token_hit_rate(cap)));
    }
  } else if (format == "json") {
    json::ObjectWriter o(out, 0);
    o.field("input", source);
    o.field("block_size", std::uint64_t{c.block_size});
    o.field("policy", "lru");
    o.field("requests", c.requests);
    o.field("total_blocks", c.total_blocks);
    o.field("distinct_blocks", c.distinct_blocks);
    o.field("total_input_tokens", c.total_input_tokens);
    o.object_array("curve", capacities.size(), [&](json::ObjectWriter& p, std::size_t i) {
      const std::uint64_t cap = capacities[i];
      p.field("capacity_blocks", cap);
      p.field("hit_blocks", c.blocks_at(cap));
      p.field("block_hit_rate", c.block_hit_rate(cap));
      p.field("cached_input_tokens", c.tokens_at(cap));
      p.field("token_hit_rate", c.token_hit_rate(cap));
    });
    o.close();
    out += "\n";
  } else {
    out = fmt::format(
        "kvtrace simulate --curve: {}\n{} requests, {} blocks of {} tokens, {} distinct; lru on "
        "one worker\n\n{:>12} {:>10} {:>10}\n",
        source, c.requests, c.total_blocks, c.block_size, c.distinct_blocks, "capacity",
        "block hit", "token hit");
    for (const std::uint64_t cap : capacities) {
      out += fmt::format("{:>12} {:>10.4f} {:>10.4f}\n", cap, c.block_hit_rate(cap),
                         c.token_hit_rate(cap));
    }
  }
  return out;
}

void no_requests(const trace::TraceReader& reader) {
  throw InputError(reader.name(), 0, "",
                   reader.counts().lines == 0 ? "the file is empty: no requests to simulate"
                                              : "no requests to simulate");
}

int run_curve(const SimulateFlags& f, const std::string& format) {
  trace::TraceReader reader(f.input, f.reader.options());
  cache::LruCurve curve(f.reader.block_size);
  Progress progress("simulate", reader.total_bytes());
  std::uint64_t n = 0;
  trace::read_batched(reader, [&](const trace::RequestBatch& batch) {
    for (const trace::Request& r : batch.requests) curve.add(r);
    n += batch.requests.size();
    progress.update(batch.position, n);
  });
  progress.done();
  report_reader_counts(reader);
  if (n == 0) no_requests(reader);
  const cache::HitCurve c = curve.finish();
  write_text("-", curve_output(f.input, c, f.curve_points, format));
  if (!f.output.empty()) {
    write_text(f.output, curve_output(f.input, c, f.curve_points, "json"));
    fmt::print(stderr, "Simulation report saved to {}\n", f.output);
  }
  return kOk;
}

int run_simulate(const SimulateFlags& f) {
  check_flags(f);
  const std::string format = !f.format.empty() ? f.format : stdout_is_tty() ? "table" : "json";
  if (f.curve) return run_curve(f, format);
  const std::vector<cache::SimConfig> configs = configs_of(f);
  if (!f.per_request.empty() && configs.size() != 1) {
    throw UsageError("--per-request needs a single simulation (one capacity, policy and router)");
  }

  const auto& t = configs[0].timing;
  const bool load_router =
      std::any_of(configs.begin(), configs.end(), [](const cache::SimConfig& c) {
        return c.router.kind == cache::RouterKind::kKvAware ||
               c.router.kind == cache::RouterKind::kLeastLoaded;
      });
  if (f.workers > 1 && !t.enabled && load_router) {
    fmt::print(stderr,
               "kvtrace: note: without --timing or --concurrency no request is in flight, so "
               "the routers' load term is 0 (kv-aware sends each request to the longest cached "
               "prefix; ties go to the worker with the fewest blocks so far)\n");
  }

  // The first simulation reads the file; the others replay the requests it kept.
  std::vector<Run> runs;
  trace::TraceReader reader(f.input, f.reader.options());
  CompactTrace kept;
  std::string per_request;
  if (!f.per_request.empty()) {
    per_request = "line,worker,blocks,hit_blocks,input_tokens,cached_input_tokens";
    per_request += configs[0].timing.enabled ? ",start_ms,end_ms\n" : "\n";
  }
  {
    cache::ClusterSim sim(configs[0]);
    Progress progress("simulate", reader.total_bytes());
    std::uint64_t n = 0;
    trace::read_batched(reader, [&](const trace::RequestBatch& batch) {
      for (std::size_t i = 0; i < batch.requests.size(); ++i) {
        const trace::Request& r = batch.requests[i];
        const cache::RequestResult res = sim.add(r);
        if (configs.size() > 1) kept.add(r);
        if (!f.per_request.empty()) {
          per_request += fmt::format("{},{},{},{},{},{}", batch.lines[i], res.worker, res.blocks,
                                     res.hit_blocks, res.input_tokens, res.hit_tokens);
          per_request += configs[0].timing.enabled
                             ? fmt::format(",{},{}\n", json::format_double(res.start_ms),
                                           json::format_double(res.end_ms))
                             : "\n";
        }
      }
      n += batch.requests.size();
      progress.update(batch.position, n);
    });
    progress.done();
    report_reader_counts(reader);
    if (n == 0) no_requests(reader);
    runs.push_back({configs[0], sim.finish()});
  }
  for (std::size_t k = 1; k < configs.size(); ++k) {
    cache::ClusterSim sim(configs[k]);
    // Progress in the file's bytes, as if the run read it again.
    const auto total = reader.total_bytes();
    Progress progress(fmt::format("simulate {}/{}", k + 1, configs.size()), total);
    for (std::size_t i = 0; i < kept.size(); ++i) {
      sim.add(kept.blocks(i), kept.isl[i], kept.osl[i], kept.timestamp[i]);
      if (total && (i & 0xFFF) == 0) progress.update(*total / kept.size() * i, i);
    }
    progress.done();
    runs.push_back({configs[k], sim.finish()});
  }

  if (format == "table") {
    write_text("-", runs_table(f.input, runs));
  } else if (format == "csv") {
    write_text("-", runs_csv(runs));
  } else {
    write_text("-", runs_json(f.input, runs));
  }
  if (!f.output.empty()) {
    write_text(f.output, runs_json(f.input, runs));
    fmt::print(stderr, "Simulation report saved to {}\n", f.output);
  }
  if (!f.per_request.empty()) write_text(f.per_request, per_request);
  return kOk;
}

}  // namespace

void add_simulate(CLI::App& app, Action& action) {
  auto f = std::make_shared<SimulateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Hit rates of finite KV caches with an eviction policy, one or several workers behind a "
      "router, or the lru hit rate of every capacity in one pass (docs/simulate.md)");
  cmd->add_option("file", f->input, "Mooncake JSONL trace, - for stdin")->required();
  cmd->add_option("-c,--capacity", f->capacity, "Blocks per worker");
  cmd->add_option("--capacity-sweep", f->capacity_sweep,
                  "Several capacities (blocks per worker), comma-separated: one run each")
      ->delimiter(',');
  cmd->add_flag("--curve", f->curve,
                "lru hit rate for every capacity in one pass (one worker, no timing)");
  cmd->add_option("--curve-points", f->curve_points,
                  "Capacities shown by --curve, log-spaced up to the distinct blocks; 0: all")
      ->capture_default_str();
  cmd->add_option("--gpu-mem", f->gpu_mem_gib,
                  "KV memory per worker in GiB: capacity = floor(GiB * 2^30 / "
                  "(kv-bytes-per-token * block size))");
  cmd->add_option("--kv-bytes-per-token", f->kv_bytes_per_token,
                  "The model's KV bytes per token: 2 * layers * kv_heads * head_dim * bytes "
                  "per value");
  cmd->add_option("-p,--policy", f->policies,
                  "Eviction policy: lru, lineage or fifo; a comma-separated list runs each")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("-w,--workers", f->workers, "Workers, each with its own cache")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 16));
  cmd->add_option("-r,--router", f->routers,
                  "round-robin, random, least-loaded or kv-aware; a comma-separated list runs "
                  "each")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--overlap-weight", f->overlap_weight,
                  "kv-aware: weight of the blocks to prefill against active blocks (Dynamo's "
                  "overlap_score_weight)")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Seed of the random router")->capture_default_str();
  cmd->add_flag("--timing", f->timing,
                "Requests start at their timestamps and pin their blocks until they end");
  cmd->add_option("--concurrency", f->concurrency,
                  "At most this many requests in flight (implies the timing model; without "
                  "--timing requests start as soon as a slot is free)");
  cmd->add_option("--prefill-tps", f->prefill_tps,
                  "Timing: prefill tokens/s of one request (uncached input only)")
      ->capture_default_str();
  cmd->add_option("--decode-tps", f->decode_tps, "Timing: output tokens/s of one request")
      ->capture_default_str();
  cmd->add_flag("--cache-output", f->cache_output,
                "Also cache the blocks each request's output fills (they take room)");
  cmd->add_option("-f,--format", f->format,
                  "table, json or csv. Default: table on a terminal, json otherwise")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("-o,--output", f->output,
                  "Also write the JSON report to this file (parent directories are created)");
  cmd->add_option("--per-request", f->per_request,
                  "Write each request's worker and hits as CSV to this file (one simulation)");
  f->reader.add_to(*cmd, true);
  cmd->callback([f, &action] { action = [f] { return run_simulate(*f); }; });
}

}  // namespace kvtrace::cli
