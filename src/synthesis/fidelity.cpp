#include "kvtrace/synthesis/fidelity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "kvtrace/analysis/report.hpp"
#include "kvtrace/core/json_writer.hpp"
#include "kvtrace/core/text_table.hpp"
#include "kvtrace/stats/distance.hpp"
#include "kvtrace/stats/metric_stats.hpp"

namespace kvtrace::synthesis {
namespace {

template <typename T>
std::optional<Distance> distance(std::span<const T> a, std::span<const T> b) {
  if (a.empty() || b.empty()) return std::nullopt;
  return Distance{stats::ks_statistic(a, b), stats::wasserstein_1(a, b)};
}

std::optional<double> rate(std::uint64_t requests, std::optional<double> duration_ms) {
  if (!duration_ms || *duration_ms <= 0) return std::nullopt;
  return static_cast<double>(requests) / (*duration_ms / 1000.0);
}

std::string cell(std::optional<double> v, int decimals = 2) {
  return v ? core::format_grouped(*v, decimals) : "-";
}

void write_optional(json::ObjectWriter& o, std::string_view key, std::optional<double> v) {
  if (v) {
    o.field(key, *v);
  } else {
    o.null_field(key);
  }
}

void write_profile(json::ObjectWriter& parent, std::string_view key, const TraceProfile& p) {
  json::ObjectWriter o = parent.object(key);
  o.field("requests", p.stats.total_requests);
  write_optional(o, "duration_ms", p.duration_ms);
  write_optional(o, "rate_per_s", p.rate_per_s);
  o.field("cache_hit_rate", p.stats.cache_hit_rate);
  o.field("block_hit_rate", p.stats.block_hit_rate);
  o.field("token_hit_rate", p.stats.token_hit_rate);
  o.field("num_prefix_groups", p.stats.num_prefix_groups);
  o.field("unique_prefixes", p.stats.unique_prefixes);
  analysis::write_metric_stats(o, "isl_stats", p.stats.isl_stats);
  analysis::write_metric_stats(o, "osl_stats", p.stats.osl_stats);
  analysis::write_metric_stats(o, "context_length_stats", p.stats.context_length_stats);
  analysis::write_metric_stats(o, "unique_prompt_length_stats", p.stats.unique_prompt_length_stats);
  analysis::write_metric_stats(o, "hit_rate_stats", p.stats.hit_rate_stats);
  o.close();
}

void write_distance(json::ObjectWriter& parent, std::string_view key,
                    const std::optional<Distance>& d) {
  if (!d) {
    parent.null_field(key);
    return;
  }
  json::ObjectWriter o = parent.object(key);
  o.field("ks", d->ks);
  o.field("wasserstein_1", d->wasserstein_1);
  o.close();
}

}  // namespace

TraceProfile profile_trace(std::span<const trace::Request> requests, std::uint32_t block_size) {
  analysis::PrefixAnalyzer analyzer(block_size);
  std::optional<double> first, last;
  for (const trace::Request& r : requests) {
    analyzer.add(r);
    if (r.timestamp) {
      const double ts = r.timestamp->value();
      first = first ? std::min(*first, ts) : ts;
      last = last ? std::max(*last, ts) : ts;
    }
  }
  TraceProfile p;
  p.stats = analyzer.finish();
  if (first) p.duration_ms = *last - *first;
  p.rate_per_s = rate(p.stats.total_requests, p.duration_ms);
  p.isl = analyzer.input_lengths();
  p.osl = analyzer.output_lengths();
  p.hit_rates = analyzer.hit_rates();
  return p;
}

FidelityReport compare_traces(TraceProfile input, TraceProfile output, const SynthesisParams* knobs,
                              std::optional<std::uint64_t> generated) {
  FidelityReport r;
  r.isl = distance<std::int64_t>(input.isl, output.isl);
  r.osl = distance<std::int64_t>(input.osl, output.osl);
  r.hit_rate = distance<double>(input.hit_rates, output.hit_rates);
  if (knobs != nullptr) {
    Expected e;
    e.requests = knobs->max_isl
                     ? static_cast<std::uint64_t>(std::ranges::count_if(
                           input.isl, [&](std::int64_t l) { return l <= *knobs->max_isl; }))
                     : input.isl.size();
    // Sample mode repeats the input's traffic pattern for as many requests as asked.
    const double scale = generated && !input.isl.empty() ? static_cast<double>(*generated) /
                                                               static_cast<double>(input.isl.size())
                                                         : 1.0;
    if (generated) e.requests = *generated;
    if (input.duration_ms) e.duration_ms = *input.duration_ms * scale / knobs->speedup_ratio;
    e.rate_per_s = rate(e.requests, e.duration_ms);
    if (input.stats.osl_stats)
      e.mean_osl = input.stats.osl_stats->mean * knobs->output_len_multiplier;
    r.expected = e;
  }
  r.input = std::move(input);
  r.output = std::move(output);
  return r;
}

std::string render_fidelity_json(const FidelityReport& r) {
  std::string out;
  json::ObjectWriter o(out, 0);
  write_profile(o, "input", r.input);
  write_profile(o, "output", r.output);
  json::ObjectWriter d = o.object("distance");
  write_distance(d, "isl", r.isl);
  write_distance(d, "osl", r.osl);
  write_distance(d, "hit_rate", r.hit_rate);
  d.close();
  if (r.expected) {
    json::ObjectWriter e = o.object("expected");
    e.field("requests", r.expected->requests);
    write_optional(e, "duration_ms", r.expected->duration_ms);
    write_optional(e, "rate_per_s", r.expected->rate_per_s);
    e.field("mean_osl", r.expected->mean_osl);
    e.close();
  } else {
    o.null_field("expected");
  }
  o.close();
  out.push_back('\n');
  return out;
}

std::string render_fidelity_table(const FidelityReport& r) {
  const auto& a = r.input;
  const auto& b = r.output;
  const Expected* e = r.expected ? &*r.expected : nullptr;
  auto mean = [](const std::optional<stats::MetricStats>& m) -> std::optional<double> {
    return m ? std::optional<double>(m->mean) : std::nullopt;
  };
  std::vector<std::vector<std::string>> rows = {
      {"Metric", "Input", "Output", "Expected"},
      {"Requests", cell(static_cast<double>(a.stats.total_requests), 0),
       cell(static_cast<double>(b.stats.total_requests), 0),
       e ? cell(static_cast<double>(e->requests), 0) : "-"},
      {"Duration (s)", cell(a.duration_ms ? std::optional(*a.duration_ms / 1000) : std::nullopt),
       cell(b.duration_ms ? std::optional(*b.duration_ms / 1000) : std::nullopt),
       e && e->duration_ms ? cell(*e->duration_ms / 1000) : "-"},
      {"Rate (req/s)", cell(a.rate_per_s), cell(b.rate_per_s), e ? cell(e->rate_per_s) : "-"},
      {"Mean ISL", cell(mean(a.stats.isl_stats)), cell(mean(b.stats.isl_stats)), "-"},
      {"Mean OSL", cell(mean(a.stats.osl_stats)), cell(mean(b.stats.osl_stats)),
       e ? cell(e->mean_osl) : "-"},
      {"Mean context length", cell(mean(a.stats.context_length_stats)),
       cell(mean(b.stats.context_length_stats)), "-"},
      {"Mean unique prompt length", cell(mean(a.stats.unique_prompt_length_stats)),
       cell(mean(b.stats.unique_prompt_length_stats)), "-"},
      {"Cache hit rate", cell(a.stats.cache_hit_rate, 4), cell(b.stats.cache_hit_rate, 4), "-"},
      {"Block hit rate", cell(a.stats.block_hit_rate, 4), cell(b.stats.block_hit_rate, 4), "-"},
      {"Prefix groups", cell(static_cast<double>(a.stats.num_prefix_groups), 0),
       cell(static_cast<double>(b.stats.num_prefix_groups), 0), "-"},
  };
  std::string out = core::box_table("Input vs output", rows);
  std::vector<std::vector<std::string>> dist = {{"Distribution", "KS statistic", "Wasserstein-1"}};
  for (const auto& [name, d] : {std::pair{"ISL (tokens)", r.isl}, std::pair{"OSL (tokens)", r.osl},
                                std::pair{"Per-request hit rate", r.hit_rate}}) {
    dist.push_back({name, d ? fmt::format("{:.4f}", d->ks) : "-",
                    d ? fmt::format("{:.4f}", d->wasserstein_1) : "-"});
  }
  out += '\n';
  out += core::box_table("Distribution distances (input vs output)", dist);
  return out;
}

}  // namespace kvtrace::synthesis
