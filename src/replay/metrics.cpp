#include "kvtrace/replay/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "kvtrace/core/error.hpp"

namespace kvtrace::replay {

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNone:
      return "none";
    case ErrorKind::kHttpStatus:
      return "http_status";
    case ErrorKind::kConnect:
      return "connect";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kReset:
      return "reset";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kServerError:
      return "server_error";
    case ErrorKind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string_view token_source_name(TokenSource source) {
  switch (source) {
    case TokenSource::kUsage:
      return "usage";
    case TokenSource::kTokenizer:
      return "tokenizer";
    case TokenSource::kChunks:
      return "chunks";
  }
  return "unknown";
}

std::optional<Stats> summarize_with_tails(std::vector<double> values) {
  const auto base = stats::summarize(values);
  if (!base) return std::nullopt;
  Stats s;
  s.base = *base;
  s.count = values.size();
  std::sort(values.begin(), values.end());
  s.p90 = stats::numpy_percentile(values, 90);
  s.p95 = stats::numpy_percentile(values, 95);
  s.p99 = stats::numpy_percentile(values, 99);
  return s;
}

Slo Slo::parse(const std::string& text) {
  Slo slo;
  std::string_view rest = text;
  const auto fail = [&](std::string_view why) {
    return UsageError("slo", fmt::format("{}: {} (expected e.g. ttft=200,tpot=50 in ms; keys "
                                         "ttft, tpot, e2e)",
                                         text, why));
  };
  bool more = !rest.empty();
  while (more) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    more = comma != std::string_view::npos;
    rest = more ? rest.substr(comma + 1) : std::string_view();
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) throw fail(fmt::format("\"{}\" has no '='", item));
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    double v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || !(v > 0)) {
      throw fail(fmt::format("\"{}\" is not a positive number of milliseconds", value));
    }
    if (key == "ttft") {
      slo.ttft_ms = v;
    } else if (key == "tpot") {
      slo.tpot_ms = v;
    } else if (key == "e2e") {
      slo.e2e_ms = v;
    } else {
      throw fail(fmt::format("unknown key \"{}\"", key));
    }
  }
  return slo;
}

RequestMetrics request_metrics(const Record& r) {
  RequestMetrics m;
  m.e2e_ms = ns_to_ms(r.end_ns - r.start_ns);
  if (r.first_token_ns != kNever) m.ttft_ms = ns_to_ms(r.first_token_ns - r.start_ns);
  if (m.ttft_ms && r.output_tokens >= 2) {
    m.tpot_ms = (m.e2e_ms - *m.ttft_ms) / static_cast<double>(r.output_tokens - 1);
  }
  if (r.end_ns > r.start_ns) {
    m.output_tokens_per_s = static_cast<double>(r.output_tokens) / (m.e2e_ms / 1e3);
  }
  for (std::size_t i = 1; i < r.chunk_ns.size(); ++i) {
    m.itl_ms.push_back(ns_to_ms(r.chunk_ns[i] - r.chunk_ns[i - 1]));
  }
  return m;
}

bool meets(const RequestMetrics& m, const Slo& slo) {
  if (slo.ttft_ms && !(m.ttft_ms && *m.ttft_ms <= *slo.ttft_ms)) return false;
  // A one-token answer has no TPOT: it cannot miss a TPOT bound.
  if (slo.tpot_ms && m.tpot_ms && *m.tpot_ms > *slo.tpot_ms) return false;
  if (slo.e2e_ms && m.e2e_ms > *slo.e2e_ms) return false;
  return true;
}

RunSummary summarize_run(std::span<const Record> records, std::uint64_t requests, const Slo& slo) {
  RunSummary s;
  s.requests = requests;
  s.sent = records.size();
  s.not_sent = requests - std::min<std::uint64_t>(requests, records.size());
  std::vector<double> ttft, itl, tpot, e2e, tps, out_tokens, lateness;
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  for (const Record& r : records) {
    lateness.push_back(ns_to_ms(r.start_ns - r.intended_ns));
    s.malformed_events += r.malformed_events;
    first = std::min(first, r.start_ns);
    last = std::max(last, r.end_ns);
    if (!r.ok()) {
      ++s.failed;
      ++s.errors[std::string(error_kind_name(r.error_kind))];
      continue;
    }
    ++s.completed;
    ++s.token_sources[std::string(token_source_name(r.token_source))];
    s.output_tokens += r.output_tokens;
    if (r.input_tokens) s.input_tokens += *r.input_tokens;
    if (r.max_tokens && *r.max_tokens != r.output_tokens) ++s.max_tokens_mismatches;
    const RequestMetrics m = request_metrics(r);
    if (m.ttft_ms) ttft.push_back(*m.ttft_ms);
    if (m.tpot_ms) tpot.push_back(*m.tpot_ms);
    e2e.push_back(m.e2e_ms);
    if (m.output_tokens_per_s) tps.push_back(*m.output_tokens_per_s);
    out_tokens.push_back(static_cast<double>(r.output_tokens));
    itl.insert(itl.end(), m.itl_ms.begin(), m.itl_ms.end());
    if (meets(m, slo)) ++s.good;
  }
  if (!records.empty() && last > first) {
    s.duration_s = static_cast<double>(last - first) / 1e9;
    s.request_throughput = static_cast<double>(s.completed) / s.duration_s;
    s.output_throughput = static_cast<double>(s.output_tokens) / s.duration_s;
    s.goodput = static_cast<double>(s.good) / s.duration_s;
  }
  s.ttft_ms = summarize_with_tails(std::move(ttft));
  s.itl_ms = summarize_with_tails(std::move(itl));
  s.tpot_ms = summarize_with_tails(std::move(tpot));
  s.e2e_ms = summarize_with_tails(std::move(e2e));
  s.output_tokens_per_s = summarize_with_tails(std::move(tps));
  s.output_tokens_per_request = summarize_with_tails(std::move(out_tokens));
  s.lateness_ms = summarize_with_tails(std::move(lateness));
  return s;
}

}  // namespace kvtrace::replay
