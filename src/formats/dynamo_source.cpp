#include "kvtrace/formats/dynamo_source.hpp"

#include <simdjson.h>

#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <limits>

#include "formats/dense_ids.hpp"
#include "formats/json_fields.hpp"

namespace kvtrace::formats {

namespace {

namespace dom = simdjson::dom;
using trace::FieldProblem;

constexpr std::string_view kDynamoSchema = "dynamo.request.trace.v1";

enum class EventKind { kRequest, kOther, kBad };

// What a request_end event gives, kept from line to line so that its storage is reused.
struct Event {
  std::uint64_t arrival = 0;     // request.request_received_ms
  std::uint64_t block_size = 0;  // request.replay.trace_block_size
  std::string request_id;
  std::int64_t input_length = 0;
  std::int64_t output_length = 0;
  std::vector<std::uint64_t> hash_ids;
  std::optional<std::string> session_id;
  std::string extra;  // packed as Record::extra
};

// One line of a Dynamo request trace, parsed: a request_end event into `out`, the type of
// any other event into `event_type`, or the line's problems.
class EventParser {
 public:
  EventKind parse(const trace::Line& line, Event& out, std::string& event_type,
                  std::vector<FieldProblem>& problems) {
    fields_ = JsonFields(problems);
    out.arrival = 0;
    out.block_size = 0;
    out.session_id.reset();
    out.extra.clear();
    dom::element root;
    if (auto e = parser_.parse(line.text.data(), line.text.size(), false).get(root)) {
      fields_.problem("", std::string("invalid JSON: ") + simdjson::error_message(e));
      return EventKind::kBad;
    }
    dom::object record;
    if (root.get_object().get(record)) {
      fields_.problem("", "expected a JSON object, got " + describe_json(root));
      return EventKind::kBad;
    }
    // Dynamo's JSONL sink may wrap each event: {"timestamp": …, "event": {…}}.
    if (dom::object inner; !record["event"].get_object().get(inner)) {
      record = inner;
      fields_.prefix = "event.";
    }
    const auto schema = fields_.string(record, "schema", true);
    if (schema && *schema != kDynamoSchema) {
      fields_.problem("schema", "expected \"" + std::string(kDynamoSchema) + "\", got " +
                                    describe_json(record["schema"].value_unsafe()));
    }
    const auto type = fields_.string(record, "event_type", true);
    if (fields_.failed()) return EventKind::kBad;
    if (*type != "request_end") {
      event_type = *type;
      return EventKind::kOther;
    }
    fields_.unsigned_integer(record, "event_time_unix_ms", true);
    for (auto [key, value] : record) {
      if (key == "agent_context") {
        agent_context(value, out);
      } else if (key == "request") {
        request(value, out);
      } else if (key != "schema" && key != "event_type") {
        extra(key, value, out);
      }
    }
    if (!record["request"].error() && !fields_.failed()) return EventKind::kRequest;
    if (record["request"].error()) fields_.problem("request", "missing");
    return EventKind::kBad;
  }

 private:
  // Appends the field to out.extra, its value minified through one reused builder
  // (simdjson::minify would make a string of each).
  void extra(std::string_view key, dom::element value, Event& out) {
    append_json_escaped(out.extra, key);
    out.extra.push_back('\0');
    minified_.clear();
    minified_.append(value);
    out.extra.append(minified_.str()).push_back('\0');
  }

  void agent_context(dom::element value, Event& out) {
    dom::object context;
    if (value.get_object().get(context)) {
      fields_.problem("agent_context", "expected an object, got " + describe_json(value));
      return;
    }
    const std::string saved = fields_.prefix;
    fields_.prefix += "agent_context.";
    if (auto id = fields_.string(context, "session_id", true)) out.session_id = std::string(*id);
    for (auto [key, v] : context) {
      if (key == "session_id") continue;
      if (key == "parent_session_id" && !v.is_null()) fields_.string(context, key, false);
      extra(key, v, out);
    }
    fields_.prefix = saved;
  }

  void request(dom::element value, Event& out) {
    dom::object req;
    if (value.get_object().get(req)) {
      fields_.problem("request", "expected an object, got " + describe_json(value));
      return;
    }
    const std::string saved = fields_.prefix;
    fields_.prefix += "request.";
    if (auto id = fields_.string(req, "request_id", true)) out.request_id.assign(*id);
    if (auto ms = fields_.unsigned_integer(req, "request_received_ms", true)) out.arrival = *ms;
    if (auto n = fields_.length(req, "output_tokens", true)) out.output_length = *n;
    dom::object replay;
    const auto replay_value = req["replay"];
    if (replay_value.error()) {
      fields_.problem("replay", "missing (kvtrace needs the replay block of each request)");
    } else if (replay_value.get_object().get(replay)) {
      fields_.problem("replay",
                      "expected an object, got " + describe_json(replay_value.value_unsafe()));
    } else {
      fields_.prefix += "replay.";
      if (auto size = fields_.unsigned_integer(replay, "trace_block_size", true)) {
        if (*size == 0 || *size > std::numeric_limits<std::uint32_t>::max()) {
          fields_.problem("trace_block_size",
                          "must be between 1 and 2^32-1, got " + std::to_string(*size));
        } else {
          out.block_size = *size;
        }
      }
      if (auto n = fields_.length(replay, "input_length", true)) out.input_length = *n;
      fields_.u64_array(replay, "input_sequence_hashes", true, out.hash_ids);
      fields_.prefix = saved + "request.";
    }
    for (auto [key, v] : req) {
      if (key == "request_received_ms" || key == "output_tokens" || key == "replay") continue;
      // What analyze and simulate set beside their prediction (trace/measured_cache.hpp).
      if (key == "cached_tokens" && !v.is_null()) fields_.unsigned_integer(req, key, false);
      extra(key, v, out);
    }
    fields_.prefix = saved;
  }

  dom::parser parser_;
  simdjson::internal::string_builder<> minified_;
  JsonFields fields_{nullptr};
};

std::string counted(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

DynamoSource::DynamoSource(std::unique_ptr<trace::LineReader> input) : lines_(std::move(input)) {
  read_all();
  order_and_size_ids();
}

void DynamoSource::read_all() {
  EventParser parser;
  boost::unordered_flat_map<std::string, std::uint64_t> request_lines;
  trace::Line text;
  std::vector<FieldProblem> problems;
  Event event;
  std::string event_type;
  while (lines_->next(text)) {
    ++line_count_;
    if (auto p = trace::unread_line_problem(text, *lines_)) {
      bad_.push_back({text.number, {std::move(*p)}});
      continue;
    }
    if (trace::is_blank(text.text)) {
      ++blank_lines_;
      continue;
    }
    problems.clear();
    const EventKind kind = parser.parse(text, event, event_type, problems);
    const std::uint64_t block_size = event.block_size;
    if (kind == EventKind::kOther) {
      auto it = std::find_if(other_events_.begin(), other_events_.end(),
                             [&](const auto& e) { return e.first == event_type; });
      if (it == other_events_.end()) {
        other_events_.emplace_back(event_type, 1);
      } else {
        ++it->second;
      }
      continue;
    }
    if (kind == EventKind::kRequest && block_size_ && *block_size_ != block_size) {
      problems.push_back({"request.replay.trace_block_size",
                          std::to_string(block_size) + " differs from " +
                              std::to_string(*block_size_) + ", the block size of line " +
                              std::to_string(block_size_line_) + " (a trace has one block size)"});
    }
    if (kind == EventKind::kRequest && problems.empty()) {
      const auto [it, fresh] = request_lines.try_emplace(event.request_id, text.number);
      if (!fresh) {
        problems.push_back(
            {"request.request_id",
             "\"" + event.request_id + "\" is also the id of line " + std::to_string(it->second)});
      }
    }
    if (!problems.empty()) {
      bad_.push_back({text.number, problems});
      continue;
    }
    if (!block_size_) {
      block_size_ = static_cast<std::uint32_t>(block_size);
      block_size_line_ = text.number;
    }
    Record& r = records_.emplace_back();
    r.arrival = event.arrival;
    r.line = text.number;
    r.input_length = event.input_length;
    r.output_length = event.output_length;
    r.hash_ids = event.hash_ids;  // a copy of its exact size; the event's storage stays
    r.session_id = std::move(event.session_id);
    r.extra = event.extra;
  }
}

DynamoSource::~DynamoSource() = default;

void DynamoSource::order_and_size_ids() {
  std::uint64_t latest = 0;
  order_.reserve(records_.size());
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const std::uint64_t arrival = records_[i].arrival;
    if (arrival < latest) ++out_of_order_;
    latest = std::max(latest, arrival);
    order_.push_back({arrival, i});
  }
  // (arrival, file position) pairs: sorted, the records' stable order by arrival, without
  // moving the records themselves.
  std::sort(order_.begin(), order_.end());
  if (records_.empty()) return;
  first_arrival_ = order_.front().first;
  // The table of dense ids is sized once, for an estimate of the distinct hashes (at most
  // all of them), not grown by rehashing; next() numbers each record as it hands it out.
  DistinctEstimate estimate;
  std::uint64_t hashes = 0;
  for (const Record& r : records_) {
    for (const std::uint64_t hash : r.hash_ids) estimate.add(hash);
    hashes += r.hash_ids.size();
  }
  ids_ = std::make_unique<DenseIds>();
  ids_->reserve(std::min(hashes, estimate.estimate() + estimate.estimate() / 32 + 64));
  for (std::size_t i = 0; i < kPrefetchAhead; ++i) prefetch_next();
  std::sort(other_events_.begin(), other_events_.end());
}

void DynamoSource::prefetch_next() {
  for (; ahead_record_ < order_.size(); ++ahead_record_, ahead_hash_ = 0) {
    const std::vector<std::uint64_t>& h = records_[order_[ahead_record_].second].hash_ids;
    if (ahead_hash_ < h.size()) {
      if (ahead_hash_ == 0) prefetch_records(ahead_record_);
      ids_->prefetch(h[ahead_hash_++]);
      return;
    }
  }
}

void DynamoSource::prefetch_records(std::size_t at) const {
  // The records come in arrival order, scattered over the file order they are stored in:
  // the record a few further ahead, and the hashes of the one before it (whose record has
  // been loaded by then).
  constexpr std::size_t kRecordsAhead = 8;
  if (at + 2 * kRecordsAhead < order_.size()) {
    __builtin_prefetch(&records_[order_[at + 2 * kRecordsAhead].second]);
  }
  if (at + kRecordsAhead < order_.size()) {
    __builtin_prefetch(records_[order_[at + kRecordsAhead].second].hash_ids.data());
  }
}

trace::SourceResult DynamoSource::next(trace::Request& out, std::uint64_t& line,
                                       std::vector<FieldProblem>& problems) {
  if (next_bad_ < bad_.size()) {
    BadRecord& bad = bad_[next_bad_++];
    line = bad.line;
    problems.insert(problems.end(), bad.problems.begin(), bad.problems.end());
    return trace::SourceResult::kBad;
  }
  if (next_record_ < records_.size()) {
    Record& r = records_[order_[next_record_++].second];
    line = r.line;
    // Dense ids in order of first appearance in arrival order: the records before this one
    // have been numbered.
    for (std::uint64_t& hash : r.hash_ids) {
      prefetch_next();
      hash = ids_->number(hash);
    }
    if (next_record_ == records_.size()) ids_.reset();
    // Every field of `out` is set: its extra fields' strings are reused, not reallocated.
    out.timestamp = trace::Number::of_int(static_cast<std::int64_t>(r.arrival - first_arrival_));
    out.input_length = r.input_length;
    out.output_length = r.output_length;
    out.hash_ids = std::move(r.hash_ids);
    out.session_id = std::move(r.session_id);
    out.delay.reset();
    out.text_input.reset();
    std::size_t fields = 0;
    for (std::size_t at = 0; at < r.extra.size(); ++fields) {
      const std::size_t key_end = r.extra.find('\0', at);
      const std::size_t value_end = r.extra.find('\0', key_end + 1);
      if (fields == out.extra.size()) out.extra.emplace_back();
      trace::ExtraField& f = out.extra[fields];
      f.key.assign(r.extra, at, key_end - at);
      f.raw_value.assign(r.extra, key_end + 1, value_end - key_end - 1);
      at = value_end + 1;
    }
    out.extra.resize(fields);
    std::string().swap(r.extra);  // the trace is read once: free its memory as it goes
    return trace::SourceResult::kRequest;
  }
  return trace::SourceResult::kEnd;
}

std::vector<std::string> DynamoSource::notes() const {
  std::vector<std::string> notes;
  if (!records_.empty()) {
    notes.push_back(
        "timestamps are milliseconds since the first arrival, at "
        "request.request_received_ms " +
        std::to_string(first_arrival_) + " (Unix time, ms)");
  }
  if (out_of_order_ > 0) {
    notes.push_back(counted(out_of_order_, "request_end event", "request_end events") +
                    " came after a later arrival in the file; requests are read in arrival "
                    "order");
  }
  if (!other_events_.empty()) {
    std::string list;
    std::uint64_t total = 0;
    for (const auto& [type, count] : other_events_) {
      if (!list.empty()) list += ", ";
      list += std::to_string(count) + " " + type;
      total += count;
    }
    notes.push_back(counted(total, "event", "events") +
                    " other than request_end counted, not read (" + list + ")");
  }
  return notes;
}

}  // namespace kvtrace::formats
