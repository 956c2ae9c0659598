// Google Benchmark micro-benchmarks of the hashing part: block + sequence hashing of 1M random
// tokens next to raw XXH3 over the same bytes, and PositionalRadixTree inserts and lookups
// with 1M entries on 1 and 2 threads. Command and results: the issue 4 report.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "kvtrace/hashing/block_hash.hpp"
#include "kvtrace/hashing/positional_radix_tree.hpp"
#include "kvtrace/hashing/token_block_sequence.hpp"

// The same header-only build of XXH3 the library uses, so the baseline is the same code.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace {

namespace kh = kvtrace::hashing;

constexpr std::size_t kTokens = std::size_t{1} << 20;
constexpr std::size_t kEntries = 1'000'000;
constexpr std::size_t kPositions = 1000;  // 1000 sequences of 1000 blocks, all distinct

const std::vector<kh::Token>& random_tokens() {
  static const std::vector<kh::Token> tokens = [] {
    std::vector<kh::Token> t(kTokens);
    std::mt19937 rng(42);
    for (auto& x : t) x = static_cast<kh::Token>(rng() % 152064);  // a Qwen-sized vocabulary
    return t;
  }();
  return tokens;
}

void set_token_counters(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kTokens));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kTokens * 4));
}

// XXH3_64bits_withSeed of every complete block: the floor for block hashing alone.
void BM_RawXxh3PerBlock(benchmark::State& state) {
  const auto& tokens = random_tokens();
  const auto bs = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint64_t> out(tokens.size() / bs);
  for (auto _ : state) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = XXH3_64bits_withSeed(tokens.data() + i * bs, bs * 4, kh::kBaseSeed);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_token_counters(state);
}
BENCHMARK(BM_RawXxh3PerBlock)->Arg(16)->Arg(64)->Arg(512);

// XXH3 of 16-byte words, one per block, independent of each other: the chain step's work
// without its dependency. Block + sequence hashing can reach at most
// t(RawXxh3PerBlock) / (t(RawXxh3PerBlock) + t(RawXxh3ChainWords)) of raw XXH3.
void BM_RawXxh3ChainWords(benchmark::State& state) {
  const auto& tokens = random_tokens();
  const auto bs = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint64_t> out(tokens.size() / bs);
  for (auto _ : state) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = XXH3_64bits_withSeed(tokens.data() + i * bs, 16, kh::kChainSeed);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_token_counters(state);
}
BENCHMARK(BM_RawXxh3ChainWords)->Arg(16)->Arg(64)->Arg(512);

// One XXH3_64bits call over all 4 MiB: the streaming ceiling, no per-block cost.
void BM_RawXxh3Whole(benchmark::State& state) {
  const auto& tokens = random_tokens();
  for (auto _ : state) {
    benchmark::DoNotOptimize(XXH3_64bits(tokens.data(), tokens.size() * 4));
  }
  set_token_counters(state);
}
BENCHMARK(BM_RawXxh3Whole);

// Block hash + chained sequence hash of every complete block.
void BM_HashBlocks(benchmark::State& state) {
  const auto& tokens = random_tokens();
  const auto bs = static_cast<std::size_t>(state.range(0));
  std::vector<kh::BlockHash> blocks(tokens.size() / bs);
  std::vector<kh::SequenceHash> seqs(tokens.size() / bs);
  for (auto _ : state) {
    kh::hash_blocks(tokens, bs, kh::kBaseSeed, blocks, seqs);
    benchmark::DoNotOptimize(seqs.data());
    benchmark::ClobberMemory();
  }
  set_token_counters(state);
}
BENCHMARK(BM_HashBlocks)->Arg(16)->Arg(64)->Arg(512);

// The full TokenBlockSequence (a token vector and positional hash per block).
void BM_TokenBlockSequence(benchmark::State& state) {
  const auto& tokens = random_tokens();
  const auto bs = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const kh::TokenBlockSequence seq(tokens, bs, kh::kBaseSeed);
    benchmark::DoNotOptimize(seq.blocks().data());
  }
  set_token_counters(state);
}
BENCHMARK(BM_TokenBlockSequence)->Arg(16)->Arg(64);

// --- PositionalRadixTree ----------------------------------------------------------------

using Tree = kh::PositionalRadixTree<std::uint64_t>;

// kEntries distinct keys, kPositions positions, in random order.
const std::vector<kh::PositionalSequenceHash>& tree_keys() {
  static const std::vector<kh::PositionalSequenceHash> keys = [] {
    std::vector<kh::PositionalSequenceHash> k;
    k.reserve(kEntries);
    std::mt19937_64 rng(7);
    for (std::size_t i = 0; i < kEntries; ++i) k.emplace_back(rng(), i % kPositions, rng());
    std::shuffle(k.begin(), k.end(), rng);
    return k;
  }();
  return keys;
}

// Threads split the keys and insert them into one fresh tree: a full 1M-entry build. The
// real time of the build on 1 thread over that on 2 is the speedup.
void BM_TreeInsert(benchmark::State& state) {
  static std::unique_ptr<Tree> tree;
  const auto& keys = tree_keys();
  if (state.thread_index() == 0) tree = std::make_unique<Tree>();  // before the start barrier
  const std::size_t n = keys.size() / static_cast<std::size_t>(state.threads());
  const std::size_t begin = n * static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    for (std::size_t i = begin; i < begin + n; ++i) tree->insert(keys[i], i);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_TreeInsert)->Iterations(1)->Threads(1)->Threads(2)->UseRealTime();

// Lookups of present keys in a 1M-entry tree, each thread in its own random order. An
// iteration is kBatch lookups split over the threads, so its real time falls with scaling:
// the 1-thread time over the 2-thread time is the speedup.
void BM_TreeLookup(benchmark::State& state) {
  static const std::unique_ptr<Tree> tree = [] {
    auto t = std::make_unique<Tree>();
    for (std::size_t i = 0; i < tree_keys().size(); ++i) t->insert(tree_keys()[i], i);
    return t;
  }();
  const auto& keys = tree_keys();
  constexpr std::size_t kBatch = 4096;
  std::size_t next = (keys.size() / 7) * static_cast<std::size_t>(state.thread_index());
  std::uint64_t sum = 0;
  const std::size_t share = kBatch / static_cast<std::size_t>(state.threads());
  for (auto _ : state) {
    for (std::size_t i = 0; i < share; ++i) {
      sum += tree->find(keys[next]).value_or(0);
      if (++next == keys.size()) next = 0;
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(share));
}
BENCHMARK(BM_TreeLookup)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
