#include "kvtrace/cache/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "cache/report_text.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/json_writer.hpp"
#include "kvtrace/core/text_table.hpp"

namespace kvtrace::cache {
namespace {

void require_runs(std::span<const Run> runs) {
  if (runs.empty()) throw UsageError("a simulation report needs at least one run");
}

// The hit counts of a whole run or of one worker.
void write_tally(json::ObjectWriter& o, const Tally& t) {
  o.field("requests", t.requests);
  o.field("total_blocks", t.blocks);
  o.field("hit_blocks", t.hit_blocks);
  o.field("block_hit_rate", t.block_hit_rate());
  o.field("total_input_tokens", t.input_tokens);
  o.field("cached_input_tokens", t.hit_tokens);
  o.field("token_hit_rate", t.token_hit_rate());
}

void write_run(json::ObjectWriter& o, const Run& run, std::optional<std::uint64_t> kv) {
  const SimConfig& c = run.config;
  const SimResult& r = run.result;
  o.field("capacity_blocks", c.cache.capacity_blocks);
  if (kv) {
    const double gib = gib_of_blocks(c.cache.capacity_blocks, c.block_size, *kv);
    o.field("gib_per_worker", gib);
    o.field("gib_total", gib * c.workers);
  }
  o.field("policy", policy_name(c.cache.policy));
  o.field("workers", std::uint64_t{c.workers});
  o.field("router", router_name(c.router.kind));
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
  if (run.ideal) {
    o.field("ideal_block_hit_rate", run.ideal->block_hit_rate());
    o.field("ideal_token_hit_rate", run.ideal->token_hit_rate());
    o.field("block_share_of_ideal",
            share_of_ideal(r.total.block_hit_rate(), run.ideal->block_hit_rate()));
    o.field("token_share_of_ideal",
            share_of_ideal(r.total.token_hit_rate(), run.ideal->token_hit_rate()));
  }
  if (c.timing.enabled) {
    o.field("peak_in_flight", r.peak_in_flight);
    o.field("end_ms", r.end_ms);
  }
  trace::write_measured_cache(o, "server_measured", run.server_measured);
  o.object_array("per_worker", r.workers.size(), [&](json::ObjectWriter& ww, std::size_t w) {
    const WorkerResult& wr = r.workers[w];
    ww.field("worker", std::uint64_t{w});
    write_tally(ww, wr.tally);
    ww.field("inserted_blocks", wr.cache.inserted);
    ww.field("evicted_blocks", wr.cache.evicted);
    ww.field("dropped_blocks", wr.cache.dropped);
    ww.field("peak_active_blocks", wr.peak_active_blocks);
  });
}

// The token hit rate at `capacity` over the curve's ideal (its rate with room for every
// distinct block).
double curve_share(const HitCurve& c, std::uint64_t capacity) {
  return share_of_ideal(c.token_hit_rate(capacity), c.token_hit_rate(c.distinct_blocks));
}

// The smallest capacity at which lru reaches the token hit rate the server measured, when the
// server measured every request (else the rates cover different requests).
std::optional<std::uint64_t> server_rate_capacity(const HitCurve& c) {
  const trace::MeasuredCache& m = c.server_measured;
  if (m.requests == 0 || m.requests != c.requests) return std::nullopt;
  return c.capacity_for_token_rate(m.measured_rate());
}

}  // namespace

double gib_of_blocks(std::uint64_t blocks, std::uint32_t block_size,
                     std::uint64_t kv_bytes_per_token) {
  return static_cast<double>(blocks) * block_size * static_cast<double>(kv_bytes_per_token) /
         (1024.0 * 1024.0 * 1024.0);
}

[[noreturn]] void unknown_format(std::string_view format) {
  throw UsageError("format", fmt::format("expected table, json or csv, got \"{}\"", format));
}

std::string timing_text(const TimingConfig& t) {
  if (!t.enabled) return "none";
  std::string s = t.use_timestamps ? "timestamps" : "closed loop";
  if (t.concurrency > 0) s += fmt::format(", concurrency {}", t.concurrency);
  return s + fmt::format(", prefill {} tok/s, decode {} tok/s", t.prefill_tokens_per_s,
                         t.decode_tokens_per_s);
}

std::string_view timing_kind(const TimingConfig& t) {
  if (!t.enabled) return "none";
  return t.use_timestamps ? "timestamps" : "closed-loop";
}

double share_of_ideal(double rate, double ideal) {
  return ideal > 0 ? rate / ideal : 1.0;
}

std::string csv_cell(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string runs_table(std::string_view source, std::span<const Run> runs,
                       std::optional<std::uint64_t> kv) {
  require_runs(runs);
  const SimConfig& first = runs.front().config;
  const Tally& t = runs.front().result.total;
  std::string out = fmt::format(
      "kvtrace simulate: {}\n{} requests, {} blocks of {} tokens, {} input tokens\n"
      "workers {}, timing: {}{}\n\n",
      source, t.requests, t.blocks, first.block_size, t.input_tokens, first.workers,
      timing_text(first.timing), first.cache_output ? ", output blocks cached" : "");
  const trace::MeasuredCache& measured = runs.front().server_measured;
  if (measured.any()) {
    out += fmt::format(
        "server-measured token hit rate {:.4f} (cached_tokens of {} requests); server/sim: the "
        "share of each run's cached tokens on those requests that the server reached\n\n",
        measured.measured_rate(), measured.requests);
  }
  const bool ideal =
      std::ranges::all_of(runs, [](const Run& run) { return run.ideal.has_value(); });
  if (kv) {
    out += fmt::format("GiB: KV memory per worker at {} bytes per token (x {} workers in all)\n",
                       *kv, first.workers);
  }
  if (ideal) {
    out += "of ideal: the token hit rate's share of the same settings' with unlimited capacity\n";
  }
  if (kv || ideal) out += '\n';
  out += fmt::format("{:>12}  ", "capacity");
  if (kv) out += fmt::format("{:>9}  ", "GiB");
  out += fmt::format("{:<8} {:<13} {:>9} {:>9} ", "policy", "router", "block hit", "token hit");
  if (ideal) out += fmt::format("{:>8} ", "of ideal");
  out += fmt::format("{:>12} {:>10} {:>8}", "evicted", "dropped", "balance");
  out += measured.any() ? fmt::format(" {:>10}\n", "server/sim") : "\n";
  for (const Run& run : runs) {
    const SimConfig& c = run.config;
    const SimResult& r = run.result;
    out += fmt::format("{:>12}  ", c.cache.capacity_blocks);
    if (kv)
      out += fmt::format("{:>9.2f}  ", gib_of_blocks(c.cache.capacity_blocks, c.block_size, *kv));
    out +=
        fmt::format("{:<8} {:<13} {:>9.4f} {:>9.4f} ", policy_name(c.cache.policy),
                    router_name(c.router.kind), r.total.block_hit_rate(), r.total.token_hit_rate());
    if (ideal) {
      out += fmt::format("{:>7.1f}% ", 100 * share_of_ideal(r.total.token_hit_rate(),
                                                            run.ideal->token_hit_rate()));
    }
    out += fmt::format("{:>12} {:>10} {:>8.3f}", r.evicted, r.dropped, r.load_balance);
    out +=
        measured.any() ? fmt::format(" {:>10.4f}\n", run.server_measured.achieved_share()) : "\n";
    if (r.workers.size() > 1) {
      std::string rates;
      for (const WorkerResult& w : r.workers) {
        rates += fmt::format(" {:.4f}", w.tally.block_hit_rate());
      }
      out += fmt::format("{:>14}block hit by worker:{}\n", "", rates);
    }
  }
  return out;
}

std::string runs_json(std::string_view source, std::span<const Run> runs,
                      std::optional<std::uint64_t> kv) {
  require_runs(runs);
  std::string out;
  json::ObjectWriter o(out, 0);
  o.field("input", source);
  o.field("block_size", std::uint64_t{runs.front().config.block_size});
  o.object_array("runs", runs.size(),
                 [&](json::ObjectWriter& r, std::size_t i) { write_run(r, runs[i], kv); });
  o.close();
  out += "\n";
  return out;
}

std::string runs_csv(std::span<const Run> runs, std::optional<std::uint64_t> kv) {
  require_runs(runs);
  // One value per column: the timing model's parts, and a column per worker.
  std::uint32_t workers = 0;
  for (const Run& run : runs) workers = std::max(workers, run.config.workers);
  const bool ideal =
      std::ranges::all_of(runs, [](const Run& run) { return run.ideal.has_value(); });
  std::string out = kv ? "capacity_blocks,gib_per_worker,gib_total," : "capacity_blocks,";
  out +=
      "policy,workers,router,overlap_score_weight,timing,concurrency,"
      "prefill_tokens_per_s,decode_tokens_per_s,cache_output,requests,total_blocks,hit_blocks,"
      "block_hit_rate,total_input_tokens,cached_input_tokens,token_hit_rate,evicted_blocks,"
      "dropped_blocks,load_balance,";
  if (ideal) {
    out += "ideal_block_hit_rate,ideal_token_hit_rate,block_share_of_ideal,token_share_of_ideal,";
  }
  for (std::uint32_t w = 0; w < workers; ++w) out += fmt::format("worker{}_block_hit_rate,", w);
  out += "server_measured_requests,server_measured_token_hit_rate,server_achieved_share\n";
  for (const Run& run : runs) {
    const SimConfig& c = run.config;
    const SimResult& r = run.result;
    const TimingConfig& t = c.timing;
    out += fmt::format("{},", c.cache.capacity_blocks);
    if (kv) {
      const double gib = gib_of_blocks(c.cache.capacity_blocks, c.block_size, *kv);
      out += fmt::format("{},{},", json::format_double(gib), json::format_double(gib * c.workers));
    }
    out += fmt::format("{},{},{},{},{},", policy_name(c.cache.policy), c.workers,
                       router_name(c.router.kind),
                       json::format_double(c.router.overlap_score_weight), timing_kind(t));
    out += t.enabled ? fmt::format("{},{},{},", t.concurrency,
                                   json::format_double(t.prefill_tokens_per_s),
                                   json::format_double(t.decode_tokens_per_s))
                     : ",,,";
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},", c.cache_output ? "true" : "false",
                       r.total.requests, r.total.blocks, r.total.hit_blocks,
                       json::format_double(r.total.block_hit_rate()), r.total.input_tokens,
                       r.total.hit_tokens, json::format_double(r.total.token_hit_rate()), r.evicted,
                       r.dropped, json::format_double(r.load_balance));
    if (ideal) {
      const Tally& i = *run.ideal;
      out += fmt::format(
          "{},{},{},{},", json::format_double(i.block_hit_rate()),
          json::format_double(i.token_hit_rate()),
          json::format_double(share_of_ideal(r.total.block_hit_rate(), i.block_hit_rate())),
          json::format_double(share_of_ideal(r.total.token_hit_rate(), i.token_hit_rate())));
    }
    for (std::uint32_t w = 0; w < workers; ++w) {
      if (w < r.workers.size()) out += json::format_double(r.workers[w].tally.block_hit_rate());
      out += ',';
    }
    const trace::MeasuredCache& m = run.server_measured;
    out += m.any() ? fmt::format("{},{},{}\n", m.requests, json::format_double(m.measured_rate()),
                                 json::format_double(m.achieved_share()))
                   : ",,\n";
  }
  return out;
}

std::string render_runs(std::string_view format, std::string_view source, std::span<const Run> runs,
                        std::optional<std::uint64_t> kv) {
  if (format == "table") return runs_table(source, runs, kv);
  if (format == "json") return runs_json(source, runs, kv);
  if (format == "csv") return runs_csv(runs, kv);
  unknown_format(format);
}

std::string load_term_note(const SweepOptions& o) {
  if (o.base.workers <= 1 || o.base.timing.enabled ||
      std::none_of(o.routers.begin(), o.routers.end(), routes_by_load)) {
    return "";
  }
  return "kvtrace: note: without the timing model or a concurrency limit no request is in flight, "
         "so the "
         "routers' load term is 0 (kv-aware sends each request to the longest cached prefix; "
         "ties go to the worker with the fewest blocks so far)\n";
}

std::vector<std::uint64_t> curve_capacities(std::uint64_t distinct, std::uint32_t points) {
  if (distinct == 0) return {0};
  std::vector<std::uint64_t> out;
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

std::string curve_table(std::string_view source, const HitCurve& c, std::uint32_t points,
                        const CurveScope& scope) {
  const std::string where =
      scope.workers == 1
          ? fmt::format("{} on one worker", policy_name(scope.policy))
          : fmt::format("{} on each of {} workers behind {}; capacity per worker",
                        policy_name(scope.policy), scope.workers, router_name(scope.router));
  std::string out = fmt::format(
      "kvtrace simulate --curve: {}\n{} requests, {} blocks of {} tokens, {} distinct; {}\n"
      "of ideal: the token hit rate's share of the one with room for every distinct block\n\n"
      "{:>12} {:>10} {:>10} {:>9}\n",
      source, c.requests, c.total_blocks, c.block_size, c.distinct_blocks, where, "capacity",
      "block hit", "token hit", "of ideal");
  for (const std::uint64_t cap : curve_capacities(c.distinct_blocks, points)) {
    out += fmt::format("{:>12} {:>10.4f} {:>10.4f} {:>8.1f}%\n", cap, c.block_hit_rate(cap),
                       c.token_hit_rate(cap), 100 * curve_share(c, cap));
  }
  const trace::MeasuredCache& m = c.server_measured;
  if (!m.any()) return out;
  out += fmt::format(
      "\nserver-measured token hit rate {:.4f} (cached_tokens of {} of {} requests); an "
      "infinite cache gives those requests {:.4f}\n",
      m.measured_rate(), m.requests, c.requests, m.predicted_rate());
  if (const auto cap = server_rate_capacity(c)) {
    out +=
        scope.workers == 1
            ? fmt::format("lru on one worker reaches the server's rate at {} blocks\n", *cap)
            : fmt::format("lru on {} workers reaches the server's rate at {} blocks per worker\n",
                          scope.workers, *cap);
  }
  return out;
}

std::string curve_json(std::string_view source, const HitCurve& c, std::uint32_t points,
                       const CurveScope& scope) {
  const std::vector<std::uint64_t> capacities = curve_capacities(c.distinct_blocks, points);
  std::string out;
  json::ObjectWriter o(out, 0);
  o.field("input", source);
  o.field("block_size", std::uint64_t{c.block_size});
  o.field("policy", policy_name(scope.policy));
  if (scope.workers > 1) {
    // Capacities are per worker; the hits and rates are the cluster's.
    o.field("workers", std::uint64_t{scope.workers});
    o.field("router", router_name(scope.router));
  }
  o.field("requests", c.requests);
  o.field("total_blocks", c.total_blocks);
  o.field("distinct_blocks", c.distinct_blocks);
  o.field("total_input_tokens", c.total_input_tokens);
  trace::write_measured_cache(o, "server_measured", c.server_measured);
  if (const auto cap = server_rate_capacity(c)) {
    o.field("lru_capacity_at_server_rate", *cap);
  } else {
    o.null_field("lru_capacity_at_server_rate");
  }
  o.object_array("curve", capacities.size(), [&](json::ObjectWriter& p, std::size_t i) {
    const std::uint64_t cap = capacities[i];
    p.field("capacity_blocks", cap);
    p.field("hit_blocks", c.blocks_at(cap));
    p.field("block_hit_rate", c.block_hit_rate(cap));
    p.field("cached_input_tokens", c.tokens_at(cap));
    p.field("token_hit_rate", c.token_hit_rate(cap));
    p.field("token_share_of_ideal", curve_share(c, cap));
  });
  o.close();
  out += "\n";
  return out;
}

std::string curve_csv(const HitCurve& c, std::uint32_t points) {
  std::string out =
      "capacity_blocks,hit_blocks,block_hit_rate,cached_input_tokens,token_hit_rate,"
      "token_share_of_ideal\n";
  for (const std::uint64_t cap : curve_capacities(c.distinct_blocks, points)) {
    out += fmt::format("{},{},{},{},{},{}\n", cap, c.blocks_at(cap),
                       json::format_double(c.block_hit_rate(cap)), c.tokens_at(cap),
                       json::format_double(c.token_hit_rate(cap)),
                       json::format_double(curve_share(c, cap)));
  }
  return out;
}

std::string render_curve(std::string_view format, std::string_view source, const HitCurve& curve,
                         std::uint32_t points, const CurveScope& scope) {
  if (format == "table") return curve_table(source, curve, points, scope);
  if (format == "json") return curve_json(source, curve, points, scope);
  if (format == "csv") return curve_csv(curve, points);
  unknown_format(format);
}

std::string render_tiers(std::string_view format, std::string_view source,
                         std::span<const TierSpec> specs, const TiersAnswer& a, const HitCurve& c,
                         const CurveScope& scope, std::optional<std::uint64_t> kv,
                         std::optional<double> prefill_tps) {
  const bool exact_split = c.other_parent_uses == 0;
  std::uint64_t all_capacity = 0;
  for (const TierResult& t : a.tiers) all_capacity += t.capacity_blocks;
  const auto gib = [&](std::uint64_t blocks) -> std::optional<double> {
    if (!kv) return std::nullopt;
    return gib_of_blocks(blocks, c.block_size, *kv);
  };
  if (format == "table") {
    std::string out = fmt::format(
        "kvtrace simulate --tier: {}\n{} requests, {} distinct blocks of {} tokens; lru tiers {} "
        "(one-pass curve: exact{})\n",
        source, c.requests, c.distinct_blocks, c.block_size,
        scope.workers == 1 ? std::string("on one worker")
                           : fmt::format("on each of {} workers behind {}; capacity per worker",
                                         scope.workers, router_name(scope.router)),
        exact_split ? "" : " in all");
    if (!exact_split) {
      out += fmt::format(
          "note: {} block uses follow another parent than their id's first, so the split "
          "between tiers is approximate (their total is exact; docs/simulate.md)\n",
          c.other_parent_uses);
    }
    if (kv && prefill_tps) {
      out += fmt::format(
          "prefill saved: each hit token not recomputed at {} tokens/s, less reading its {} KV "
          "bytes at the tier's GB/s\n",
          *prefill_tps, *kv);
    }
    out += fmt::format("\n{:<10} {:>12} {:>10} {:>9} {:>10} {:>10} {:>16}\n", "tier", "capacity",
                       "GiB", "read GB/s", "block hit", "token hit", "prefill s saved");
    const auto row = [&](std::string_view name, std::uint64_t cap, std::optional<double> bw,
                         double block, double token, std::optional<double> saved) {
      const auto g = gib(cap);
      return fmt::format("{:<10} {:>12} {:>10} {:>9} {:>10.4f} {:>10.4f} {:>16}\n", name, cap,
                         g ? fmt::format("{:.2f}", *g) : "", bw ? fmt::format("{}", *bw) : "",
                         block, token, saved ? fmt::format("{:.1f}", *saved) : "");
    };
    for (std::size_t i = 0; i < a.tiers.size(); ++i) {
      const TierResult& t = a.tiers[i];
      out +=
          row(t.name, t.capacity_blocks, i < specs.size() ? specs[i].read_gb_per_s : std::nullopt,
              t.block_hit_rate, t.token_hit_rate, t.prefill_seconds_saved);
    }
    out += row("all", all_capacity, std::nullopt, a.block_hit_rate, a.token_hit_rate,
               a.prefill_seconds_saved);
    return out;
  }
  if (format == "json") {
    std::string out;
    json::ObjectWriter o(out, 0);
    o.field("input", source);
    o.field("block_size", std::uint64_t{c.block_size});
    o.field("policy", "lru");
    o.field("workers", std::uint64_t{scope.workers});
    o.field("router", router_name(scope.router));
    o.field("requests", c.requests);
    o.field("distinct_blocks", c.distinct_blocks);
    o.bool_field("split_exact", exact_split);
    o.field("other_parent_uses", c.other_parent_uses);
    if (kv) o.field("kv_bytes_per_token", *kv);
    if (prefill_tps) o.field("prefill_tokens_per_s", *prefill_tps);
    const auto write = [&](json::ObjectWriter& w, std::string_view name, std::uint64_t cap,
                           std::uint64_t blocks, std::uint64_t tokens, double block_rate,
                           double token_rate, std::optional<double> saved) {
      w.field("tier", name);
      w.field("capacity_blocks", cap);
      if (const auto g = gib(cap)) w.field("gib_per_worker", *g);
      w.field("hit_blocks", blocks);
      w.field("cached_tokens", tokens);
      w.field("block_hit_rate", block_rate);
      w.field("token_hit_rate", token_rate);
      if (saved) {
        w.field("prefill_seconds_saved", *saved);
      } else {
        w.null_field("prefill_seconds_saved");
      }
    };
    o.object_array("tiers", a.tiers.size(), [&](json::ObjectWriter& w, std::size_t i) {
      const TierResult& t = a.tiers[i];
      if (i < specs.size() && specs[i].read_gb_per_s) {
        w.field("read_gb_per_s", *specs[i].read_gb_per_s);
      }
      write(w, t.name, t.capacity_blocks, t.hit_blocks, t.cached_tokens, t.block_hit_rate,
            t.token_hit_rate, t.prefill_seconds_saved);
    });
    json::ObjectWriter all = o.object("all");
    write(all, "all", all_capacity, a.total_hit_blocks, a.total_cached_tokens, a.block_hit_rate,
          a.token_hit_rate, a.prefill_seconds_saved);
    all.close();
    o.close();
    return out + "\n";
  }
  if (format == "csv") {
    std::string out =
        "tier,capacity_blocks,gib_per_worker,hit_blocks,cached_tokens,block_hit_rate,"
        "token_hit_rate,prefill_seconds_saved\n";
    const auto row = [&](std::string_view name, std::uint64_t cap, std::uint64_t blocks,
                         std::uint64_t tokens, double block_rate, double token_rate,
                         std::optional<double> saved) {
      const auto g = gib(cap);
      return fmt::format("{},{},{},{},{},{},{},{}\n", csv_cell(name), cap,
                         g ? json::format_double(*g) : "", blocks, tokens,
                         json::format_double(block_rate), json::format_double(token_rate),
                         saved ? json::format_double(*saved) : "");
    };
    for (const TierResult& t : a.tiers) {
      out += row(t.name, t.capacity_blocks, t.hit_blocks, t.cached_tokens, t.block_hit_rate,
                 t.token_hit_rate, t.prefill_seconds_saved);
    }
    out += row("all", all_capacity, a.total_hit_blocks, a.total_cached_tokens, a.block_hit_rate,
               a.token_hit_rate, a.prefill_seconds_saved);
    return out;
  }
  unknown_format(format);
}

PerRequestCsv::PerRequestCsv(bool timing)
    : timing_(timing),
      text_(timing ? "line,worker,blocks,hit_blocks,input_tokens,cached_input_tokens,start_ms,"
                     "end_ms\n"
                   : "line,worker,blocks,hit_blocks,input_tokens,cached_input_tokens\n") {}

void PerRequestCsv::add(std::uint64_t line, const RequestResult& r) {
  text_ += fmt::format("{},{},{},{},{},{}", line, r.worker, r.blocks, r.hit_blocks, r.input_tokens,
                       r.hit_tokens);
  text_ += timing_ ? fmt::format(",{},{}\n", json::format_double(r.start_ms),
                                 json::format_double(r.end_ms))
                   : "\n";
}

}  // namespace kvtrace::cache
