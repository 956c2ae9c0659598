#include "kvtrace/mock/mock_cache.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "kvtrace/core/error.hpp"

namespace kvtrace::mock {
namespace {

std::vector<hashing::Token> tokens(std::uint32_t first, std::size_t n) {
  std::vector<hashing::Token> out(n);
  std::iota(out.begin(), out.end(), first);
  return out;
}

TEST(MockCache, RepeatedPromptHitsItsCompleteBlocks) {
  MockPrefixCache cache(4, {.capacity_blocks = 100});
  MockPrefixCache::Scratch scratch;
  const auto prompt = tokens(0, 10);  // two complete blocks and two tokens
  EXPECT_EQ(cache.cached_tokens(prompt, scratch), 0u);
  EXPECT_EQ(cache.cached_tokens(prompt, scratch), 8u);
}

TEST(MockCache, SharedPrefixHitsUntilTheFirstDifferentBlock) {
  MockPrefixCache cache(4, {.capacity_blocks = 100});
  MockPrefixCache::Scratch scratch;
  auto a = tokens(0, 16);
  EXPECT_EQ(cache.cached_tokens(a, scratch), 0u);
  auto b = a;
  b[9] = 999;  // third block differs: blocks 0 and 1 hit, and nothing after block 2
  b.resize(20);
  EXPECT_EQ(cache.cached_tokens(b, scratch), 8u);
  // Chained hashes: the same tokens after another prefix are another block.
  auto c = tokens(100, 4);
  c.insert(c.end(), a.begin() + 4, a.end());
  EXPECT_EQ(cache.cached_tokens(c, scratch), 0u);
}

TEST(MockCache, TheLastTokenIsAlwaysComputed) {
  MockPrefixCache cache(4, {.capacity_blocks = 100});
  MockPrefixCache::Scratch scratch;
  const auto exact = tokens(0, 8);
  EXPECT_EQ(cache.cached_tokens(exact, scratch), 0u);
  // Both blocks are cached, but only the first lies within the first 7 tokens.
  EXPECT_EQ(cache.cached_tokens(exact, scratch), 4u);
  EXPECT_EQ(cache.cached_tokens(tokens(0, 3), scratch), 0u);
  EXPECT_EQ(cache.cached_tokens({}, scratch), 0u);
}

TEST(MockCache, CapacityEvicts) {
  MockPrefixCache none(4, {.capacity_blocks = 0});
  MockPrefixCache::Scratch scratch;
  const auto prompt = tokens(0, 9);
  EXPECT_EQ(none.cached_tokens(prompt, scratch), 0u);
  EXPECT_EQ(none.cached_tokens(prompt, scratch), 0u);

  MockPrefixCache small(4, {.capacity_blocks = 2});
  EXPECT_EQ(small.cached_tokens(prompt, scratch), 0u);
  EXPECT_EQ(small.cached_tokens(tokens(50, 9), scratch), 0u);  // evicts the first prompt
  EXPECT_EQ(small.cached_tokens(prompt, scratch), 0u);
  EXPECT_EQ(small.cached_tokens(prompt, scratch), 8u);
}

TEST(MockCache, BlockSizeZeroIsRefused) {
  EXPECT_THROW(MockPrefixCache(0, {}), UsageError);
}

}  // namespace
}  // namespace kvtrace::mock
