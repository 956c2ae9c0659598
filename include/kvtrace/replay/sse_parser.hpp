#pragma once
// Incremental parser of a Server-Sent Events stream (the WHATWG event-stream format that
// OpenAI-compatible servers stream): bytes go in as they arrive, split anywhere, and each
// complete event's data comes out. `data:` lines of one event are joined with '\n'; lines
// starting with ':' are comments; `event:`, `id:` and `retry:` are read and ignored; an event
// ends at a blank line. Lines end with "\n", "\r\n" or "\r". Buffers are reused from event to
// event, so a long stream allocates only while its largest event grows.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kvtrace::replay {

class SseParser {
 public:
  // The default limit of an event's data, and of a line: 16 MiB.
  static constexpr std::size_t kMaxEventBytes = std::size_t{16} << 20;

  // Events whose data (or a line) grows beyond this are dropped and counted as oversized.
  explicit SseParser(std::size_t max_event_bytes = kMaxEventBytes)
      : max_event_bytes_(max_event_bytes) {}

  // Feeds the next bytes; calls on_event(std::string_view data) for each event they complete.
  // The view is valid only during the call and is followed by at least kPadding readable
  // bytes (so simdjson can parse it in place).
  template <class OnEvent>
  void feed(std::string_view bytes, OnEvent&& on_event) {
    for (std::size_t i = 0; i < bytes.size();) {
      if (skip_lf_) {
        skip_lf_ = false;
        if (bytes[i] == '\n') {
          ++i;
          continue;
        }
      }
      // The rest of the line in this buffer, up to its end of line when there is one.
      std::size_t end = i;
      while (end < bytes.size() && bytes[end] != '\n' && bytes[end] != '\r') ++end;
      if (end == bytes.size()) {
        append_partial(bytes.substr(i));
        return;
      }
      skip_lf_ = bytes[end] == '\r';
      if (line_.empty() && !line_over_) {
        const std::string_view text = bytes.substr(i, end - i);
        if (text.size() > max_event_bytes_) {
          oversized_ = true;
        } else {
          line(text, on_event);
        }
      } else {
        append_partial(bytes.substr(i, end - i));
        if (!line_over_) line(line_, on_event);
        line_.clear();
        line_over_ = false;
      }
      i = end + 1;
    }
  }

  // Ends the stream: an event left without its blank line is dispatched (servers that close
  // right after the last data line), a partial line counted as truncated.
  template <class OnEvent>
  void finish(OnEvent&& on_event) {
    if (!line_.empty() || line_over_) {
      ++truncated_lines_;
      line_.clear();
      line_over_ = false;
    }
    dispatch(on_event);
  }

  static constexpr std::size_t kPadding = 64;

  std::uint64_t events() const { return events_; }
  std::uint64_t comments() const { return comments_; }
  // Lines that are neither data, comments nor a known field (ignored, as the format says).
  std::uint64_t unknown_lines() const { return unknown_lines_; }
  std::uint64_t oversized_events() const { return oversized_events_; }
  // The current event has grown beyond the limit (it will be dropped when it ends): a reader
  // can give up at once rather than read on to its end.
  bool in_oversized_event() const { return oversized_; }
  std::uint64_t truncated_lines() const { return truncated_lines_; }

  // Back to the start of a stream (a new response), keeping the buffers' memory.
  void reset() {
    line_.clear();
    data_.clear();
    has_data_ = oversized_ = skip_lf_ = line_over_ = false;
    events_ = comments_ = unknown_lines_ = oversized_events_ = truncated_lines_ = 0;
  }

 private:
  // A line is over the limit by its whole length, field name included, however it arrives
  // (whole or in pieces): its event is oversized and the line itself is skipped.
  void append_partial(std::string_view part) {
    if (line_over_) return;
    if (line_.size() + part.size() > max_event_bytes_) {
      oversized_ = line_over_ = true;
      line_.clear();
      return;
    }
    line_.append(part);
  }

  template <class OnEvent>
  void line(std::string_view text, OnEvent& on_event) {
    if (text.empty()) {
      dispatch(on_event);
      return;
    }
    if (text.front() == ':') {
      ++comments_;
      return;
    }
    const std::size_t colon = text.find(':');
    const std::string_view name = text.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = text.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (name == "data") {
      if (data_.size() + value.size() + 1 > max_event_bytes_) {
        oversized_ = true;
        return;
      }
      if (has_data_) data_.push_back('\n');
      data_.append(value);
      has_data_ = true;
    } else if (name != "event" && name != "id" && name != "retry") {
      ++unknown_lines_;
    }
  }

  template <class OnEvent>
  void dispatch(OnEvent& on_event) {
    if (oversized_) {
      ++oversized_events_;
    } else if (has_data_) {
      ++events_;
      const std::size_t size = data_.size();
      data_.resize(size + kPadding, ' ');  // padding for in-place JSON parsing
      on_event(std::string_view(data_.data(), size));
    }
    data_.clear();
    has_data_ = oversized_ = false;
  }

  std::size_t max_event_bytes_;
  std::string line_;  // a line split between two feeds
  std::string data_;  // the current event's data
  bool has_data_ = false;
  bool oversized_ = false;
  bool skip_lf_ = false;    // the last line ended with '\r': a '\n' next belongs to it
  bool line_over_ = false;  // the line being read is over the limit: skipped to its end
  std::uint64_t events_ = 0;
  std::uint64_t comments_ = 0;
  std::uint64_t unknown_lines_ = 0;
  std::uint64_t oversized_events_ = 0;
  std::uint64_t truncated_lines_ = 0;
};

}  // namespace kvtrace::replay
