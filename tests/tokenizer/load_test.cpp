#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer_test_util.hpp"

namespace kvtrace::tokenizer {
namespace {

using kvtrace::testing::TempDir;
using kvtrace::testing::tiny_tokenizer_json;

TEST(LoadTokenizer, ReadsATokenizerJsonAndTheConfigBesideIt) {
  TempDir dir;
  const std::string path = dir.write("tokenizer.json", tiny_tokenizer_json());
  const auto bare = load_tokenizer(path);
  EXPECT_FALSE(bare->eos_token_id().has_value());
  dir.write("tokenizer_config.json", R"({"eos_token":"<|endoftext|>"})");
  const auto with_config = load_tokenizer(path);
  EXPECT_EQ(with_config->eos_token_id(), 300u);
  EXPECT_EQ(with_config->encode("hello world"), (std::vector<TokenId>{259, 264}));
  // The config is part of the definition.
  EXPECT_NE(bare->fingerprint(), with_config->fingerprint());
  EXPECT_EQ(load_tokenizer(dir.path())->fingerprint(), with_config->fingerprint());
}

// Tokenizer::encode's contract: a text its regex cannot cut within PCRE2's limits is a
// LimitError, and the tokenizer still encodes other texts.
TEST(LoadTokenizer, EncodeOfATextTheRegexBacktracksOnIsALimitError) {
  TempDir dir;
  const auto tok = load_tokenizer(
      dir.write("tokenizer.json", tiny_tokenizer_json(kvtrace::testing::kCatastrophicPattern)));
  EXPECT_THROW(tok->encode(kvtrace::testing::kCatastrophicText), LimitError);
  EXPECT_EQ(tok->decode(tok->encode("hello aa")), "hello aa");
}

TEST(LoadTokenizer, FingerprintFollowsTheBytes) {
  TempDir a;
  TempDir b;
  const std::string json = tiny_tokenizer_json();
  EXPECT_EQ(load_tokenizer(a.write("tokenizer.json", json))->fingerprint(),
            load_tokenizer(b.write("tokenizer.json", json))->fingerprint());
  EXPECT_NE(load_tokenizer(a.write("tokenizer.json", json))->fingerprint(),
            load_tokenizer(b.write("tokenizer.json", json + "\n"))->fingerprint());
}

TEST(LoadTokenizer, DetectsTiktokenFiles) {
  TempDir dir;
  // "a" 0, "b" 1, "ab" 2.
  dir.write("enc.tiktoken", "YQ== 0\nYg== 1\nYWI= 2\n");
  const auto t = load_tokenizer(dir.path());
  EXPECT_EQ(t->encode("abba"), (std::vector<TokenId>{2, 1, 0}));
}

TEST(LoadTokenizer, MissingFilesAreIoErrors) {
  TempDir dir;
  EXPECT_THROW(load_tokenizer(dir.path() + "/none.json"), IoError);
  EXPECT_THROW(load_tokenizer(dir.path()), IoError);  // a directory without a tokenizer
}

TEST(LoadTokenizer, UnrecognisedFilesAreInputErrorsNamingTheFile) {
  TempDir dir;
  for (const std::string content : {"plain text, not a tokenizer\n", "{\"model\": 3}", ""}) {
    const std::string path = dir.write("tokenizer.bin", content);
    try {
      load_tokenizer(path);
      ADD_FAILURE() << "no error for " << content;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace kvtrace::tokenizer
