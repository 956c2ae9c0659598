#include "kvtrace/trace/trace_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>

#include "kvtrace/error.hpp"
#include "kvtrace/trace/json_out.hpp"

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

TraceWriter::TraceWriter(const std::string& path, JsonStyle style)
    : name_(path == "-" ? "<stdout>" : path), style_(style) {
  if (path == "-") {
    fd_ = STDOUT_FILENO;
  } else {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw IoError("cannot create " + path + ": " + std::strerror(errno));
    owns_fd_ = true;
  }
  buffer_.reserve(kFlushBytes + 4096);
  spare_.reserve(kFlushBytes + 4096);
}

TraceWriter::~TraceWriter() {
  try {
    close();
  } catch (const IoError&) {
    // Callers that care about write errors call close() themselves.
  }
}

void TraceWriter::write(const Request& r) {
  append_request_json(buffer_, r, style_);
  buffer_.push_back('\n');
  if (buffer_.size() >= kFlushBytes) hand_off();
}

void TraceWriter::write_all(const std::string& data) const {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write " + name_ + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
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
  pending_ = std::async(std::launch::async, [this] { write_all(spare_); });
}

void TraceWriter::flush() {
  hand_off();
  wait();
}

void TraceWriter::close() {
  if (fd_ < 0) return;
  try {
    flush();
  } catch (...) {
    if (owns_fd_) ::close(fd_);
    fd_ = -1;
    throw;
  }
  if (owns_fd_ && ::close(fd_) != 0) {
    fd_ = -1;
    throw IoError("cannot close " + name_ + ": " + std::strerror(errno));
  }
  fd_ = -1;
}

}  // namespace kvtrace::trace
