#include "tokenizer/hf_json.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "tokenizer_test_util.hpp"

namespace kvtrace::tokenizer {
namespace {

using kvtrace::testing::tiny_tokenizer_json;
using Ids = std::vector<TokenId>;

const std::string kName = "models/tiny/tokenizer.json";

std::unique_ptr<Tokenizer> load(const std::string& json, const std::string* config = nullptr) {
  const TokenizerFile file{kName, json};
  if (!config) return load_hf_json(file, nullptr, 1);
  const TokenizerFile config_file{"models/tiny/tokenizer_config.json", *config};
  return load_hf_json(file, &config_file, 1);
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

// The error names the file and contains `expected`.
void expect_input_error(const std::string& json, const std::string& expected,
                        const std::string* config = nullptr,
                        const std::string& file = "tokenizer.json") {
  try {
    load(json, config);
    ADD_FAILURE() << "no error; expected " << expected;
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file), std::string::npos) << what;
    EXPECT_NE(what.find(expected), std::string::npos) << what;
  }
}

TEST(HfJson, EncodesWithMerges) {
  const auto t = load(tiny_tokenizer_json());
  EXPECT_EQ(t->encode("hello world"), (Ids{259, 264}));
  EXPECT_EQ(t->encode("hello  world"), (Ids{259, ' ', 264}));
  EXPECT_EQ(t->encode("aaaa"), (Ids{267, 267}));
  EXPECT_EQ(t->encode("é"), (Ids{0xC3, 0xA9}));  // byte-level: one token per byte
  EXPECT_EQ(t->decode(t->encode("hello world é")), "hello world é");
  EXPECT_EQ(t->vocab_size(), 303u);
}

TEST(HfJson, AddedTokensAreNeverSplit) {
  const auto t = load(tiny_tokenizer_json());
  const Ids ids = t->encode("<|im_start|>hello<think>x<|endoftext|>");
  EXPECT_EQ(ids, (Ids{301, 259, 302, 'x', 300}));
  EXPECT_EQ(t->decode(ids), "<|im_start|>hello<think>x<|endoftext|>");
  EXPECT_EQ(t->decode(ids, true), "hello<think>x");
}

TEST(HfJson, MergesAsPairsAndByteFallback) {
  const std::string json = R"({"model":{"type":"BPE","byte_fallback":true,"unk_token":"<unk>",
    "vocab":{"a":0,"b":1,"<0xE4>":2,"<0xBD>":3,"<0xA0>":4,"ab":5,"<unk>":6},
    "merges":[["a","b"]]},
    "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"use_regex":false},
    "decoder":{"type":"Sequence","decoders":[{"type":"ByteLevel"},{"type":"ByteFallback"}]}})";
  const auto t = load(json);
  EXPECT_EQ(t->encode("ab你"), (Ids{5, 2, 3, 4}));
  EXPECT_EQ(t->decode(Ids{5, 2, 3, 4}), "ab你");
  EXPECT_EQ(t->encode("abc"), (Ids{5, 6}));  // no <0x63>: the unknown token
}

TEST(HfJson, Gpt2ByteLevelRegexAndPrefixSpace) {
  const std::string json = replaced(
      tiny_tokenizer_json(), R"("add_prefix_space":false,"trim_offsets":false,"use_regex":false}])",
      R"("add_prefix_space":true,"trim_offsets":false,"use_regex":true}])");
  const auto t = load(json);
  EXPECT_EQ(t->encode("hello world"), (Ids{' ', 259, 264}));
}

TEST(HfJson, DigitsPreTokenizer) {
  const std::string json =
      replaced(tiny_tokenizer_json(), R"({"type":"Split")",
               R"({"type":"Digits","individual_digits":true},{"type":"Split")");
  EXPECT_EQ(load(json)->encode("aa12"), (Ids{267, '1', '2'}));
}

TEST(HfJson, BosAndEosComeFromTheConfig) {
  const std::string json = tiny_tokenizer_json();
  EXPECT_FALSE(load(json)->bos_token_id().has_value());
  const std::string strings = R"({"bos_token":"<|im_start|>","eos_token":"<|endoftext|>"})";
  EXPECT_EQ(load(json, &strings)->bos_token_id(), 301u);
  EXPECT_EQ(load(json, &strings)->eos_token_id(), 300u);
  const std::string objects =
      R"({"bos_token":null,"eos_token":{"content":"hello","lstrip":false,"__type":"AddedToken"}})";
  EXPECT_FALSE(load(json, &objects)->bos_token_id().has_value());
  EXPECT_EQ(load(json, &objects)->eos_token_id(), 259u);  // a vocabulary token works too
  const std::string unknown = R"({"eos_token":"<nope>"})";
  EXPECT_FALSE(load(json, &unknown)->eos_token_id().has_value());
}

TEST(HfJson, MalformedFilesAreInputErrorsNamingFileAndField) {
  const std::string good = tiny_tokenizer_json();
  expect_input_error("{\"model\": ", "not valid JSON");
  expect_input_error("[]", "expected an object");
  expect_input_error(R"({"version":"1.0"})", "model: missing");
  expect_input_error(replaced(good, R"("type":"BPE")", R"("type":"WordPiece")"),
                     "model.type: unsupported model 'WordPiece'");
  expect_input_error(replaced(good, R"("merges":[)", R"("merges":["xyz q",)"),
                     "model.merges[0]: token 'xyz' is not in the vocabulary");
  expect_input_error(replaced(good, R"("merges":[)", R"("merges":["hx",)"),
                     "model.merges[0]: expected two tokens separated by one space");
  expect_input_error(replaced(good, R"("vocab":{)", R"("vocab":{"zz":-1,)"),
                     "model.vocab: token 'zz': expected an id");
  expect_input_error(
      replaced(good, kvtrace::testing::json_string(kvtrace::testing::kQwenPattern), R"("(?<bad")"),
      "pre_tokenizer.pretokenizers[0].pattern.Regex");
  expect_input_error(replaced(good, R"("behavior":"Isolated")", R"("behavior":"Sideways")"),
                     "unknown split behavior 'Sideways'");
  expect_input_error(
      replaced(good, R"("normalizer":{"type":"NFC"})", R"("normalizer":{"type":"Lowercase"})"),
      "normalizer.type: unsupported normalizer 'Lowercase'");
  expect_input_error(
      replaced(good, R"("decoder":{"type":"ByteLevel")", R"("decoder":{"type":"Strip")"),
      "decoder.type: unsupported decoder 'Strip'");
  expect_input_error(replaced(good, R"("special":true,"lstrip")", R"("special":1,"lstrip")"),
                     "added_tokens[0].special: expected a boolean, got a number");
}

TEST(HfJson, OnlyByteLevelModelsAreRead) {
  const std::string metaspace = R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[]},
    "pre_tokenizer":{"type":"Metaspace","replacement":"▁"}})";
  expect_input_error(metaspace, "pre_tokenizer.type: unsupported pre-tokenizer 'Metaspace'");
  const std::string none = R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[]}})";
  expect_input_error(none, "not a byte-level BPE tokenizer");
}

TEST(HfJson, MalformedConfigIsNamed) {
  const std::string config = R"({"eos_token": 5})";
  expect_input_error(tiny_tokenizer_json(), "eos_token: expected an object", &config,
                     "tokenizer_config.json");
  const std::string broken = "{";
  expect_input_error(tiny_tokenizer_json(), "not valid JSON", &broken, "tokenizer_config.json");
}

}  // namespace
}  // namespace kvtrace::tokenizer
