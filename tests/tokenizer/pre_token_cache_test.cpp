#include "tokenizer/pre_token_cache.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace kvtrace::tokenizer {
namespace {

TEST(PreTokenCache, FindsWhatWasInsertedAndAppends) {
  PreTokenCache cache;
  std::vector<TokenId> out{7};
  EXPECT_FALSE(cache.find("hello", out));
  const std::vector<TokenId> ids{1, 2, 3, 4, 5};
  cache.insert("hello", ids);
  cache.insert("a", std::vector<TokenId>{9});
  EXPECT_TRUE(cache.find("hello", out));
  EXPECT_TRUE(cache.find("a", out));
  EXPECT_EQ(out, (std::vector<TokenId>{7, 1, 2, 3, 4, 5, 9}));
}

TEST(PreTokenCache, StaysWithinItsCapacity) {
  PreTokenCache cache(256);
  for (int i = 0; i < 10000; ++i) cache.insert(fmt::format("w{}", i), std::vector<TokenId>{1});
  EXPECT_LE(cache.size(), 256u);
  EXPECT_GT(cache.size(), 0u);
}

TEST(PreTokenCache, ThreadsShareItSafely) {
  PreTokenCache cache(512);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      std::vector<TokenId> out;
      for (int i = 0; i < 20000; ++i) {
        const std::string word = fmt::format("w{}", (i * 7 + t) % 1000);
        out.clear();
        if (cache.find(word, out)) {
          ASSERT_EQ(out.size(), 1u);
          ASSERT_EQ(out[0], static_cast<TokenId>(std::stoi(word.substr(1))));
        } else {
          cache.insert(word, std::vector<TokenId>{static_cast<TokenId>(std::stoi(word.substr(1)))});
        }
      }
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace kvtrace::tokenizer
