#include "kvtrace/replay/results.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <optional>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/line_reader.hpp"

namespace kvtrace::replay {
namespace {

namespace dom = simdjson::dom;

// The fields of one JSON object, with errors that name the file, line and field.
class Fields {
 public:
  Fields(dom::object o, const std::string& file, std::uint64_t line)
      : o_(o), file_(file), line_(line) {}

  InputError error(std::string_view field, std::string_view problem) const {
    return InputError(file_, line_, std::string(field), std::string(problem));
  }
  dom::element get(std::string_view key) const {
    dom::element e;
    if (o_[key].get(e) != simdjson::SUCCESS) throw error(key, "missing");
    return e;
  }
  bool has_value(std::string_view key) const {
    dom::element e;
    return o_[key].get(e) == simdjson::SUCCESS && !e.is_null();
  }
  double number(std::string_view key) const {
    double v = 0;
    if (get(key).get(v) != simdjson::SUCCESS) throw error(key, "expected a number");
    return v;
  }
  std::optional<double> optional_number(std::string_view key) const {
    if (!has_value(key)) return std::nullopt;
    return number(key);
  }
  std::uint64_t count(std::string_view key) const {
    std::uint64_t v = 0;
    if (get(key).get(v) != simdjson::SUCCESS) throw error(key, "expected a non-negative integer");
    return v;
  }
  std::string_view string(std::string_view key) const {
    std::string_view v;
    if (get(key).get(v) != simdjson::SUCCESS) throw error(key, "expected a string");
    return v;
  }
  bool boolean(std::string_view key) const {
    bool v = false;
    if (get(key).get(v) != simdjson::SUCCESS) throw error(key, "expected true or false");
    return v;
  }

 private:
  dom::object o_;
  const std::string& file_;
  std::uint64_t line_;
};

std::int64_t to_ns(double ms) {
  return static_cast<std::int64_t>(std::llround(ms * 1e6));
}

ErrorKind error_kind_of(const Fields& f) {
  if (!f.has_value("error_kind")) return ErrorKind::kNone;
  const std::string_view name = f.string("error_kind");
  for (const ErrorKind k :
       {ErrorKind::kHttpStatus, ErrorKind::kConnect, ErrorKind::kTimeout, ErrorKind::kReset,
        ErrorKind::kProtocol, ErrorKind::kServerError, ErrorKind::kCancelled}) {
    if (error_kind_name(k) == name) return k;
  }
  throw f.error("error_kind", fmt::format("unknown error kind \"{}\"", name));
}

TokenSource token_source_of(const Fields& f) {
  const std::string_view name = f.string("token_source");
  for (const TokenSource s : {TokenSource::kUsage, TokenSource::kTokenizer, TokenSource::kChunks}) {
    if (token_source_name(s) == name) return s;
  }
  throw f.error("token_source", fmt::format("unknown token source \"{}\"", name));
}

Record record_of(const Fields& f) {
  Record r;
  r.index = f.count("index");
  r.session_id = std::string(f.string("session_id"));
  r.status = static_cast<int>(f.number("status"));
  r.error_kind = error_kind_of(f);
  if (r.error_kind != ErrorKind::kNone) r.error = std::string(f.string("error"));
  r.intended_ns = to_ns(f.number("intended_ms"));
  r.start_ns = to_ns(f.number("start_ms"));
  if (const auto t = f.optional_number("first_token_ms")) r.first_token_ns = to_ns(*t);
  r.end_ns = to_ns(f.number("end_ms"));
  if (f.has_value("input_tokens")) r.input_tokens = f.count("input_tokens");
  r.output_tokens = f.count("output_tokens");
  r.token_source = token_source_of(f);
  if (f.has_value("max_tokens")) r.max_tokens = f.count("max_tokens");
  r.malformed_events = f.count("malformed_events");
  r.done = f.boolean("done");
  r.new_connection = f.boolean("new_connection");
  dom::array chunks;
  if (f.get("chunk_ms").get(chunks) != simdjson::SUCCESS) {
    throw f.error("chunk_ms", "expected an array of numbers");
  }
  for (const dom::element c : chunks) {
    double ms = 0;
    if (c.get(ms) != simdjson::SUCCESS) throw f.error("chunk_ms", "expected an array of numbers");
    r.chunk_ns.push_back(to_ns(ms));
  }
  return r;
}

}  // namespace

RunResults read_results(const std::string& dir) {
  const std::filesystem::path base(dir);
  if (!std::filesystem::is_directory(base)) {
    throw IoError(fmt::format("{}: not a directory (kvtrace replay --output-dir writes one)", dir));
  }
  RunResults results;
  dom::parser parser;
  {
    const std::string path = (base / "summary.json").string();
    simdjson::padded_string text;
    if (simdjson::padded_string::load(path).get(text) != simdjson::SUCCESS) {
      throw IoError(fmt::format("cannot read {}", path));
    }
    dom::element doc;
    dom::object top;
    if (parser.parse(text).get(doc) != simdjson::SUCCESS || doc.get(top) != simdjson::SUCCESS) {
      throw InputError(path, 0, "", "not a JSON object");
    }
    const Fields summary(top, path, 0);
    results.requests = summary.count("requests");
    dom::object run;
    if (summary.get("run").get(run) != simdjson::SUCCESS)
      throw summary.error("run", "expected an object");
    const Fields r(run, path, 0);
    results.info.input = std::string(r.string("input"));
    results.info.url = std::string(r.string("url"));
    results.info.mode = std::string(r.string("mode"));
    if (r.has_value("speedup")) results.info.speedup = r.number("speedup");
    if (r.has_value("rate")) results.info.rate = r.number("rate");
    if (r.has_value("concurrency"))
      results.info.concurrency = static_cast<std::uint32_t>(r.count("concurrency"));
    if (r.has_value("seed")) results.info.seed = r.count("seed");
    if (r.has_value("slo")) results.info.slo = std::string(r.string("slo"));
    results.info.interrupted = r.boolean("interrupted");
  }
  const std::string path = (base / "records.jsonl").string();
  trace::LineReader lines(path);
  trace::Line line;
  while (lines.next(line)) {
    if (!line.problem.empty()) throw InputError(path, line.number, "", std::string(line.problem));
    if (line.too_long) throw InputError(path, line.number, "", "line too long");
    if (line.text.find_first_not_of(" \t") == std::string_view::npos) continue;
    dom::element doc;
    dom::object o;
    if (parser.parse(line.text.data(), line.text.size(), false).get(doc) != simdjson::SUCCESS ||
        doc.get(o) != simdjson::SUCCESS) {
      throw InputError(path, line.number, "", "not a JSON object");
    }
    results.records.push_back(record_of(Fields(o, path, line.number)));
  }
  return results;
}

}  // namespace kvtrace::replay
