// The replay's per-token hot path: SSE parsing and stream-chunk reading, as a response of 64
// chat chunks (plus usage and [DONE]) arrives one event per read, or all in one buffer.
// End-to-end figures against the mock server: bench/replay_bench.sh.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "kvtrace/replay/sse_parser.hpp"
#include "kvtrace/replay/stream_chunk.hpp"

namespace {

using kvtrace::replay::ChunkReader;
using kvtrace::replay::SseParser;
using kvtrace::replay::StreamChunk;

std::vector<std::string> events() {
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i) {
    out.push_back(fmt::format(
        "data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
        "\"model\":\"kvtrace-mock\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" "
        "tok{}\"}},\"finish_reason\":null}}]}}\n\n",
        i));
  }
  out.push_back(
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":64}}\n\n");
  out.push_back("data: [DONE]\n\n");
  return out;
}

void run(benchmark::State& state, bool one_buffer) {
  const std::vector<std::string> pieces = events();
  std::string whole;
  for (const auto& p : pieces) whole += p;
  SseParser parser;
  ChunkReader reader;
  StreamChunk chunk;
  std::string text;
  std::uint64_t n = 0;
  const auto on_event = [&](std::string_view data) {
    reader.read(data, chunk);
    text.append(chunk.text);
    ++n;
  };
  for (auto _ : state) {
    parser.reset();
    text.clear();
    if (one_buffer) {
      parser.feed(whole, on_event);
    } else {
      for (const auto& p : pieces) parser.feed(p, on_event);
    }
    parser.finish(on_event);
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * whole.size()));
}

void BM_SseResponseEventPerRead(benchmark::State& state) {
  run(state, false);
}
void BM_SseResponseOneBuffer(benchmark::State& state) {
  run(state, true);
}
BENCHMARK(BM_SseResponseEventPerRead);
BENCHMARK(BM_SseResponseOneBuffer);

}  // namespace

BENCHMARK_MAIN();
