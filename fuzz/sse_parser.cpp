// Fuzz target: replay::SseParser. The input's tail picks the event size limit and the chunk
// sizes, the rest is the stream. Property: the stream fed whole and fed in those chunks gives
// the same events and the same counts; every event's data is followed by kPadding readable
// bytes.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/replay/sse_parser.hpp"

namespace {

struct Outcome {
  std::vector<std::string> events;
  std::uint64_t counts[5] = {};
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome run(std::size_t max_event_bytes, std::string_view stream,
            const std::vector<std::size_t>& chunks) {
  kvtrace::replay::SseParser parser(max_event_bytes);
  Outcome out;
  const auto on_event = [&](std::string_view data) {
    // Reads the padding, so that ASan checks it is there.
    volatile char last = data.data()[data.size() + kvtrace::replay::SseParser::kPadding - 1];
    (void)last;
    out.events.emplace_back(data);
  };
  std::size_t at = 0;
  for (std::size_t i = 0; at < stream.size(); ++i) {
    const std::size_t n =
        chunks.empty() ? stream.size() : std::min(chunks[i % chunks.size()], stream.size() - at);
    parser.feed(stream.substr(at, n), on_event);
    at += n;
  }
  parser.finish(on_event);
  out.counts[0] = parser.events();
  out.counts[1] = parser.comments();
  out.counts[2] = parser.unknown_lines();
  out.counts[3] = parser.oversized_events();
  out.counts[4] = parser.truncated_lines();
  if (out.counts[0] != out.events.size()) std::abort();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  // Small limits reach the oversized-event paths with small inputs.
  const std::size_t max_event_bytes =
      fdp.ConsumeBool() ? std::size_t{16} << 20 : fdp.ConsumeIntegralInRange<std::size_t>(1, 256);
  std::vector<std::size_t> chunks(fdp.ConsumeIntegralInRange<std::size_t>(1, 8));
  for (std::size_t& c : chunks) c = fdp.ConsumeIntegralInRange<std::size_t>(1, 64);
  const std::string stream = fdp.ConsumeRemainingBytesAsString();

  const Outcome whole = run(max_event_bytes, stream, {});
  if (!(run(max_event_bytes, stream, chunks) == whole)) std::abort();
  if (!(run(max_event_bytes, stream, {1}) == whole)) std::abort();
  return 0;
}
