#include "kvtrace/trace/trace_writer.hpp"

#include <future>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/json_writer.hpp"

namespace kvtrace::trace {
namespace {

constexpr std::size_t kFlushBytes = std::size_t{4} << 20;

void append_number(std::string& out, const Number& n) {
  if (n.is_integer) {
    json::append_int(out, n.integer);
  } else {
    json::append_double(out, n.real);
  }
}

}  // namespace

void append_request_json(std::string& out, const Request& r, JsonStyle style) {
  const std::string_view sep = style == JsonStyle::kSpaced ? ", " : ",";
  const std::string_view colon = style == JsonStyle::kSpaced ? ": " : ":";
  bool first = true;
  auto key = [&](std::string_view k) {
    if (!first) out.append(sep);
    first = false;
    out.push_back('"');
    out.append(k);
    out.push_back('"');
    out.append(colon);
  };
  out.push_back('{');
  if (r.timestamp) {
    key("timestamp");
    append_number(out, *r.timestamp);
  }
  if (r.input_length) {
    key("input_length");
    json::append_int(out, *r.input_length);
  }
  if (r.output_length) {
    key("output_length");
    json::append_int(out, *r.output_length);
  }
  if (r.hash_ids) {
    key("hash_ids");
    out.push_back('[');
    for (std::size_t i = 0; i < r.hash_ids->size(); ++i) {
      if (i != 0) out.append(sep);
      json::append_uint(out, (*r.hash_ids)[i]);
    }
    out.push_back(']');
  }
  if (r.session_id) {
    key("session_id");
    json::append_string(out, *r.session_id);
  }
  if (r.delay) {
    key("delay");
    append_number(out, *r.delay);
  }
  if (r.text_input) {
    key("text_input");
    json::append_string(out, *r.text_input);
  }
  for (const ExtraField& f : r.extra) {
    key(f.key);
    out.append(f.raw_value);
  }
  out.push_back('}');
}

TraceWriter::TraceWriter(const std::string& path, JsonStyle style) : file_(path), style_(style) {
  buffer_.reserve(kFlushBytes + 4096);
  spare_.reserve(kFlushBytes + 4096);
}

TraceWriter::~TraceWriter() {
  discard();
}

void TraceWriter::write(const Request& r) {
  append_request_json(buffer_, r, style_);
  buffer_.push_back('\n');
  if (buffer_.size() >= kFlushBytes) hand_off();
}

void TraceWriter::wait() {
  if (pending_.valid()) pending_.get();  // rethrows the background write's IoError
}

void TraceWriter::hand_off() {
  wait();
  if (buffer_.empty()) return;
  // The previous buffer's storage is reused for the next lines while this one is written.
  std::swap(buffer_, spare_);
  buffer_.clear();
  pending_ = std::async(std::launch::async, [this] { file_.write(spare_); });
}

void TraceWriter::flush() {
  hand_off();
  wait();
}

void TraceWriter::close() {
  if (closed_) return;
  closed_ = true;
  try {
    flush();
  } catch (...) {
    try {
      file_.close();
    } catch (const IoError&) {
      // The write error is the one to report.
    }
    throw;
  }
  file_.close();
}

void TraceWriter::discard() noexcept {
  if (closed_) return;
  closed_ = true;
  try {
    flush();  // stdout or a pipe: what was written so far
  } catch (...) {
    // A discarded output's write error is not the failure to report.
  }
  file_.discard();
}

}  // namespace kvtrace::trace
