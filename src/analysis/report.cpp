#include "kvtrace/analysis/report.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/json_writer.hpp"
#include "kvtrace/core/text_table.hpp"

namespace kvtrace::analysis {

using core::box_table;
using core::format_grouped;
using core::grouped_int;

void write_metric_stats(json::ObjectWriter& o, std::string_view key,
                        const std::optional<stats::MetricStats>& m, Percentiles percentiles) {
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
  if (percentiles == Percentiles::kWithTails) {
    w.field("p90", m->p90);
    w.field("p99", m->p99);
  }
  w.close();
}

namespace {

std::vector<std::string> stats_row(const std::string& name,
                                   const std::optional<stats::MetricStats>& m) {
  if (!m) return {name, "N/A", "N/A", "N/A", "N/A", "N/A", "N/A", "N/A", "N/A", "N/A"};
  return {name,
          format_grouped(m->mean, 2),
          format_grouped(m->std_dev, 2),
          format_grouped(m->min, 2),
          format_grouped(m->p25, 2),
          format_grouped(m->median, 2),
          format_grouped(m->p75, 2),
          format_grouped(m->p90, 2),
          format_grouped(m->p99, 2),
          format_grouped(m->max, 2)};
}

// AIPerf's columns, with kvtrace's P90 and P99 before Max.
const std::vector<std::string> kStatsHeader = {"Metric", "Mean", "Std Dev", "Min", "P25",
                                               "Median", "P75",  "P90",     "P99", "Max"};

void write_arrivals(json::ObjectWriter& o, const ArrivalStats& a) {
  json::ObjectWriter w = o.object("arrivals");
  w.field("timed_requests", a.timed_requests);
  w.field("first_ms", a.first_ms);
  w.field("last_ms", a.last_ms);
  w.field("duration_s", a.duration_s);
  w.field("mean_rate", a.mean_rate);
  w.field("peak_1s", a.peak_1s);
  w.field("peak_60s_rate", a.peak_60s_rate);
  write_metric_stats(w, "inter_arrival_ms", a.inter_arrival_ms, Percentiles::kWithTails);
  w.field("inter_arrival_cv", a.inter_arrival_cv);
  w.close();
}

void write_sessions(json::ObjectWriter& o, const SessionStats& s) {
  json::ObjectWriter w = o.object("sessions");
  w.field("sessions", s.sessions);
  w.field("requests_in_sessions", s.requests_in_sessions);
  write_metric_stats(w, "turns_per_session", s.turns_per_session, Percentiles::kWithTails);
  write_metric_stats(w, "delay_ms", s.delay_ms, Percentiles::kWithTails);
  w.close();
}

// The arrivals and sessions part of the table.
std::string workload_lines(const WorkloadStatsResult& w) {
  const ArrivalStats& a = w.arrivals;
  const SessionStats& s = w.sessions;
  std::string out;
  if (a.timed_requests == 0) {
    out += "Arrivals: no request has a timestamp\n";
  } else {
    out += fmt::format(
        "Arrivals: {} requests over {} s: {} requests/s on average; peak {} in 1 s, {} "
        "requests/s over 60 s\n",
        grouped_int(a.timed_requests), format_grouped(a.duration_s, 1),
        format_grouped(a.mean_rate, 2), grouped_int(a.peak_1s), format_grouped(a.peak_60s_rate, 2));
    out += fmt::format(
        "  inter-arrival coefficient of variation {:.2f} (1 for Poisson arrivals, above 1 "
        "bursty)\n",
        a.inter_arrival_cv);
  }
  if (s.sessions == 0) {
    out += "Sessions: no request has a session_id\n";
  } else {
    out += fmt::format("Sessions: {} ({} requests)\n", grouped_int(s.sessions),
                       grouped_int(s.requests_in_sessions));
  }
  std::vector<std::vector<std::string>> rows = {kStatsHeader};
  if (a.inter_arrival_ms) rows.push_back(stats_row("Inter-arrival (ms)", a.inter_arrival_ms));
  if (s.turns_per_session) rows.push_back(stats_row("Turns per Session", s.turns_per_session));
  if (s.delay_ms) rows.push_back(stats_row("Delay Between Turns (ms)", s.delay_ms));
  if (rows.size() > 1) {
    out += "\n";
    out += box_table("Arrivals and Sessions", rows);
  }
  return out;
}

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
  // AIPerf's statistics; in the full report with kvtrace's p90 and p99 after AIPerf's fields.
  const Percentiles aiperf_stats =
      fields == JsonFields::kAll ? Percentiles::kWithTails : Percentiles::kQuartiles;
  write_metric_stats(o, "isl_stats", s.isl_stats, aiperf_stats);
  write_metric_stats(o, "osl_stats", s.osl_stats, aiperf_stats);
  write_metric_stats(o, "context_length_stats", s.context_length_stats, aiperf_stats);
  write_metric_stats(o, "unique_prompt_length_stats", s.unique_prompt_length_stats, aiperf_stats);
  write_metric_stats(o, "hit_rate_stats", s.hit_rate_stats, aiperf_stats);
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
    write_metric_stats(o, "shared_prefix_length_stats", s.shared_prefix_length_stats,
                       Percentiles::kWithTails);
    write_metric_stats(o, "unique_suffix_length_stats", s.unique_suffix_length_stats,
                       Percentiles::kWithTails);
    trace::write_measured_cache(o, "server_measured", s.server_measured);
    o.field("negative_unique_prompts", s.negative_unique_prompts);
    if (s.workload) {
      write_arrivals(o, s.workload->arrivals);
      write_sessions(o, s.workload->sessions);
    }
    json::ObjectWriter in = o.object("input");
    in.field("file", input.source);
    in.field("lines", input.counts.lines);
    in.field("blank_lines", input.counts.blank_lines);
    in.field("skipped_invalid", input.counts.skipped_invalid);
    in.field("outside_window", input.counts.outside_window);
    in.field("hash_id_mismatches", input.counts.hash_id_mismatches);
    in.field("timestamps_backwards", input.counts.timestamps_backwards);
    if (input.counts.first_backwards.empty()) {
      in.null_field("first_backwards");
    } else {
      in.field("first_backwards", input.counts.first_backwards);
    }
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
  if (s.negative_unique_prompts > 0) {
    out += fmt::format(
        "Note: {} requests have a negative Unique Prompt Length: AIPerf counts the context in "
        "whole blocks of {} tokens, beyond a short prompt's input length (docs/analyze.md)\n",
        grouped_int(s.negative_unique_prompts), s.block_size);
  }
  out += "\n";
  out += fmt::format(
      "Hit rates, infinite cache (block size {}, longest cached prefix), three definitions:\n",
      s.block_size);
  out += fmt::format(
      "  per request, mean:  {:.4f}  AIPerf's cache_hit_rate: each request's cached blocks / "
      "its blocks, averaged\n",
      s.cache_hit_rate);
  out += fmt::format("  block hit rate:      {:.4f}  {} of {} blocks ({} distinct hash ids)\n",
                     s.block_hit_rate, grouped_int(s.hit_blocks), grouped_int(s.total_blocks),
                     grouped_int(s.distinct_hash_ids));
  out += fmt::format("  token hit rate:      {:.4f}  {} of {} input tokens\n", s.token_hit_rate,
                     grouped_int(s.cached_input_tokens), grouped_int(s.total_input_tokens));
  out += fmt::format("Prefix reuse ratio: {:.4f}\n", s.prefix_reuse_ratio);
  out += server_measured_line(s.server_measured) + "\n";
  out += box_table("Contiguous Shared Prefix",
                   {kStatsHeader, stats_row("Shared Prefix Length", s.shared_prefix_length_stats),
                    stats_row("Unique Suffix Length", s.unique_suffix_length_stats)});
  if (s.workload) {
    out += "\n";
    out += workload_lines(*s.workload);
  }
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
  if (c.timestamps_backwards > 0) {
    out += fmt::format("Timestamps go backwards {} times; the first: {}\n",
                       grouped_int(c.timestamps_backwards), c.first_backwards);
  }
  return out;
}

namespace {

// A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (const char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// One row per scalar of `e`, named by its path (keys joined with '.', array items by index).
void flatten(simdjson::dom::element e, const std::string& path, std::string& out) {
  const auto row = [&](std::string_view value) {
    out += csv_field(path) + "," + csv_field(value) + "\n";
  };
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      const simdjson::dom::object object = e.get_object().value_unsafe();
      for (const simdjson::dom::key_value_pair field : object) {
        const std::string key(field.key);
        flatten(field.value, path.empty() ? key : fmt::format("{}.{}", path, key), out);
      }
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      const simdjson::dom::array array = e.get_array().value_unsafe();
      std::size_t i = 0;
      for (const simdjson::dom::element item : array) {
        flatten(item, fmt::format("{}.{}", path, i++), out);
      }
      break;
    }
    case simdjson::dom::element_type::STRING:
      row(e.get_string().value_unsafe());
      break;
    case simdjson::dom::element_type::INT64:
      row(fmt::format("{}", e.get_int64().value_unsafe()));
      break;
    case simdjson::dom::element_type::UINT64:
      row(fmt::format("{}", e.get_uint64().value_unsafe()));
      break;
    case simdjson::dom::element_type::DOUBLE:
      row(fmt::format("{}", e.get_double().value_unsafe()));
      break;
    case simdjson::dom::element_type::BOOL:
      row(e.get_bool().value_unsafe() ? "true" : "false");
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      row("");
      break;
  }
}

}  // namespace

std::string render_csv(const AnalysisStats& s, const ReportInput& input) {
  const std::string json = render_json(s, input, JsonFields::kAll);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (const auto error = parser.parse(json).get(doc)) {
    throw Error(fmt::format("analyze: the report's JSON does not parse for CSV: {}",
                            simdjson::error_message(error)));
  }
  std::string out = "statistic,value\n";
  flatten(doc, "", out);
  return out;
}

}  // namespace kvtrace::analysis
