#include "kvtrace/cache/target_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "cache/report_text.hpp"
#include "kvtrace/core/json_writer.hpp"
#include "kvtrace/core/text_table.hpp"

namespace kvtrace::cache {
namespace {

// What the answer's capacity is in tokens and memory.
struct CapacityTerms {
  std::uint64_t blocks = 0;
  std::uint64_t tokens = 0;
  std::optional<double> gib_per_worker;
  std::optional<double> gib_total;
};

CapacityTerms capacity_terms(std::uint64_t blocks, std::uint32_t block_size, std::uint32_t workers,
                             std::optional<std::uint64_t> kv_bytes) {
  CapacityTerms t;
  t.blocks = blocks;
  t.tokens = blocks * block_size;
  if (kv_bytes) {
    t.gib_per_worker = gib_of_blocks(blocks, block_size, *kv_bytes);
    t.gib_total = *t.gib_per_worker * workers;
  }
  return t;
}

// What both answers have: the settings asked about, the answer and the rates at it.
struct Common {
  std::string_view source;
  const TargetAnswer& a;
  SimConfig setting;  // its capacity unused
  std::uint32_t block_size = 512;
  double block_rate = 0;  // at the answer
  double token_rate = 0;
  std::optional<std::uint64_t> kv_bytes;
};

std::string setting_text(const SimConfig& s) {
  std::string out = s.workers == 1 ? fmt::format("{} on one worker", policy_name(s.cache.policy))
                                   : fmt::format("{} on each of {} workers behind {}",
                                                 policy_name(s.cache.policy), s.workers,
                                                 router_name(s.router.kind));
  if (s.timing.enabled) out += "; timing: " + timing_text(s.timing);
  if (s.cache_output) out += "; output blocks cached";
  return out;
}

// The target, answer and reaches lines of the table.
std::string answer_lines(const Common& c, std::uint64_t ideal_capacity) {
  const TargetAnswer& a = c.a;
  const std::string_view metric = metric_name(a.target.metric);
  std::string out =
      a.target.of_ideal
          ? fmt::format("target:  {} hit rate >= {:.1f}% of the ideal {:.4f} = {:.4f}\n", metric,
                        100 * *a.target.of_ideal, a.ideal, a.goal)
          : fmt::format("target:  {} hit rate >= {:.4f} (the ideal is {:.4f})\n", metric, a.goal,
                        a.ideal);
  if (!a.capacity) {
    return out + fmt::format(
                     "answer:  no capacity reaches it; with room for every distinct block ({} per "
                     "worker) the {} hit rate is {:.4f}\n",
                     ideal_capacity, metric, a.ideal);
  }
  const CapacityTerms t = capacity_terms(*a.capacity, c.block_size, c.setting.workers, c.kv_bytes);
  out += fmt::format("answer:  {} blocks per worker = {} tokens", core::grouped_int(t.blocks),
                     core::grouped_int(t.tokens));
  if (t.gib_per_worker) {
    out += fmt::format(" = {:.2f} GiB per worker", *t.gib_per_worker);
    if (c.setting.workers > 1) out += fmt::format(", {:.2f} GiB in all", *t.gib_total);
    out += fmt::format(" (at {} KV bytes per token)", *c.kv_bytes);
  }
  out += '\n';
  out += fmt::format(
      "reaches: {} hit rate {:.4f} ({:.1f}% of the ideal); block hit rate {:.4f}, token hit "
      "rate {:.4f}\n",
      metric, a.rate, 100 * share_of_ideal(a.rate, a.ideal), c.block_rate, c.token_rate);
  return out;
}

// One field of the answer: its JSON value and its CSV cell.
struct Field {
  std::string key;
  std::string json;
  std::string cell;
};

class Fields {
 public:
  void text(std::string key, std::string_view v) {
    std::string quoted;
    json::append_string(quoted, v);
    f_.push_back({std::move(key), quoted, csv_cell(v)});
  }
  void number(std::string key, std::optional<double> v) {
    const std::string t = v ? json::format_double(*v) : "null";
    f_.push_back({std::move(key), t, v ? t : ""});
  }
  void integer(std::string key, std::optional<std::uint64_t> v) {
    const std::string t = v ? std::to_string(*v) : "null";
    f_.push_back({std::move(key), t, v ? t : ""});
  }
  void boolean(std::string key, bool v) {
    f_.push_back({std::move(key), v ? "true" : "false", v ? "true" : "false"});
  }
  // The fields as a JSON object; `more` writes members after them (not in the CSV).
  std::string json(const std::function<void(json::ObjectWriter&)>& more = {}) const {
    std::string out;
    json::ObjectWriter o(out, 0);
    for (const Field& field : f_) {
      o.key(field.key);
      out += field.json;
    }
    if (more) more(o);
    o.close();
    return out + "\n";
  }
  std::string csv() const {
    std::string header;
    std::string row;
    for (std::size_t i = 0; i < f_.size(); ++i) {
      if (i > 0) {
        header += ',';
        row += ',';
      }
      header += f_[i].key;
      row += f_[i].cell;
    }
    return header + "\n" + row + "\n";
  }

 private:
  std::vector<Field> f_;
};

// The settings' and the answer's fields, in order.
void answer_fields(Fields& f, const Common& c, std::string_view method) {
  const SimConfig& s = c.setting;
  f.text("input", c.source);
  f.text("policy", policy_name(s.cache.policy));
  f.integer("workers", s.workers);
  f.text("router", router_name(s.router.kind));
  f.text("method", method);
  f.integer("block_size", c.block_size);
}

void target_fields(Fields& f, const Common& c) {
  const TargetAnswer& a = c.a;
  f.text("metric", metric_name(a.target.metric));
  f.number("target_hit_rate", a.target.rate);
  f.number("target_of_ideal", a.target.of_ideal);
  f.number("ideal", a.ideal);
  f.number("goal", a.goal);
  f.boolean("reached", a.capacity.has_value());
  std::optional<CapacityTerms> t;
  if (a.capacity) t = capacity_terms(*a.capacity, c.block_size, c.setting.workers, c.kv_bytes);
  const auto at = [&](double v) { return a.capacity ? std::optional(v) : std::nullopt; };
  f.integer("capacity_blocks", t ? std::optional(t->blocks) : std::nullopt);
  f.integer("capacity_tokens", t ? std::optional(t->tokens) : std::nullopt);
  f.integer("kv_bytes_per_token", c.kv_bytes);
  f.number("gib_per_worker", t ? t->gib_per_worker : std::nullopt);
  f.number("gib_total", t ? t->gib_total : std::nullopt);
  f.number("rate", at(a.rate));
  f.number("share_of_ideal", at(share_of_ideal(a.rate, a.ideal)));
  f.number("block_hit_rate", at(c.block_rate));
  f.number("token_hit_rate", at(c.token_rate));
}

std::string render(std::string_view format, const Fields& f, const std::string& table,
                   const std::function<void(json::ObjectWriter&)>& more_json = {}) {
  if (format == "table") return table;
  if (format == "json") return f.json(more_json);
  if (format == "csv") return f.csv();
  unknown_format(format);
}

// The sweep's table lines after the answer: how close it is, the seeds, the dips, the probes.
std::string sweep_lines(const SweepTargetAnswer& s, const SimConfig& base) {
  const TargetAnswer& a = s.answer;
  std::string out;
  if (a.capacity) {
    const std::uint64_t gap = *a.capacity - s.below;
    out += s.below == 0 ? "exact:   the smallest capacity there is\n"
           : gap == 1   ? "exact:   one block less misses the target\n"
                        : fmt::format(
                              "within:  {} blocks ({} blocks per worker misses the "
                                "target; --tolerance sets how close)\n",
                              core::grouped_int(gap), core::grouped_int(s.below));
  }
  const std::size_t seeds = s.seed_capacities.size();
  if (seeds > 1 && a.capacity) {
    std::uint64_t lo = UINT64_MAX;
    std::uint64_t hi = 0;
    std::size_t none = 0;
    for (const auto& c : s.seed_capacities) {
      if (!c) {
        ++none;
        continue;
      }
      lo = std::min(lo, *c);
      hi = std::max(hi, *c);
    }
    const auto probe = std::ranges::find(s.probes, *a.capacity, &Probe::capacity);
    out += fmt::format("seeds:   {} (router seeds {} to {}): ", seeds, base.router.seed,
                       base.router.seed + seeds - 1);
    if (none < seeds) {
      out += fmt::format("each seed's answer from {} to {} blocks per worker",
                         core::grouped_int(lo), core::grouped_int(hi));
    }
    if (none > 0) out += fmt::format("{}{} never reach it", none < seeds ? "; " : "", none);
    out += fmt::format("; at the answer the rate spans {:.4f} to {:.4f}\n", probe->min(),
                       probe->max());
  }
  if (s.dips.empty()) {
    out += fmt::format("monotone: the rate never fell as capacity grew, over {} probes\n",
                       s.probes.size());
  } else {
    const auto [x, y] = s.dips.front();
    const auto at = [&](std::uint64_t c) {
      return std::ranges::find(s.probes, c, &Probe::capacity)->mean();
    };
    out += fmt::format(
        "not monotone: the rate fell as capacity grew at {} of {} probes (first from {} to {} "
        "blocks: {:.4f} to {:.4f}); the answer is the smallest probed capacity from which every "
        "larger probe reaches the target, and a capacity between probes could still miss it\n",
        s.dips.size(), s.probes.size(), core::grouped_int(x), core::grouped_int(y), at(x), at(y));
  }
  out +=
      fmt::format("\n    capacity  {:>9}{}\n", fmt::format("{} hit", metric_name(a.target.metric)),
                  seeds > 1 ? "        min        max" : "");
  for (const Probe& p : s.probes) {
    out += fmt::format("{:>12}  {:>9.4f}", p.capacity, p.mean());
    if (seeds > 1) out += fmt::format("  {:>9.4f}  {:>9.4f}", p.min(), p.max());
    out += p.capacity == a.capacity ? "  <- answer\n" : "\n";
  }
  return out;
}

}  // namespace

std::string render_target(std::string_view format, std::string_view source,
                          const TargetAnswer& answer, const HitCurve& curve,
                          const CurveScope& scope, std::optional<std::uint64_t> kv_bytes) {
  Common c{.source = source, .a = answer, .block_size = curve.block_size, .kv_bytes = kv_bytes};
  c.setting.workers = scope.workers;
  c.setting.router.kind = scope.router;
  if (answer.capacity) {
    c.block_rate = curve.block_hit_rate(*answer.capacity);
    c.token_rate = curve.token_hit_rate(*answer.capacity);
  }
  Fields f;
  answer_fields(f, c, "one-pass curve");
  f.integer("distinct_blocks", curve.distinct_blocks);
  target_fields(f, c);
  const std::string table =
      fmt::format(
          "kvtrace simulate: {}\n{} requests, {} distinct blocks of {} tokens; {} "
          "(one-pass curve: exact)\n\n",
          source, curve.requests, curve.distinct_blocks, curve.block_size,
          setting_text(c.setting)) +
      answer_lines(c, curve.distinct_blocks);
  return render(format, f, table);
}

std::string render_sweep_target(std::string_view format, std::string_view source,
                                const SweepTargetAnswer& s, const SimConfig& base,
                                std::optional<std::uint64_t> kv_bytes) {
  Common c{.source = source,
           .a = s.answer,
           .setting = base,
           .block_size = base.block_size,
           .kv_bytes = kv_bytes};
  const auto probe = s.answer.capacity
                         ? std::ranges::find(s.probes, *s.answer.capacity, &Probe::capacity)
                         : s.probes.end();
  if (probe != s.probes.end()) {
    c.block_rate = probe->block_hit_rate;
    c.token_rate = probe->token_hit_rate;
  }
  Fields f;
  answer_fields(f, c, "sweep");
  f.integer("ideal_capacity_blocks", s.ideal_capacity);
  const TimingConfig& t = base.timing;
  f.number("overlap_score_weight", base.router.overlap_score_weight);
  f.text("timing", timing_kind(t));
  f.integer("concurrency", t.enabled ? std::optional<std::uint64_t>(t.concurrency) : std::nullopt);
  f.number("prefill_tokens_per_s",
           t.enabled ? std::optional(t.prefill_tokens_per_s) : std::nullopt);
  f.number("decode_tokens_per_s", t.enabled ? std::optional(t.decode_tokens_per_s) : std::nullopt);
  f.boolean("cache_output", base.cache_output);
  target_fields(f, c);
  f.integer("below_blocks", s.answer.capacity ? std::optional(s.below) : std::nullopt);
  f.integer("seeds", s.seed_capacities.size());
  f.integer("first_seed", base.router.seed);
  std::optional<std::uint64_t> lo;
  std::optional<std::uint64_t> hi;
  for (const auto& sc : s.seed_capacities) {
    if (!sc) continue;
    lo = std::min(lo.value_or(*sc), *sc);
    hi = std::max(hi.value_or(*sc), *sc);
  }
  f.integer("seed_capacity_min", lo);
  f.integer("seed_capacity_max", hi);
  f.number("rate_min", probe != s.probes.end() ? std::optional(probe->min()) : std::nullopt);
  f.number("rate_max", probe != s.probes.end() ? std::optional(probe->max()) : std::nullopt);
  f.boolean("monotone", s.dips.empty());
  f.integer("dips", s.dips.size());
  f.integer("probes", s.probes.size());
  f.integer("simulations", s.simulations);
  const auto probes = [&](json::ObjectWriter& o) {
    o.object_array("probe_rates", s.probes.size(), [&](json::ObjectWriter& w, std::size_t i) {
      const Probe& p = s.probes[i];
      w.field("capacity_blocks", p.capacity);
      w.field("rate", p.mean());
      w.field("rate_min", p.min());
      w.field("rate_max", p.max());
      w.field("block_hit_rate", p.block_hit_rate);
      w.field("token_hit_rate", p.token_hit_rate);
    });
  };
  const std::string table =
      fmt::format(
          "kvtrace simulate: {}\n{} requests, {} blocks of {} tokens; {}\n"
          "method:  sweep: {} simulations (the ideal, a log grid, {} rounds of "
          "refinement), not a curve: the rate may fall as capacity grows\n\n",
          source, s.requests, s.total_blocks, base.block_size, setting_text(base), s.simulations,
          s.rounds) +
      answer_lines(c, s.ideal_capacity) + sweep_lines(s, base);
  return render(format, f, table, probes);
}

}  // namespace kvtrace::cache
