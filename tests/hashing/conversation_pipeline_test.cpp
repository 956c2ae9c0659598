// hash_conversations: conversations JSONL into Mooncake hash_ids, worked by hand on tiny
// inputs; text and chat messages through a byte tokenizer; split and delta turns; the first
// bad line of a multi-batch input reported with its input line after the valid head; the
// same bytes whatever the thread count and whether the input is a file or a stream.

#include "kvtrace/hashing/conversation_pipeline.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "compress_util.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/hashing/block_hash.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"
#include "kvtrace/trace/line_reader.hpp"
#include "prompt/mock_tokenizers.hpp"
#include "test_util.hpp"
#include "tokenizer/tokenizer_test_util.hpp"

namespace kvtrace::hashing {
namespace {

using kvtrace::testing::ByteTokenizer;
using kvtrace::testing::read_file;
using kvtrace::testing::TempFile;

struct Hashed {
  std::string out;
  HashStats stats;
};

Hashed hash_text(const std::string& input, const HashOptions& options) {
  TempFile in(input);
  TempFile out("");
  Hashed r;
  r.stats = hash_conversations(in.path(), out.path(), options);
  r.out = read_file(out.path());
  return r;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A named pipe fed by a thread: the input as a stream, which is read in order, not by range.
class Fifo {
 public:
  explicit Fifo(std::string content)
      : path_((std::filesystem::temp_directory_path() /
               fmt::format("kvtrace-fifo-{}-{}", ::getpid(), counter_++))
                  .string()) {
    if (::mkfifo(path_.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
    writer_ = std::thread([this, content = std::move(content)] {
      // The reader may stop early (a bad line): a write then fails instead of killing us.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      const int fd = ::open(path_.c_str(), O_WRONLY);
      if (fd < 0) return;
      for (std::size_t at = 0; at < content.size();) {
        const ssize_t n = ::write(fd, content.data() + at, content.size() - at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        at += static_cast<std::size_t>(n);
      }
      ::close(fd);
    });
  }
  ~Fifo() {
    // A reader that never came (or left): this one lets the writer finish.
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
    writer_.join();
    std::filesystem::remove(path_);
  }
  Fifo(const Fifo&) = delete;
  Fifo& operator=(const Fifo&) = delete;
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
  std::thread writer_;
};

// A named pipe read to its end by a thread: an output that is not a regular file, which the
// pipeline writes as it goes (the valid head before a bad line).
class OutputFifo {
 public:
  OutputFifo()
      : path_((std::filesystem::temp_directory_path() /
               fmt::format("kvtrace-out-fifo-{}-{}", ::getpid(), counter_++))
                  .string()) {
    if (::mkfifo(path_.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
    reader_ = std::thread([this] {
      const int fd = ::open(path_.c_str(), O_RDONLY);
      if (fd < 0) return;
      char buffer[65536];
      for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text_.append(buffer, static_cast<std::size_t>(n));
      }
      ::close(fd);
    });
  }
  ~OutputFifo() {
    if (reader_.joinable()) {
      // A writer that never came: this one lets the reader finish.
      const int fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) ::close(fd);
      reader_.join();
    }
    std::filesystem::remove(path_);
  }
  OutputFifo(const OutputFifo&) = delete;
  OutputFifo& operator=(const OutputFifo&) = delete;
  const std::string& path() const { return path_; }
  // What was written, once the writer closed the pipe.
  const std::string& text() {
    reader_.join();
    return text_;
  }

 private:
  static inline int counter_ = 0;
  std::string path_;
  std::thread reader_;
  std::string text_;
};

// The files of `dir` whose name starts with `prefix`.
std::vector<std::string> files_starting(const std::filesystem::path& dir,
                                        const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) out.push_back(name);
  }
  return out;
}

Hashed hash_stream(const std::string& input, const HashOptions& options) {
  Fifo in(input);
  TempFile out("");
  Hashed r;
  r.stats = hash_conversations(in.path(), out.path(), options);
  r.out = read_file(out.path());
  return r;
}

std::string tokens_json(const std::vector<Token>& tokens) {
  return fmt::format("[{}]", fmt::join(tokens, ","));
}

// Over 3 MiB of token prompts (several 1 MiB batches) that share prefixes, with blank lines
// and CRLF line ends among them.
std::string multi_batch_input() {
  std::mt19937 rng(7);
  std::vector<std::vector<Token>> prefixes(12);
  for (auto& p : prefixes) {
    for (int i = 0; i < 96; ++i) p.push_back(rng() % 50000);
  }
  std::string text;
  for (int line = 1; text.size() < (std::size_t{7} << 19); ++line) {
    std::vector<Token> tokens = prefixes[rng() % prefixes.size()];
    const std::size_t extra = rng() % 600;
    for (std::size_t i = 0; i < extra; ++i) tokens.push_back(rng() % 50000);
    text += fmt::format(R"({{"timestamp": {}, "tokens": {}}})", line * 10, tokens_json(tokens));
    text += line % 29 == 0 ? "\r\n" : "\n";
    if (line % 40 == 0) text += "\n";
  }
  return text;
}

TEST(HashConversations, TwoPromptsSharingAFirstBlockWorkedByHand) {
  // Block size 2: [1,2] [3,4] | [1,2] [5,6] | [1,2] [3]. The first block is shared; [3] is a
  // partial block chained after [1,2], a sequence of its own.
  const Hashed r = hash_text(
      "{\"tokens\": [1, 2, 3, 4]}\n"
      "{\"tokens\": [1, 2, 5, 6], \"timestamp\": 7, \"session_id\": \"s\", \"delay\": 1.5, "
      "\"output_length\": 9}\n"
      "{\"tokens\": [1, 2, 3]}\n",
      {.block_size = 2});
  EXPECT_EQ(r.out,
            "{\"input_length\": 4, \"hash_ids\": [0, 1]}\n"
            "{\"timestamp\": 7, \"input_length\": 4, \"output_length\": 9, \"hash_ids\": [0, 2], "
            "\"session_id\": \"s\", \"delay\": 1.5}\n"
            "{\"input_length\": 3, \"hash_ids\": [0, 3]}\n");
  EXPECT_EQ(r.stats.requests, 3u);
  EXPECT_EQ(r.stats.tokens, 11u);
  EXPECT_EQ(r.stats.blocks, 6u);
  EXPECT_EQ(r.stats.distinct_blocks, 4u);
}

TEST(HashConversations, RawHashesAreTheChainedSequenceHashes) {
  const Hashed r = hash_text("{\"tokens\": [1, 2, 3, 4]}\n{\"tokens\": [1, 2, 3]}\n",
                             {.block_size = 2, .emit_raw_hashes = true});
  const std::vector<Token> a{1, 2};
  const std::vector<Token> b{3, 4};
  const std::vector<Token> c{3};
  const SequenceHash first = block_hash(a);
  EXPECT_EQ(r.out, fmt::format("{{\"input_length\": 4, \"hash_ids\": [0, 1], "
                               "\"sequence_hashes\": [{}, {}]}}\n"
                               "{{\"input_length\": 3, \"hash_ids\": [0, 2], "
                               "\"sequence_hashes\": [{}, {}]}}\n",
                               first, next_sequence_hash(first, block_hash(b)), first,
                               next_sequence_hash(first, block_hash(c))));
}

TEST(HashConversations, LoraAndNamespaceSaltTheHashes) {
  const std::string input = "{\"tokens\": [1, 2]}\n";
  const Hashed base = hash_text(input, {.block_size = 2, .emit_raw_hashes = true});
  const Hashed lora =
      hash_text(input, {.block_size = 2, .lora_name = "adapter", .emit_raw_hashes = true});
  const std::vector<Token> tokens{1, 2};
  EXPECT_NE(base.out.find(fmt::format("[{}]", block_hash(tokens))), std::string::npos);
  EXPECT_NE(lora.out.find(fmt::format("[{}]", block_hash(tokens, salt_hash({"adapter", ""})))),
            std::string::npos)
      << lora.out;
}

TEST(HashConversations, TextAndMessagesAreTokenized) {
  const ByteTokenizer bytes;  // token = byte
  const Hashed r = hash_text(
      "{\"prompt\": \"abcd\"}\n"
      "{\"tokens\": [97, 98, 99, 100]}\n"
      "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n",
      {.block_size = 2, .tokenizer = &bytes, .chat_format = tokenizer::ChatFormat::kPlain});
  // "user: hi\n\nassistant: " is 21 bytes: 10 complete blocks and a partial one.
  EXPECT_EQ(r.out,
            "{\"input_length\": 4, \"hash_ids\": [0, 1]}\n"
            "{\"input_length\": 4, \"hash_ids\": [0, 1]}\n"
            "{\"input_length\": 21, \"hash_ids\": [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}\n");
}

TEST(HashConversations, TextWithoutATokenizerNamesItsLineAfterTheValidHead) {
  TempFile in("{\"tokens\": [1]}\n\n{\"prompt\": \"hi\"}\n{\"tokens\": [2]}\n");
  OutputFifo out;
  try {
    hash_conversations(in.path(), out.path(), {.block_size = 2});
    FAIL() << "no exception";
  } catch (const MissingTokenizerError& e) {
    EXPECT_EQ(e.source(), in.path());
    EXPECT_EQ(e.line(), 3u);
    EXPECT_EQ(e.field(), "prompt");
    EXPECT_EQ(e.problem(), "text needs a tokenizer");
  }
  EXPECT_EQ(out.text(), "{\"input_length\": 1, \"hash_ids\": [0]}\n");
}

// A text on which the tokenizer's regex backtracks beyond PCRE2's limits is an InputError of
// its line (not an internal error); the head before it is written, nothing of the line itself
// (no request of input_length 0) nor of the lines after it.
TEST(HashConversations, TextTheTokenizerRegexBacktracksOnIsAnInputErrorOfItsLine) {
  kvtrace::testing::TempDir dir;
  const auto tok = tokenizer::load_tokenizer(
      dir.write("tokenizer.json",
                kvtrace::testing::tiny_tokenizer_json(kvtrace::testing::kCatastrophicPattern)));
  for (const bool split_turns : {false, true}) {
    SCOPED_TRACE(split_turns ? "split turns" : "whole prompts");
    const std::string text = kvtrace::testing::kCatastrophicText;
    const std::string bad = split_turns ? R"({"messages": [{"role": "user", "content": "hi"}, )"
                                          R"({"role": "assistant", "content": ")" +
                                              text + R"("}]})"
                                        : R"({"prompt": ")" + text + R"("})";
    TempFile in("{\"prompt\": \"hello\"}\n" + bad + "\n{\"prompt\": \"world\"}\n");
    OutputFifo out;
    try {
      hash_conversations(in.path(), out.path(),
                         {.block_size = 2, .tokenizer = tok.get(), .split_turns = split_turns});
      FAIL() << "no exception";
    } catch (const InputError& e) {
      EXPECT_EQ(e.source(), in.path());
      EXPECT_EQ(e.line(), 2u);
      EXPECT_EQ(e.field(), split_turns ? "messages" : "prompt");
      EXPECT_NE(e.problem().find("cannot tokenize: the pre-tokenizer regex backtracks too much"),
                std::string::npos)
          << e.problem();
    }
    EXPECT_EQ(out.text(), "{\"input_length\": 1, \"hash_ids\": [0]}\n");
  }
}

// A run that fails leaves no output file that could pass for a complete trace: a new one is
// not created, an existing one keeps its bytes, and no temporary file is left beside it.
TEST(HashConversations, AFailedRunLeavesTheOutputFileAsItWas) {
  kvtrace::testing::TempDir dir;
  const std::string input =
      "{\"tokens\": [1, 2]}\n{\"tokens\": [3]}\n{\"tokens\": [-1]}\n{\"tokens\": [4]}\n";
  TempFile in(input);
  const std::filesystem::path fresh = std::filesystem::path(dir.path()) / "fresh.jsonl";
  EXPECT_THROW(hash_conversations(in.path(), fresh.string(), {.block_size = 2}), InputError);
  EXPECT_FALSE(std::filesystem::exists(fresh));
  const std::string existing = dir.write("existing.jsonl", "an earlier trace\n");
  EXPECT_THROW(hash_conversations(in.path(), existing, {.block_size = 2}), InputError);
  EXPECT_EQ(read_file(existing), "an earlier trace\n");
  EXPECT_EQ(files_starting(dir.path(), "").size(), 1u);  // existing.jsonl only
  // A run that succeeds replaces the file; through a symbolic link, the file it names.
  const std::string link = (std::filesystem::path(dir.path()) / "link.jsonl").string();
  std::filesystem::create_symlink(existing, link);
  const std::string head = input.substr(0, input.find("{\"tokens\": [-1]}"));
  TempFile good(head);
  hash_conversations(good.path(), link, {.block_size = 2});
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(read_file(existing),
            "{\"input_length\": 2, \"hash_ids\": [0]}\n"
            "{\"input_length\": 1, \"hash_ids\": [1]}\n");
  EXPECT_EQ(files_starting(dir.path(), "").size(), 2u);  // the file and the link
}

// Every trace reader stops at a line longer than its limit (100 MiB), with the same message.
TEST(HashConversations, ALineLongerThanTheLimitIsAnInputError) {
  const std::string line = R"({"tokens": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]})";
  ASSERT_EQ(line.size(), 51u);
  for (const bool stream : {false, true}) {
    SCOPED_TRACE(stream ? "stream" : "file");
    const std::string text = line + "\n" + line + " \n" + line + "\n";
    const std::unique_ptr<Fifo> fifo = stream ? std::make_unique<Fifo>(text) : nullptr;
    const TempFile file(stream ? "" : text);
    const std::string input = stream ? fifo->path() : file.path();
    try {
      hash_conversations(input, "/dev/null", {.block_size = 4, .max_line_bytes = 51});
      ADD_FAILURE() << "no exception";
    } catch (const InputError& e) {
      EXPECT_EQ(e.source(), input);
      EXPECT_EQ(e.line(), 2u);
      EXPECT_EQ(e.field(), "");
      EXPECT_EQ(e.problem(), "line longer than the limit of 51 bytes");
    }
  }
  EXPECT_EQ(HashOptions{}.max_line_bytes, std::size_t{100} << 20);
}

TEST(HashConversations, SplitTurnsMakeOneRequestPerUserMessage) {
  const ByteTokenizer bytes;
  const Hashed r =
      hash_text(R"({"timestamp": 5, "delay": 2, "messages": [{"role": "system", "content": "s"},)"
                R"( {"role": "user", "content": "u1"}, {"role": "assistant", "content": "a1"},)"
                R"( {"role": "user", "content": "u2"}]})"
                "\n",
                {.block_size = 4,
                 .tokenizer = &bytes,
                 .chat_format = tokenizer::ChatFormat::kPlain,
                 .split_turns = true});
  // Turn 1: "system: s\n\n" (11) + "user: u1\n\n" (10) + "assistant: " (11) = 32 bytes, 8
  // blocks; answered by "a1" (2 tokens). Turn 2 adds "a1\n\n" (4) + "user: u2\n\n" (10) +
  // "assistant: " (11) = 57 bytes, 15 blocks: its first 32 bytes are turn 1's prompt.
  EXPECT_EQ(r.out,
            "{\"timestamp\": 5, \"input_length\": 32, \"output_length\": 2, "
            "\"hash_ids\": [0, 1, 2, 3, 4, 5, 6, 7], \"session_id\": \"line-1\", \"delay\": 2}\n"
            "{\"input_length\": 57, \"hash_ids\": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, "
            "14], \"session_id\": \"line-1\"}\n");
  const std::vector<tokenizer::ChatTurn> first{{"system", "s"}, {"user", "u1"}};
  EXPECT_EQ(tokenizer::render_chat(first, tokenizer::ChatFormat::kPlain).size(), 32u);
}

TEST(HashConversations, SplitTurnsNameSessionsAfterTheirInputLineAcrossBatches) {
  const ByteTokenizer bytes;
  const std::string words(3000, 'w');
  std::string text;
  std::vector<std::string> expected;
  for (int line = 1; text.size() < (std::size_t{5} << 19); ++line) {
    if (line % 7 == 0) {
      text += "\n";
      continue;
    }
    text += fmt::format(
        R"({{"messages": [{{"role": "user", "content": "{} {}"}}, )"
        R"({{"role": "assistant", "content": "b"}}, {{"role": "user", "content": "c"}}]}})"
        "\n",
        line, words);
    expected.push_back(fmt::format("line-{}", line));
    expected.push_back(fmt::format("line-{}", line));
  }
  const Hashed r =
      hash_text(text, {.block_size = 64, .tokenizer = &bytes, .split_turns = true, .threads = 2});
  std::vector<std::string> sessions;
  for (std::size_t at = r.out.find("\"session_id\": \""); at != std::string::npos;
       at = r.out.find("\"session_id\": \"", at + 1)) {
    const std::size_t from = at + 15;
    sessions.push_back(r.out.substr(from, r.out.find('"', from) - from));
  }
  EXPECT_EQ(sessions, expected);
}

TEST(HashConversations, SplitTurnsWithoutAUserMessageIsAnInputError) {
  const ByteTokenizer bytes;
  try {
    hash_text(R"({"messages": [{"role": "system", "content": "s"}]})"
              "\n",
              {.tokenizer = &bytes, .split_turns = true});
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_EQ(e.field(), "messages");
    EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << e.what();
  }
}

TEST(HashConversations, DeltaTurnsGiveTheSameTraceAsWholePrompts) {
  // Sessions of several turns over several batches; lines without a session are whole
  // prompts in both.
  std::mt19937 rng(11);
  std::vector<std::vector<Token>> history(30);
  std::string whole;
  std::string delta;
  for (int line = 0; whole.size() < (std::size_t{5} << 19); ++line) {
    std::vector<Token> turn;
    const std::size_t n = 1 + rng() % 300;
    for (std::size_t i = 0; i < n; ++i) turn.push_back(rng() % 1000);
    if (line % 9 == 0) {
      const std::string l = fmt::format(R"({{"tokens": {}}})", tokens_json(turn)) + "\n";
      whole += l;
      delta += l;
      continue;
    }
    const std::size_t s = rng() % history.size();
    history[s].insert(history[s].end(), turn.begin(), turn.end());
    whole +=
        fmt::format(R"({{"session_id": "s{}", "tokens": {}}})", s, tokens_json(history[s])) + "\n";
    delta += fmt::format(R"({{"session_id": "s{}", "tokens": {}}})", s, tokens_json(turn)) + "\n";
  }
  const Hashed a = hash_text(whole, {.block_size = 16, .emit_raw_hashes = true, .threads = 2});
  const Hashed b = hash_text(
      delta, {.block_size = 16, .delta_turns = true, .emit_raw_hashes = true, .threads = 2});
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.stats.tokens, b.stats.tokens);
  EXPECT_EQ(a.stats.distinct_blocks, b.stats.distinct_blocks);
  EXPECT_GT(count_lines(a.out), 100u);
}

TEST(HashConversations, DeltaTurnsTakeNoChatMessagesAndExcludeSplitTurns) {
  const ByteTokenizer bytes;
  try {
    hash_text(R"({"session_id": "a", "messages": [{"role": "user", "content": "x"}]})"
              "\n",
              {.tokenizer = &bytes, .delta_turns = true});
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_EQ(e.field(), "messages");
    EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << e.what();
  }
  EXPECT_THROW(hash_text("{\"tokens\": [1]}\n",
                         {.tokenizer = &bytes, .split_turns = true, .delta_turns = true}),
               UsageError);
  EXPECT_THROW(hash_text("{\"tokens\": [1]}\n", {.block_size = 0}), UsageError);
}

TEST(HashConversations, FirstBadLineOfAMultiBatchInputHasItsInputLineAfterTheValidHead) {
  const std::string valid = multi_batch_input();
  // The first bad line sits in the third 1 MiB batch, a different one in the fourth: a later
  // batch may fail first on another thread.
  const std::size_t cut = valid.find('\n', std::size_t{5} << 19) + 1;
  const std::size_t later = valid.find('\n', std::size_t{13} << 18) + 1;
  ASSERT_LT(cut, later);
  const std::string head = valid.substr(0, cut);
  const std::string text = head + "{\"tokens\": [1, 2, -3]}\n" + valid.substr(cut, later - cut) +
                           "not json\n" + valid.substr(later);
  const std::uint64_t bad_line = count_lines(head) + 1;
  const Hashed expected_head = hash_text(head, {.block_size = 16, .threads = 1});
  for (const unsigned threads : {1u, 2u, 0u}) {  // 0: all cores
    for (const bool stream : {false, true}) {
      SCOPED_TRACE(fmt::format("threads {}, {}", threads, stream ? "stream" : "file"));
      const std::unique_ptr<Fifo> fifo = stream ? std::make_unique<Fifo>(text) : nullptr;
      const TempFile file(stream ? "" : text);
      const std::string input = stream ? fifo->path() : file.path();
      OutputFifo out;  // written as the run goes: the valid head
      try {
        hash_conversations(input, out.path(), {.block_size = 16, .threads = threads});
        ADD_FAILURE() << "no exception";
      } catch (const InputError& e) {
        EXPECT_EQ(e.source(), input);
        EXPECT_EQ(e.line(), bad_line);
        EXPECT_EQ(e.field(), "tokens[2]");
      }
      EXPECT_EQ(out.text(), expected_head.out);
    }
  }
  EXPECT_GT(count_lines(expected_head.out), 100u);
}

TEST(HashConversations, EmptyInputIsAnInputErrorAndMissingInputAnIoError) {
  TempFile in("\n  \n\n");
  TempFile out("stale");
  try {
    hash_conversations(in.path(), out.path(), {});
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), in.path());
    EXPECT_EQ(e.line(), 0u);
    EXPECT_EQ(e.problem(), "no conversation in the input");
  }
  EXPECT_EQ(read_file(out.path()), "stale");  // not replaced by an empty trace
  EXPECT_THROW(hash_conversations("/nonexistent/conversations.jsonl", out.path(), {}), IoError);
}

TEST(HashConversations, SameBytesForAnyThreadCountFileOrStream) {
  const std::string text = multi_batch_input();
  const Hashed one = hash_text(text, {.block_size = 32, .emit_raw_hashes = true, .threads = 1});
  const Hashed two = hash_text(text, {.block_size = 32, .emit_raw_hashes = true, .threads = 2});
  const Hashed stream =
      hash_stream(text, {.block_size = 32, .emit_raw_hashes = true, .threads = 0});
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(one.out, stream.out);
  EXPECT_EQ(one.stats.threads, 1u);
  EXPECT_EQ(two.stats.threads, 2u);
  for (const Hashed* r : {&two, &stream}) {
    EXPECT_EQ(r->stats.requests, one.stats.requests);
    EXPECT_EQ(r->stats.tokens, one.stats.tokens);
    EXPECT_EQ(r->stats.blocks, one.stats.blocks);
    EXPECT_EQ(r->stats.distinct_blocks, one.stats.distinct_blocks);
  }
  // Every prompt starts with one of 12 prefixes of 3 blocks: at most 36 of the prompts'
  // first blocks are distinct.
  EXPECT_EQ(one.stats.requests, count_lines(one.out));
  EXPECT_LE(one.stats.distinct_blocks + 3 * (one.stats.requests - 12), one.stats.blocks);
}

TEST(HashConversations, ProgressCountsBytesAndRequestsInOrder) {
  const std::string text = multi_batch_input();
  TempFile in(text);
  TempFile out("");
  std::vector<HashProgress> seen;
  const HashStats stats = hash_conversations(in.path(), out.path(), {.block_size = 512},
                                             [&](const HashProgress& p) { seen.push_back(p); });
  ASSERT_GE(seen.size(), 5u);  // the start and at least 4 batches
  EXPECT_EQ(seen.front().bytes, 0u);
  EXPECT_EQ(seen.front().requests, 0u);
  EXPECT_EQ(seen.front().total_bytes, text.size());
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GT(seen[i].bytes, seen[i - 1].bytes);
    EXPECT_GE(seen[i].requests, seen[i - 1].requests);
    EXPECT_EQ(seen[i].total_bytes, text.size());
  }
  EXPECT_EQ(seen.back().bytes, text.size());
  EXPECT_EQ(seen.back().requests, stats.requests);

  Fifo fifo(text);
  std::optional<std::uint64_t> stream_total = 1;
  std::uint64_t stream_bytes = 0;
  hash_conversations(fifo.path(), out.path(), {.block_size = 512}, [&](const HashProgress& p) {
    stream_total = p.total_bytes;
    stream_bytes = p.bytes;
  });
  EXPECT_EQ(stream_total, std::nullopt);
  EXPECT_EQ(stream_bytes, text.size());
}

// A compressed file is not read by range (FileSlices) but in order, and hashes as the plain one;
// a truncated one is an InputError at the line of the break, after the requests before it.
TEST(HashConversations, CompressedInputHashesAsThePlainFile) {
  std::string text;
  for (int i = 0; i < 30000; ++i) {
    text += R"({"tokens": [)" + std::to_string(i % 7) + ", " + std::to_string(i) + ", 3, 4, 5]}\n";
  }
  const Hashed plain = hash_text(text, {.block_size = 2});
  for (const std::string& packed :
       {kvtrace::testing::gzip_compress(text), kvtrace::testing::zstd_compress(text)}) {
    TempFile in(packed, ".jsonl.z");
    TempFile out("");
    std::optional<HashProgress> last;
    const HashStats stats = hash_conversations(in.path(), out.path(), {.block_size = 2},
                                               [&](const HashProgress& p) { last = p; });
    EXPECT_EQ(read_file(out.path()), plain.out);
    EXPECT_EQ(stats.requests, plain.stats.requests);
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->total_bytes, packed.size());
    EXPECT_EQ(last->bytes, packed.size());  // progress in compressed bytes reaches the end

    TempFile cut(packed.substr(0, packed.size() / 2), ".jsonl.z");
    try {
      hash_conversations(cut.path(), "/dev/null", {.block_size = 2});
      ADD_FAILURE() << "no exception";
    } catch (const InputError& e) {
      EXPECT_EQ(e.source(), cut.path());
      EXPECT_GT(e.line(), 1u);
      EXPECT_LT(e.line(), 30000u);
      EXPECT_NE(e.problem().find("stream ends early (truncated file?)"), std::string::npos)
          << e.problem();
      // The line of the break follows the last whole line the stream gave.
      trace::LineReader reader(cut.path());
      trace::Line line;
      std::uint64_t last_line = 0;
      while (reader.next(line)) last_line = line.number;
      EXPECT_EQ(e.line(), last_line);
    }
  }
}

}  // namespace
}  // namespace kvtrace::hashing
