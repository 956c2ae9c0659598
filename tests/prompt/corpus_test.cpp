// Corpus: AIPerf's chunking rule (Python strip, code points, 10000-code-point chunks), the
// upstream MockTokenizer golden, thread-count independence and the on-disk token cache.

#include "kvtrace/prompt/corpus.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "kvtrace/core/error.hpp"
#include "prompt/mock_tokenizers.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::prompt::chunk_text;
using kvtrace::prompt::Corpus;
using kvtrace::prompt::TokenId;
using kvtrace::testing::ByteTokenizer;
using kvtrace::testing::MockTokenizer;
using kvtrace::testing::TempDir;
using kvtrace::testing::TempFile;

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

TEST(ChunkText, UpstreamTestCorpusIsOneChunkOf18MockTokens) {
  const std::string text =
      "To be or not to be, that is the question.\nWhether 'tis nobler in the mind to suffer.\n";
  const auto chunks = chunk_text(text, "corpus");
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0],
            "To be or not to be, that is the question. Whether 'tis nobler in the mind to suffer.");
  const Corpus c = Corpus::from_text(text, MockTokenizer(), "corpus");
  std::vector<TokenId> want;
  for (TokenId t = 10; t <= 27; ++t) want.push_back(t);
  EXPECT_EQ(std::vector<TokenId>(c.tokens().begin(), c.tokens().end()), want);
  EXPECT_EQ(c.size(), 18u);
  EXPECT_EQ(c.chunks(), 1u);
}

TEST(ChunkText, StripsWhatPythonStrStripStrips) {
  // U+3000, U+00A0, U+001C/U+001D and U+0085 are whitespace to str.strip(); U+200B is not.
  const std::string text =
      "\u3000 a \u00a0\n"
      "\x1c\x1d b\u0085\n"
      "\u200b"
      "c\u200b\n"
      "\t\v\f \r\n";
  EXPECT_EQ(chunk_text(text, "corpus"), std::vector<std::string>{"a b \u200b"
                                                                 "c\u200b"});
}

TEST(ChunkText, SplitsLinesAtUniversalNewlinesAndDropsEmptyOnes) {
  EXPECT_EQ(chunk_text("a\r\nb\rc\n\n  \nd", "corpus"), std::vector<std::string>{"a b c d"});
  EXPECT_TRUE(chunk_text("", "corpus").empty());
  EXPECT_TRUE(chunk_text(" \n\r\n\t", "corpus").empty());
}

TEST(ChunkText, ChunksCloseAtTenThousandCodePointsNotBytes) {
  // 5000 two-byte characters are 10000 bytes but 5000 code points: the chunk stays open.
  const std::string e = repeat("\u00e9", 5000);
  const std::string z = repeat("z", 10);
  const std::string w = repeat("w", 4990);
  const std::string text = e + "\n" + z + "\n" + w + "\nend\n";
  const auto chunks = chunk_text(text, "corpus");
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0], e + " " + z + " " + w);  // 5000 + 10 + 4990 = 10000 code points
  EXPECT_EQ(chunks[1], "end");
  // The joining spaces do not count: 9999 + 1 closes the chunk at the second line.
  const auto two = chunk_text(repeat("a", 9999) + "\nb\nc\n", "corpus");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1], "c");
}

TEST(ChunkText, InvalidUtf8IsAnInputErrorWithTheLine) {
  for (const std::string bad :
       {"bad \xff here", "overlong \xc0\x80", "surrogate \xed\xa0\x80", "cut \xe2\x82"}) {
    try {
      chunk_text("fine\n" + bad + "\n", "corpus.txt");
      ADD_FAILURE() << "no error for " << bad;
    } catch (const kvtrace::InputError& err) {
      EXPECT_EQ(err.line(), 2u);
      EXPECT_NE(std::string(err.what()).find("corpus.txt:2: invalid UTF-8 at byte"),
                std::string::npos)
          << err.what();
    }
  }
}

TEST(Corpus, TokensAreTheChunksTokensConcatenatedWhateverTheThreadCount) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "line " + std::to_string(i) + " \u00e9t\u00e9 \u2603\n";
  const ByteTokenizer tok;
  const auto chunks = chunk_text(text, "corpus");
  ASSERT_GT(chunks.size(), 3u);
  std::vector<TokenId> want;
  for (const auto& c : chunks) tok.encode(c, want);

  for (const int threads : {1, 2, 8}) {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      const Corpus c = Corpus::from_text(text, tok, "corpus");
      EXPECT_EQ(std::vector<TokenId>(c.tokens().begin(), c.tokens().end()), want) << threads;
      EXPECT_EQ(c.chunks(), chunks.size());
    });
  }
}

TEST(Corpus, EmptyCorpusIsAnInputError) {
  EXPECT_THROW(Corpus::from_text(" \n \n", MockTokenizer(), "corpus"), kvtrace::InputError);
}

TEST(Corpus, MissingFileIsAnIoError) {
  EXPECT_THROW(Corpus::load("/nonexistent/corpus.txt", MockTokenizer(), ""), kvtrace::IoError);
}

TEST(Corpus, SecondLoadReadsTheCacheInsteadOfTokenizing) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "word" + std::to_string(i) + " and more words\n";
  TempFile file(text, ".txt");
  TempDir cache;
  MockTokenizer tok;

  const Corpus first = Corpus::load(file.path(), tok, cache.path());
  EXPECT_FALSE(first.from_cache());
  EXPECT_TRUE(first.cache_warning().empty()) << first.cache_warning();
  ASSERT_TRUE(std::filesystem::exists(first.cache_file()));
  EXPECT_EQ(tok.encode_calls.load(), static_cast<int>(first.chunks()));

  const Corpus second = Corpus::load(file.path(), tok, cache.path());
  EXPECT_TRUE(second.from_cache());
  EXPECT_EQ(second.cache_file(), first.cache_file());
  EXPECT_EQ(tok.encode_calls.load(), static_cast<int>(first.chunks()));  // no new encode
  EXPECT_EQ(std::vector<TokenId>(second.tokens().begin(), second.tokens().end()),
            std::vector<TokenId>(first.tokens().begin(), first.tokens().end()));
  EXPECT_EQ(second.chunks(), first.chunks());

  // Another tokenizer (fingerprint) or another text is another cache file.
  MockTokenizer other;
  other.fingerprint_value = 99;
  const Corpus third = Corpus::load(file.path(), other, cache.path());
  EXPECT_FALSE(third.from_cache());
  EXPECT_NE(third.cache_file(), first.cache_file());
  TempFile changed(text + "one more line\n", ".txt");
  EXPECT_FALSE(Corpus::load(changed.path(), tok, cache.path()).from_cache());
}

TEST(Corpus, ATruncatedCacheIsRebuilt) {
  TempFile file("alpha beta gamma\ndelta\n", ".txt");
  TempDir cache;
  const MockTokenizer tok;
  const Corpus first = Corpus::load(file.path(), tok, cache.path());
  std::filesystem::resize_file(first.cache_file(),
                               std::filesystem::file_size(first.cache_file()) - 4);
  const Corpus again = Corpus::load(file.path(), tok, cache.path());
  EXPECT_FALSE(again.from_cache());
  EXPECT_EQ(again.size(), 4u);
  EXPECT_TRUE(Corpus::load(file.path(), tok, cache.path()).from_cache());
}

TEST(Corpus, AnUnusableCacheDirectoryIsAWarningNotAnError) {
  TempFile file("alpha beta\n", ".txt");
  TempFile not_a_dir("x", ".file");
  const Corpus c = Corpus::load(file.path(), MockTokenizer(), not_a_dir.path() + "/cache");
  EXPECT_EQ(c.size(), 2u);
  EXPECT_FALSE(c.from_cache());
  EXPECT_NE(c.cache_warning().find("cannot create"), std::string::npos) << c.cache_warning();
}

}  // namespace
