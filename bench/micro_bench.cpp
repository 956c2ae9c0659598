// Google Benchmark micro-benchmarks of analyze's hot paths, on the bundled sample trace:
// parsing lines into Requests, the analyzer's per-request work, and its finish().

#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/synthesis/rewrite.hpp"
#include "kvtrace/synthesis/sample_mode.hpp"
#include "kvtrace/trace/request_parser.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace {

const std::string kSample =
    std::string(KVTRACE_SOURCE_DIR) + "/examples/fast25-conversation-1k.jsonl";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void BM_ParseLines(benchmark::State& state) {
  const std::string text = read_file(kSample);
  std::string padded = text + std::string(kvtrace::trace::kLinePadding, ' ');
  std::vector<kvtrace::trace::Line> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::size_t stop = end == std::string::npos ? text.size() : end;
    lines.push_back(
        {std::string_view(padded.data() + start, stop - start), padded.size() - start, 0});
    start = stop + 1;
  }
  kvtrace::trace::RequestParser parser;
  kvtrace::trace::Request request;
  std::vector<kvtrace::trace::FieldProblem> problems;
  for (auto _ : state) {
    for (const auto& line : lines) benchmark::DoNotOptimize(parser.parse(line, request, problems));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(lines.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseLines);

// Many copies of the sample, each copy's ids shifted past the previous copy's largest, as
// bench/make_big_trace builds them (ids stay in first-seen order, like Mooncake traces).
std::vector<kvtrace::trace::Request> shifted_copies(int copies) {
  const auto base = kvtrace::trace::read_all(kSample);
  std::uint64_t span = 0;
  for (const auto& r : base) {
    for (auto id : *r.hash_ids) span = std::max(span, id + 1);
  }
  std::vector<kvtrace::trace::Request> out;
  for (int c = 0; c < copies; ++c) {
    for (auto r : base) {
      for (auto& id : *r.hash_ids) id += static_cast<std::uint64_t>(c) * span;
      out.push_back(std::move(r));
    }
  }
  return out;
}

void BM_AnalyzerAdd(benchmark::State& state) {
  const auto requests = shifted_copies(20);
  std::int64_t blocks = 0;
  for (const auto& r : requests) blocks += static_cast<std::int64_t>(r.hash_ids->size());
  for (auto _ : state) {
    kvtrace::analysis::PrefixAnalyzer analyzer;
    for (const auto& r : requests) analyzer.add(r);
    benchmark::DoNotOptimize(analyzer.requests());
  }
  state.SetItemsProcessed(state.iterations() * blocks);
}
BENCHMARK(BM_AnalyzerAdd)->Unit(benchmark::kMillisecond);

// The same with every id replaced by a random 64-bit one (a consistent mapping), as raw
// hashes are: 200 copies, 4.8 M ids of which 2.4 M distinct, so that the id map (tens of MB)
// is out of the cache as on large traces and every lookup is a random memory access.
void BM_AnalyzerAddRandomIds(benchmark::State& state) {
  auto requests = shifted_copies(200);
  std::uint64_t rng = 1;
  std::vector<std::uint64_t> random_of;
  std::int64_t blocks = 0;
  for (auto& r : requests) {
    for (auto& id : *r.hash_ids) {
      while (random_of.size() <= id) {
        std::uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        random_of.push_back(z ^ (z >> 31));
      }
      id = random_of[id];
    }
    blocks += static_cast<std::int64_t>(r.hash_ids->size());
  }
  for (auto _ : state) {
    kvtrace::analysis::PrefixAnalyzer analyzer;
    analyzer.add(requests);  // as analyze does, a batch at a time
    benchmark::DoNotOptimize(analyzer.requests());
  }
  state.SetItemsProcessed(state.iterations() * blocks);
}
BENCHMARK(BM_AnalyzerAddRandomIds)->Unit(benchmark::kMillisecond);

void BM_AnalyzerFinish(benchmark::State& state) {
  const auto requests = shifted_copies(20);
  for (auto _ : state) {
    state.PauseTiming();
    kvtrace::analysis::PrefixAnalyzer analyzer;
    for (const auto& r : requests) analyzer.add(r);
    state.ResumeTiming();
    benchmark::DoNotOptimize(analyzer.finish());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests.size()));
}
BENCHMARK(BM_AnalyzerFinish)->Unit(benchmark::kMillisecond);

// Rewrite mode's processing, excluding I/O: 20 shifted copies of the sample (20,000 requests).
void BM_RewriteTrace(benchmark::State& state) {
  const auto requests = shifted_copies(20);
  kvtrace::synthesis::SynthesisParams p;
  p.speedup_ratio = 2;
  p.prefix_len_multiplier = 1.5;
  p.prefix_root_multiplier = 4;
  for (auto _ : state) {
    state.PauseTiming();
    auto copy = requests;
    state.ResumeTiming();
    benchmark::DoNotOptimize(
        kvtrace::synthesis::rewrite_trace(copy, p, kvtrace::synthesis::RewriteMode::kKvtrace));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests.size()));
}
BENCHMARK(BM_RewriteTrace)->Unit(benchmark::kMillisecond);

// Sample mode: learn from the 1,000-request sample, generate 100,000 requests (no I/O).
void BM_SampleGenerate(benchmark::State& state) {
  const auto input = kvtrace::trace::read_all(kSample);
  std::uint64_t blocks = 0;
  for (auto _ : state) {
    kvtrace::synthesis::sample_trace(input, {}, 100000, [&](const kvtrace::trace::Request& r) {
      blocks += r.hash_ids ? r.hash_ids->size() : 0;
    });
  }
  benchmark::DoNotOptimize(blocks);
  state.SetItemsProcessed(state.iterations() * 100000);
}
BENCHMARK(BM_SampleGenerate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
