#include "kvtrace/replay/output.hpp"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/json_writer.hpp"
#include "kvtrace/core/text_table.hpp"

namespace kvtrace::replay {

namespace {

void append_opt_double(std::string& out, const std::optional<double>& v) {
  if (v) {
    json::append_double(out, *v);
  } else {
    out.append("null");
  }
}

void append_opt_uint(std::string& out, const std::optional<std::uint64_t>& v) {
  if (v) {
    json::append_uint(out, *v);
  } else {
    out.append("null");
  }
}

// A CSV field: quoted when it holds a comma, quote or line break (RFC 4180).
void append_csv_text(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void write_stats(json::ObjectWriter& o, std::string_view key, const std::optional<Stats>& s) {
  if (!s) {
    o.null_field(key);
    return;
  }
  json::ObjectWriter m = o.object(key);
  m.field("count", s->count);
  m.field("mean", s->base.mean);
  m.field("std_dev", s->base.std_dev);
  m.field("min", s->base.min);
  m.field("p25", s->base.p25);
  m.field("median", s->base.median);
  m.field("p75", s->base.p75);
  m.field("p90", s->p90);
  m.field("p95", s->p95);
  m.field("p99", s->p99);
  m.field("max", s->base.max);
  m.close();
}

std::string fixed(double v, int decimals) {
  return core::format_grouped(v, decimals);
}

}  // namespace

void append_record_json(std::string& out, const Record& r) {
  const RequestMetrics m = request_metrics(r);
  out.append("{\"index\":");
  json::append_uint(out, r.index);
  out.append(",\"session_id\":");
  json::append_string(out, r.session_id);
  out.append(",\"ok\":");
  json::append_bool(out, r.ok());
  out.append(",\"status\":");
  json::append_int(out, r.status);
  out.append(",\"error_kind\":");
  if (r.ok()) {
    out.append("null,\"error\":null");
  } else {
    json::append_string(out, error_kind_name(r.error_kind));
    out.append(",\"error\":");
    json::append_string(out, r.error);
  }
  out.append(",\"intended_ms\":");
  json::append_double(out, ns_to_ms(r.intended_ns));
  out.append(",\"start_ms\":");
  json::append_double(out, ns_to_ms(r.start_ns));
  out.append(",\"first_token_ms\":");
  append_opt_double(out, r.first_token_ns == kNever
                             ? std::nullopt
                             : std::optional<double>(ns_to_ms(r.first_token_ns)));
  out.append(",\"end_ms\":");
  json::append_double(out, ns_to_ms(r.end_ns));
  out.append(",\"lateness_ms\":");
  json::append_double(out, ns_to_ms(r.start_ns - r.intended_ns));
  out.append(",\"ttft_ms\":");
  append_opt_double(out, m.ttft_ms);
  out.append(",\"tpot_ms\":");
  append_opt_double(out, m.tpot_ms);
  out.append(",\"e2e_ms\":");
  json::append_double(out, m.e2e_ms);
  out.append(",\"input_tokens\":");
  append_opt_uint(out, r.input_tokens);
  out.append(",\"output_tokens\":");
  json::append_uint(out, r.output_tokens);
  out.append(",\"token_source\":");
  json::append_string(out, token_source_name(r.token_source));
  out.append(",\"max_tokens\":");
  append_opt_uint(out, r.max_tokens);
  out.append(",\"chunks\":");
  json::append_uint(out, r.chunk_ns.size());
  out.append(",\"malformed_events\":");
  json::append_uint(out, r.malformed_events);
  out.append(",\"done\":");
  json::append_bool(out, r.done);
  out.append(",\"new_connection\":");
  json::append_bool(out, r.new_connection);
  out.append(",\"chunk_ms\":[");
  for (std::size_t i = 0; i < r.chunk_ns.size(); ++i) {
    if (i != 0) out.push_back(',');
    json::append_double(out, ns_to_ms(r.chunk_ns[i]));
  }
  out.append("]}\n");
}

std::string_view csv_header() {
  return "index,session_id,ok,status,error_kind,error,intended_ms,start_ms,first_token_ms,"
         "end_ms,lateness_ms,ttft_ms,tpot_ms,e2e_ms,input_tokens,output_tokens,token_source,"
         "max_tokens,chunks,malformed_events,done,new_connection\n";
}

void append_record_csv(std::string& out, const Record& r) {
  const RequestMetrics m = request_metrics(r);
  const auto num = [&](const std::optional<double>& v) {
    out.push_back(',');
    if (v) json::append_double(out, *v);
  };
  const auto count = [&](const std::optional<std::uint64_t>& v) {
    out.push_back(',');
    if (v) json::append_uint(out, *v);
  };
  json::append_uint(out, r.index);
  out.push_back(',');
  append_csv_text(out, r.session_id);
  out.append(r.ok() ? ",true," : ",false,");
  json::append_int(out, r.status);
  out.push_back(',');
  if (!r.ok()) out.append(error_kind_name(r.error_kind));
  out.push_back(',');
  append_csv_text(out, r.error);
  num(ns_to_ms(r.intended_ns));
  num(ns_to_ms(r.start_ns));
  num(r.first_token_ns == kNever ? std::nullopt
                                 : std::optional<double>(ns_to_ms(r.first_token_ns)));
  num(ns_to_ms(r.end_ns));
  num(ns_to_ms(r.start_ns - r.intended_ns));
  num(m.ttft_ms);
  num(m.tpot_ms);
  num(m.e2e_ms);
  count(r.input_tokens);
  count(r.output_tokens);
  out.push_back(',');
  out.append(token_source_name(r.token_source));
  count(r.max_tokens);
  count(r.chunk_ns.size());
  count(r.malformed_events);
  out.append(r.done ? ",true" : ",false");
  out.append(r.new_connection ? ",true\n" : ",false\n");
}

std::string summary_json(const RunSummary& s, const RunInfo& info) {
  std::string out;
  json::ObjectWriter o(out, 0);
  json::ObjectWriter run = o.object("run");
  run.field("input", info.input);
  run.field("url", info.url);
  run.field("mode", info.mode);
  if (info.mode == "trace") run.field("speedup", info.speedup);
  if (info.mode == "rate") {
    run.field("rate", info.rate);
    run.field("seed", info.seed);
  }
  if (info.mode == "concurrency") run.field("concurrency", std::uint64_t{info.concurrency});
  if (info.slo.empty()) {
    run.null_field("slo");
  } else {
    run.field("slo", info.slo);
  }
  run.bool_field("interrupted", info.interrupted);
  run.close();
  o.field("requests", s.requests);
  o.field("sent", s.sent);
  o.field("not_sent", s.not_sent);
  o.field("completed", s.completed);
  o.field("failed", s.failed);
  json::ObjectWriter errors = o.object("errors");
  for (const auto& [kind, n] : s.errors) errors.field(kind, n);
  errors.close();
  o.field("malformed_events", s.malformed_events);
  json::ObjectWriter sources = o.object("token_sources");
  for (const auto& [source, n] : s.token_sources) sources.field(source, n);
  sources.close();
  o.field("input_tokens", s.input_tokens);
  o.field("output_tokens", s.output_tokens);
  o.field("max_tokens_mismatches", s.max_tokens_mismatches);
  o.field("duration_s", s.duration_s);
  o.field("request_throughput", s.request_throughput);
  o.field("output_token_throughput", s.output_throughput);
  o.field("good_requests", s.good);
  o.field("goodput", s.goodput);
  write_stats(o, "ttft_ms", s.ttft_ms);
  write_stats(o, "itl_ms", s.itl_ms);
  write_stats(o, "tpot_ms", s.tpot_ms);
  write_stats(o, "e2e_ms", s.e2e_ms);
  write_stats(o, "output_tokens_per_s", s.output_tokens_per_s);
  write_stats(o, "output_tokens_per_request", s.output_tokens_per_request);
  write_stats(o, "lateness_ms", s.lateness_ms);
  o.close();
  out.push_back('\n');
  return out;
}

std::string summary_table(const RunSummary& s, const RunInfo& info) {
  std::vector<std::vector<std::string>> rows{{"Metric", "avg", "min", "p50", "p90", "p99", "max"}};
  const auto add = [&](std::string name, const std::optional<Stats>& st, int decimals) {
    if (!st) return;
    rows.push_back({std::move(name), fixed(st->base.mean, decimals), fixed(st->base.min, decimals),
                    fixed(st->base.median, decimals), fixed(st->p90, decimals),
                    fixed(st->p99, decimals), fixed(st->base.max, decimals)});
  };
  add("Time to first token (ms)", s.ttft_ms, 2);
  add("Inter-token latency (ms)", s.itl_ms, 2);
  add("Time per output token (ms)", s.tpot_ms, 2);
  add("Request latency (ms)", s.e2e_ms, 2);
  add("Output tokens/s per request", s.output_tokens_per_s, 1);
  add("Output tokens per request", s.output_tokens_per_request, 1);
  add("Scheduler lateness (ms)", s.lateness_ms, 3);
  std::string out =
      core::box_table(fmt::format("kvtrace replay: {} ({} timing)", info.url, info.mode), rows);
  std::string errors;
  for (const auto& [kind, n] : s.errors) {
    errors += fmt::format("{}{} {}", errors.empty() ? "" : ", ", n, kind);
  }
  out += fmt::format("Requests: {} of {} sent, {} completed, {} failed{}{}\n", s.sent, s.requests,
                     s.completed, s.failed, errors.empty() ? "" : " (" + errors + ")",
                     s.not_sent > 0 ? fmt::format(", {} not sent (interrupted)", s.not_sent) : "");
  out += fmt::format(
      "Duration: {} s; request throughput {} req/s; output token throughput {} tokens/s\n",
      fixed(s.duration_s, 3), fixed(s.request_throughput, 2), fixed(s.output_throughput, 1));
  if (!info.slo.empty()) {
    out += fmt::format("Goodput under {}: {} req/s ({} of {} completed requests)\n", info.slo,
                       fixed(s.goodput, 2), s.good, s.completed);
  }
  if (s.malformed_events > 0) out += fmt::format("Malformed SSE events: {}\n", s.malformed_events);
  return out;
}

RecordFiles::RecordFiles(const std::string& dir, std::function<void(std::exception_ptr)> on_failure)
    : jsonl_((std::filesystem::path(dir) / "records.jsonl").string(), core::Staging::kStreamed),
      csv_((std::filesystem::path(dir) / "records.csv").string(), core::Staging::kStreamed),
      on_failure_(std::move(on_failure)) {
  pending_csv_ = csv_header();
  writer_ = std::thread([this] { drain(); });
}

RecordFiles::~RecordFiles() {
  try {
    close();
  } catch (const IoError&) {
    // Reported by an explicit close(); a destructor cannot throw.
  }
}

void RecordFiles::drain() {
  std::string jsonl;
  std::string csv;
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !pending_jsonl_.empty() || !pending_csv_.empty(); });
    if (pending_jsonl_.empty() && pending_csv_.empty()) return;  // stopped, all written
    jsonl.swap(pending_jsonl_);
    csv.swap(pending_csv_);
    const bool failed = !error_.empty();  // then nothing more is written
    lock.unlock();
    std::string error;
    if (!failed) {
      try {
        jsonl_.write(jsonl);
        csv_.write(csv);
      } catch (const IoError& e) {
        error = e.what();
      }
    }
    jsonl.clear();
    csv.clear();
    lock.lock();
    if (!error.empty()) {
      error_ = error;
      lock.unlock();
      if (on_failure_) on_failure_(std::make_exception_ptr(IoError(error)));
      lock.lock();
    }
  }
}

void RecordFiles::write(const Record& r) {
  std::lock_guard lock(mutex_);
  if (!error_.empty()) throw IoError(error_);
  append_record_json(pending_jsonl_, r);
  append_record_csv(pending_csv_, r);
  wake_.notify_one();
}

void RecordFiles::close() {
  if (!writer_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (!error_.empty()) throw IoError(error_);
  jsonl_.close();
  csv_.close();
}

}  // namespace kvtrace::replay
