#include "kvtrace/replay/request_loader.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request_parser.hpp"

namespace kvtrace::replay {

namespace od = simdjson::ondemand;

namespace {

constexpr double kDayMs = 24 * 3600e3;

// A member of --extra-body: its key as written (escaped) and unescaped, and its raw value.
struct ExtraMember {
  std::string key;
  std::string raw_key;
  std::string raw_value;
};

std::string_view trim_right(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The raw JSON text of a value, whatever its type (3.0's value has no raw_json()).
simdjson::error_code raw_value(od::value& v, std::string_view& out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::object) {
    od::object o;
    if (auto e = v.get_object().get(o)) return e;
    return o.raw_json().get(out);
  }
  if (t == od::json_type::array) {
    od::array a;
    if (auto e = v.get_array().get(a)) return e;
    return a.raw_json().get(out);
  }
  out = trim_right(v.raw_json_token());
  return simdjson::SUCCESS;
}

// The key as written (still escaped): raw_json_string::raw() points after the opening quote and
// the key ends at the last quote before the value.
std::string_view escaped_key(const char* raw_key, std::string_view value) {
  const std::string_view written(raw_key, static_cast<std::size_t>(value.data() - raw_key));
  return written.substr(0, written.rfind('"'));
}

std::vector<ExtraMember> parse_extra(const std::string& extra) {
  std::vector<ExtraMember> members;
  if (extra.empty()) return members;
  const simdjson::padded_string padded(extra);
  simdjson::dom::parser validator;
  const auto fail = [&](std::string_view why) {
    return UsageError("extra_body", fmt::format("{}: {}", why, extra));
  };
  simdjson::dom::element root;
  if (auto e = validator.parse(padded).get(root)) throw fail(simdjson::error_message(e));
  if (!root.is_object()) throw fail("not a JSON object");
  od::parser parser;
  od::document doc = parser.iterate(padded);
  od::object obj = doc.get_object();
  std::unordered_set<std::string> seen;
  for (auto field : obj) {
    ExtraMember m;
    const char* raw_key = field.key().value().raw();
    m.key = std::string(field.unescaped_key().value());
    if (!seen.insert(m.key).second) throw fail(fmt::format("duplicate key \"{}\"", m.key));
    od::value v = field.value();
    std::string_view raw;
    if (auto e = raw_value(v, raw)) throw fail(simdjson::error_message(e));
    m.raw_key = escaped_key(raw_key, raw);
    m.raw_value = std::string(raw);
    members.push_back(std::move(m));
  }
  return members;
}

class Loader {
 public:
  Loader(const std::string& path, const LoadOptions& options)
      : reader_(path), extra_(parse_extra(options.extra_body)), options_(options) {}

  std::vector<ReplayRequest> run() {
    std::vector<ReplayRequest> out;
    std::unordered_map<std::string, std::size_t> last_turn;
    trace::Line line;
    while (reader_.next(line)) {
      if (!line.problem.empty()) fail(line.number, "", std::string(line.problem));
      if (line.too_long) fail(line.number, "", "line too long");
      if (trace::is_blank(line.text)) continue;
      ReplayRequest r = parse(line, out.size());
      auto [it, fresh] = last_turn.try_emplace(r.session_id, out.size());
      if (!fresh) {
        r.previous_turn = it->second;
        out[it->second].next_turn = out.size();
        it->second = out.size();
      }
      out.push_back(std::move(r));
    }
    if (out.empty()) throw InputError(reader_.name(), 0, "", "no requests in the file");
    check_timestamp_span(out);
    return out;
  }

 private:
  [[noreturn]] void fail(std::uint64_t line, std::string field, std::string problem) const {
    throw InputError(reader_.name(), line, std::move(field), std::move(problem));
  }

  void check(simdjson::error_code e, std::uint64_t line, std::string_view field) const {
    if (e)
      fail(line, std::string(field), std::string("invalid JSON: ") + simdjson::error_message(e));
  }

  double millis(od::value& v, std::uint64_t line, std::string_view field) const {
    double d = 0;
    if (v.get_double().get(d)) fail(line, std::string(field), "expected a number of milliseconds");
    if (!std::isfinite(d) || d < 0) {
      fail(line, std::string(field), "expected a non-negative number of milliseconds");
    }
    return d;
  }

  // Trace timing waits (timestamp - earliest) / speedup for a request: a timestamp far from
  // the others is a mistake (seconds or epoch times among milliseconds), not a wait to start.
  void check_timestamp_span(const std::vector<ReplayRequest>& requests) const {
    const ReplayRequest* earliest = nullptr;
    for (const ReplayRequest& r : requests) {
      if (r.timestamp_ms && (earliest == nullptr || *r.timestamp_ms < *earliest->timestamp_ms)) {
        earliest = &r;
      }
    }
    if (earliest == nullptr) return;
    for (const ReplayRequest& r : requests) {
      if (!r.timestamp_ms || *r.timestamp_ms - *earliest->timestamp_ms <= kMaxScheduleMs) continue;
      fail(r.line, "timestamp",
           fmt::format("{} ms is {:.1f} days after the earliest timestamp ({} ms, line {}); the "
                       "limit is {} days",
                       *r.timestamp_ms, (*r.timestamp_ms - *earliest->timestamp_ms) / kDayMs,
                       *earliest->timestamp_ms, earliest->line, kMaxScheduleMs / kDayMs));
    }
  }

  ReplayRequest parse(const trace::Line& line, std::size_t position) {
    // On-Demand does not validate what it skips: the DOM parser checks the whole line first.
    simdjson::dom::element root;
    check(validator_.parse(line.text.data(), line.text.size(), false).get(root), line.number, "");
    if (!root.is_object()) fail(line.number, "", "expected a JSON object");

    ReplayRequest r;
    r.line = line.number;
    r.index = position;
    bool have_body = false;
    const simdjson::padded_string_view text(line.text.data(), line.text.size(), line.capacity);
    od::document doc = parser_.iterate(text);
    od::object obj;
    check(doc.get_object().get(obj), line.number, "");
    keys_.clear();
    for (auto field : obj) {
      std::string_view key;
      check(field.unescaped_key().get(key), line.number, "");
      // Which of two values counts is up to each reader; two bodies would both be sent.
      if (!keys_.emplace(key).second) fail(line.number, std::string(key), "duplicate key");
      od::value v;
      check(field.value().get(v), line.number, key);
      if (key == "index") {
        std::uint64_t index = 0;
        if (v.get_uint64().get(index))
          fail(line.number, "index", "expected a non-negative integer");
        r.index = index;
      } else if (key == "timestamp") {
        if (!is_null(v)) r.timestamp_ms = millis(v, line.number, key);
      } else if (key == "delay") {
        if (!is_null(v)) r.delay_ms = millis(v, line.number, key);
        if (r.delay_ms > kMaxScheduleMs) {
          fail(line.number, "delay",
               fmt::format("{} ms is over the limit of {} days", *r.delay_ms,
                           kMaxScheduleMs / kDayMs));
        }
      } else if (key == "session_id") {
        std::string_view s;
        if (v.get_string().get(s)) fail(line.number, "session_id", "expected a string");
        r.session_id = s;
      } else if (key == "body") {
        od::object body;
        if (v.get_object().get(body)) fail(line.number, "body", "expected a JSON object");
        write_body(body, line.number, r);
        have_body = true;
      }
    }
    if (!have_body) {
      const bool trace_line = keys_.contains("input_length") || keys_.contains("hash_ids") ||
                              keys_.contains("text_input");
      fail(line.number, "body",
           trace_line ? "missing: this looks like a trace line (input_length, hash_ids), not a "
                        "request: `kvtrace materialize` turns a trace into requests"
                      : "missing: each request needs its body");
    }
    // A request without a session is a session of its own.
    if (r.session_id.empty()) r.session_id = fmt::format("request_{}", r.index);
    return r;
  }

  static bool is_null(od::value& v) {
    bool null = false;
    return !v.is_null().get(null) && null;
  }

  // Copies the body's members but those --extra-body replaces, then the extra members and,
  // when asked, stream_options.
  void write_body(od::object& body, std::uint64_t line, ReplayRequest& r) {
    std::string& out = r.body;
    out.push_back('{');
    bool first = true;
    bool has_prompt = false;
    bool has_stream_options = false;
    body_keys_.clear();
    const auto member = [&](std::string_view raw_key, std::string_view raw) {
      if (!first) out.push_back(',');
      first = false;
      out.push_back('"');
      out.append(raw_key);
      out.append("\":");
      const std::size_t start = out.size();
      out.append(raw);
      return start;
    };
    for (auto field : body) {
      od::raw_json_string raw_key;
      std::string_view key;
      check(field.key().get(raw_key), line, "body");
      check(field.unescaped_key().get(key), line, "body");
      const std::string where = fmt::format("body.{}", key);
      if (!body_keys_.emplace(key).second) fail(line, where, "duplicate key");
      od::value v;
      check(field.value().get(v), line, where);
      std::string_view raw;
      check(raw_value(v, raw), line, where);
      if (replaced(key)) continue;
      if (key == "max_tokens" || key == "max_completion_tokens")
        r.max_tokens = count(raw, line, where);
      if (key == "stream_options") has_stream_options = true;
      if (key == "prompt") has_prompt = true;
      const std::size_t start = member(escaped_key(raw_key.raw(), raw), raw);
      if (key == "messages") {
        if (raw.size() < 2 || raw.front() != '[') fail(line, where, "expected an array");
        r.messages = std::make_pair(start + 1, start + raw.size() - 1);
      }
    }
    for (const ExtraMember& m : extra_) {
      if (m.key == "stream_options") has_stream_options = true;
      if (m.key == "max_tokens" || m.key == "max_completion_tokens") {
        r.max_tokens = count(m.raw_value, line, "extra_body." + m.key);
      }
      member(m.raw_key, m.raw_value);
    }
    if (options_.include_usage && !has_stream_options) {
      member("stream_options", "{\"include_usage\":true}");
    }
    out.push_back('}');
    if (!r.messages && !has_prompt) {
      fail(line, "body", "expected \"messages\" (chat) or \"prompt\" (completions)");
    }
    r.chat = r.messages.has_value();
  }

  std::uint64_t count(std::string_view raw, std::uint64_t line, const std::string& where) const {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
    if (ec != std::errc() || end != raw.data() + raw.size()) {
      fail(line, where, fmt::format("expected a non-negative integer, got {}", raw));
    }
    if (n > kMaxTokensLimit) {
      fail(line, where, fmt::format("{} is over the limit of {}", n, kMaxTokensLimit));
    }
    return n;
  }

  bool replaced(std::string_view key) const {
    for (const ExtraMember& m : extra_) {
      if (m.key == key) return true;
    }
    return false;
  }

  trace::LineReader reader_;
  std::vector<ExtraMember> extra_;
  LoadOptions options_;
  od::parser parser_;
  simdjson::dom::parser validator_;
  std::unordered_set<std::string> keys_;       // the line's, for duplicates
  std::unordered_set<std::string> body_keys_;  // the body's
};

}  // namespace

std::vector<ReplayRequest> load_requests(const std::string& path, const LoadOptions& options) {
  return Loader(path, options).run();
}

}  // namespace kvtrace::replay
