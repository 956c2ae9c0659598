#include "kvtrace/analysis/report.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "kvtrace/core/json_writer.hpp"
#include "kvtrace/core/text_table.hpp"

namespace kvtrace::analysis {

using core::box_table;
using core::format_grouped;
using core::grouped_int;

void write_metric_stats(json::ObjectWriter& o, std::string_view key,
                        const std::optional<stats::MetricStats>& m) {
  if (!m) {
    o.null_field(key);
    return;
  }
  json::ObjectWriter w = o.object(key);
  w.field("mean", m->mean);
  w.field("std_dev", m->std_dev);
  w.field("min", m->min);
  w.field("p25", m->p25);
  w.field("median", m->median);
  w.field("p75", m->p75);
  w.field("max", m->max);
  w.close();
}

namespace {

std::vector<std::string> stats_row(const std::string& name,
                                   const std::optional<stats::MetricStats>& m) {
  if (!m) return {name, "N/A", "N/A", "N/A", "N/A", "N/A", "N/A", "N/A"};
  return {name,
          format_grouped(m->mean, 2),
          format_grouped(m->std_dev, 2),
          format_grouped(m->min, 2),
          format_grouped(m->p25, 2),
          format_grouped(m->median, 2),
          format_grouped(m->p75, 2),
          format_grouped(m->max, 2)};
}

const std::vector<std::string> kStatsHeader = {"Metric", "Mean",   "Std Dev", "Min",
                                               "P25",    "Median", "P75",     "Max"};

}  // namespace

std::string render_json(const AnalysisStats& s, const ReportInput& input, JsonFields fields) {
  std::string out;
  json::ObjectWriter o(out, 0);
  o.field("total_requests", s.total_requests);
  o.field("unique_prefixes", s.unique_prefixes);
  o.field("num_prefix_groups", s.num_prefix_groups);
  o.field("cache_hit_rate", s.cache_hit_rate);
  o.field("min_isl", s.min_isl);
  o.field("max_isl", s.max_isl);
  o.field("avg_isl", s.avg_isl);
  o.field("min_osl", s.min_osl);
  o.field("max_osl", s.max_osl);
  o.field("avg_osl", s.avg_osl);
  o.field("prefix_reuse_ratio", s.prefix_reuse_ratio);
  write_metric_stats(o, "isl_stats", s.isl_stats);
  write_metric_stats(o, "osl_stats", s.osl_stats);
  write_metric_stats(o, "context_length_stats", s.context_length_stats);
  write_metric_stats(o, "unique_prompt_length_stats", s.unique_prompt_length_stats);
  write_metric_stats(o, "hit_rate_stats", s.hit_rate_stats);
  if (fields == JsonFields::kAll) {
    o.field("block_size", std::uint64_t{s.block_size});
    o.field("requests_with_hash_ids", s.requests_with_hash_ids);
    o.field("total_blocks", s.total_blocks);
    o.field("distinct_hash_ids", s.distinct_hash_ids);
    o.field("hit_blocks", s.hit_blocks);
    o.field("block_hit_rate", s.block_hit_rate);
    o.field("total_input_tokens", s.total_input_tokens);
    o.field("cached_input_tokens", s.cached_input_tokens);
    o.field("token_hit_rate", s.token_hit_rate);
    write_metric_stats(o, "shared_prefix_length_stats", s.shared_prefix_length_stats);
    write_metric_stats(o, "unique_suffix_length_stats", s.unique_suffix_length_stats);
    trace::write_measured_cache(o, "server_measured", s.server_measured);
    json::ObjectWriter in = o.object("input");
    in.field("file", input.source);
    in.field("lines", input.counts.lines);
    in.field("blank_lines", input.counts.blank_lines);
    in.field("skipped_invalid", input.counts.skipped_invalid);
    in.field("outside_window", input.counts.outside_window);
    in.field("hash_id_mismatches", input.counts.hash_id_mismatches);
    in.close();
  }
  o.close();
  out.push_back('\n');
  return out;
}

std::string server_measured_line(const trace::MeasuredCache& m) {
  if (!m.any()) return "";
  std::string out = fmt::format(
      "Server-measured token hit rate:  {:.4f}  (cached_tokens of {} requests: {} of {} input "
      "tokens)\n",
      m.measured_rate(), grouped_int(m.requests), grouped_int(m.measured_cached_tokens),
      grouped_int(m.input_tokens));
  out += fmt::format(
      "  kvtrace predicts {:.4f} for the same requests: the server achieved {:.1f}% of the "
      "predicted reuse\n",
      m.predicted_rate(), 100 * m.achieved_share());
  if (m.unreadable > 0) {
    out += fmt::format("  ({} requests with a cached_tokens that is not a non-negative integer)\n",
                       grouped_int(m.unreadable));
  }
  return out;
}

std::string render_table(const AnalysisStats& s, const ReportInput& input) {
  std::string out;
  out += "\nTrace Analysis Report\n";
  out += fmt::format("Total requests:   {}\n", grouped_int(s.total_requests));
  out += fmt::format("Unique prefixes:  {}\n", grouped_int(s.unique_prefixes));
  out += fmt::format("Prefix groups:    {}\n\n", grouped_int(s.num_prefix_groups));
  out += box_table("Trace Statistics",
                   {kStatsHeader, stats_row("Input Length", s.isl_stats),
                    stats_row("Context Length", s.context_length_stats),
                    stats_row("Unique Prompt Length", s.unique_prompt_length_stats),
                    stats_row("Output Length", s.osl_stats),
                    stats_row("Theoretical Hit Rates", s.hit_rate_stats)});
  out += "\n";
  out += fmt::format("kvtrace (infinite cache, block size {}, longest cached prefix):\n",
                     s.block_size);
  out += fmt::format("Cache hit rate (mean per request): {:.4f}   Prefix reuse ratio: {:.4f}\n",
                     s.cache_hit_rate, s.prefix_reuse_ratio);
  out += fmt::format("Block hit rate:  {:.4f}  ({} of {} blocks; {} distinct hash ids)\n",
                     s.block_hit_rate, grouped_int(s.hit_blocks), grouped_int(s.total_blocks),
                     grouped_int(s.distinct_hash_ids));
  out += fmt::format("Token hit rate:  {:.4f}  ({} of {} input tokens)\n", s.token_hit_rate,
                     grouped_int(s.cached_input_tokens), grouped_int(s.total_input_tokens));
  out += server_measured_line(s.server_measured) + "\n";
  out += box_table("Contiguous Shared Prefix",
                   {kStatsHeader, stats_row("Shared Prefix Length", s.shared_prefix_length_stats),
                    stats_row("Unique Suffix Length", s.unique_suffix_length_stats)});
  const auto& c = input.counts;
  out += fmt::format("\nInput: {} ({} lines, {} blank", input.source, grouped_int(c.lines),
                     grouped_int(c.blank_lines));
  if (c.skipped_invalid > 0)
    out += fmt::format(", {} invalid skipped", grouped_int(c.skipped_invalid));
  if (c.outside_window > 0) {
    out += fmt::format(", {} outside the time window", grouped_int(c.outside_window));
  }
  if (c.hash_id_mismatches > 0) {
    out += fmt::format(", {} with a hash_ids count not matching input_length",
                       grouped_int(c.hash_id_mismatches));
  }
  out += ")\n";
  return out;
}

}  // namespace kvtrace::analysis
