// Google Benchmark of the cache simulator's hot paths: CacheSim::access per policy at a fixed
// capacity, and the one-pass lru curve. Items are block accesses.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kvtrace/analysis/id_index.hpp"
#include "kvtrace/cache/cache_sim.hpp"
#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace {

using Blocks = std::vector<std::uint64_t>;

const std::string kSample =
    std::string(KVTRACE_SOURCE_DIR) + "/examples/fast25-conversation-1k.jsonl";

// The bundled sample's 1,000 requests (27,305 blocks) 20 times over, each copy's ids shifted
// past the previous copy's, as in the analyzer benchmarks.
const std::vector<Blocks>& sample_requests() {
  static const std::vector<Blocks> requests = [] {
    const auto trace = kvtrace::trace::read_all(kSample);
    std::vector<Blocks> out;
    for (std::uint64_t copy = 0; copy < 20; ++copy) {
      for (const auto& r : trace) {
        Blocks b = r.hash_ids.value_or(Blocks{});
        for (auto& id : b) id += copy * 1'000'000;
        out.push_back(std::move(b));
      }
    }
    return out;
  }();
  return requests;
}

// Requests over a tree of 2M blocks: a random earlier request's prefix plus new blocks, so
// a pool of 256K blocks misses the hash map's and the nodes' CPU caches.
const std::vector<Blocks>& tree_requests() {
  static const std::vector<Blocks> requests = [] {
    std::mt19937_64 rng(1);
    std::vector<Blocks> out;
    std::uint64_t next = 0;
    while (next < 2'000'000) {
      Blocks r;
      if (!out.empty() && rng() % 4 != 0) {
        const Blocks& base = out[rng() % out.size()];
        r.assign(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(1 + rng() % base.size()));
      }
      for (std::uint64_t k = rng() % 24; k-- > 0;) r.push_back(next++);
      if (r.empty()) r.push_back(next++);
      out.push_back(std::move(r));
    }
    return out;
  }();
  return requests;
}

// The requests of the trace named by $KVTRACE_BENCH_TRACE (e.g. the 1M-request benchmark
// trace), or none.
const std::vector<Blocks>& env_trace_requests() {
  static const std::vector<Blocks> requests = [] {
    std::vector<Blocks> out;
    const char* path = std::getenv("KVTRACE_BENCH_TRACE");
    if (path == nullptr) return out;
    kvtrace::trace::TraceReader reader(path);
    kvtrace::trace::Request r;
    while (reader.next(r)) out.push_back(r.hash_ids.value_or(Blocks{}));
    return out;
  }();
  return requests;
}

std::int64_t count_blocks(const std::vector<Blocks>& requests) {
  std::int64_t n = 0;
  for (const auto& r : requests) n += static_cast<std::int64_t>(r.size());
  return n;
}

// The same requests with their ids numbered densely in first-seen order, as ClusterSim
// passes them to its pools.
std::vector<Blocks> interned(const std::vector<Blocks>& requests) {
  kvtrace::analysis::IdIndex index;
  std::vector<Blocks> out = requests;
  bool created = false;
  for (auto& r : out) {
    for (auto& id : r) id = index.intern(id, created);
  }
  return out;
}

void run_access(benchmark::State& state, const std::vector<Blocks>& requests,
                kvtrace::cache::Policy policy, bool dense = false) {
  const auto capacity = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t hits = 0;
  for (auto _ : state) {
    kvtrace::cache::CacheSim sim(
        {.capacity_blocks = capacity, .policy = policy, .dense_ids = dense});
    for (const auto& r : requests) hits += sim.access(r);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations() * count_blocks(requests));
}

void BM_LruSample(benchmark::State& state) {
  run_access(state, sample_requests(), kvtrace::cache::Policy::kLru);
}
void BM_LruSampleDense(benchmark::State& state) {
  static const auto requests = interned(sample_requests());
  run_access(state, requests, kvtrace::cache::Policy::kLru, true);
}
void BM_LineageSample(benchmark::State& state) {
  run_access(state, sample_requests(), kvtrace::cache::Policy::kLineage);
}
void BM_FifoSample(benchmark::State& state) {
  run_access(state, sample_requests(), kvtrace::cache::Policy::kFifo);
}
void BM_LruTree(benchmark::State& state) {
  run_access(state, tree_requests(), kvtrace::cache::Policy::kLru);
}
void BM_LineageTree(benchmark::State& state) {
  run_access(state, tree_requests(), kvtrace::cache::Policy::kLineage);
}

void BM_LruTrace(benchmark::State& state) {
  if (env_trace_requests().empty()) {
    state.SkipWithError("set KVTRACE_BENCH_TRACE to a trace");
    return;
  }
  run_access(state, env_trace_requests(), kvtrace::cache::Policy::kLru);
}

void BM_LruTraceDense(benchmark::State& state) {
  if (env_trace_requests().empty()) {
    state.SkipWithError("set KVTRACE_BENCH_TRACE to a trace");
    return;
  }
  static const auto requests = interned(env_trace_requests());
  run_access(state, requests, kvtrace::cache::Policy::kLru, true);
}

void BM_CurveTrace(benchmark::State& state) {
  const auto& requests = env_trace_requests();
  if (requests.empty()) {
    state.SkipWithError("set KVTRACE_BENCH_TRACE to a trace");
    return;
  }
  for (auto _ : state) {
    kvtrace::cache::LruCurve curve(512);
    for (const auto& r : requests) curve.add(r, static_cast<std::int64_t>(r.size() * 512));
    benchmark::DoNotOptimize(curve.finish());
  }
  state.SetItemsProcessed(state.iterations() * count_blocks(requests));
}

void BM_CurveSample(benchmark::State& state) {
  const auto& requests = sample_requests();
  for (auto _ : state) {
    kvtrace::cache::LruCurve curve(512);
    for (const auto& r : requests) curve.add(r, static_cast<std::int64_t>(r.size() * 512));
    benchmark::DoNotOptimize(curve.finish());
  }
  state.SetItemsProcessed(state.iterations() * count_blocks(requests));
}

BENCHMARK(BM_LruSample)->Arg(4096)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LruSampleDense)->Arg(4096)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LineageSample)->Arg(4096)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FifoSample)->Arg(4096)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LruTree)->Arg(262144)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LineageTree)->Arg(262144)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CurveSample)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LruTrace)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LruTraceDense)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CurveTrace)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
