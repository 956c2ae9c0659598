// Materializer: block goldens in whole requests, tails and hash-less prompts from the
// sequential stream in session order, passthrough, the hash-id-at-two-sizes error, whole-
// sequence decoding across multi-byte characters, --verify counts, thread-count and shard
// independence (on the FAST25 trace when present), the seed API functions, the whole run with
// its corpus file (materialize) and the --verify report.

#include "kvtrace/prompt/materializer.hpp"

#include <gtest/gtest.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <numeric>

#include "kvtrace/core/error.hpp"
#include "kvtrace/prompt/corpus.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "prompt/mock_tokenizers.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::InputError;
using kvtrace::UsageError;
using kvtrace::prompt::Api;
using kvtrace::prompt::BlockBuilder;
using kvtrace::prompt::kMaxPromptTokens;
using kvtrace::prompt::MaterializeOptions;
using kvtrace::prompt::Materializer;
using kvtrace::prompt::MaterializeResult;
using kvtrace::prompt::MaterializeStats;
using kvtrace::prompt::PromptFormat;
using kvtrace::prompt::Shard;
using kvtrace::prompt::TokenId;
using kvtrace::testing::ByteTokenizer;
using kvtrace::testing::MockTokenizer;
using kvtrace::testing::range_corpus;
using kvtrace::testing::TempFile;
using kvtrace::tokenizer::Tokenizer;
using kvtrace::trace::Request;

struct Trace {
  std::vector<Request> requests;
  std::vector<std::uint64_t> lines;
  std::string name;
};

Trace read_trace(const std::string& path, std::uint32_t block_size) {
  kvtrace::trace::ReaderOptions ro;
  ro.block_size = block_size;
  ro.hash_id_check = kvtrace::trace::HashIdCheck::kIgnore;
  kvtrace::trace::TraceReader reader(path, ro);
  Trace t;
  t.name = reader.name();
  for (Request r; reader.next(r);) {
    t.requests.push_back(r);
    t.lines.push_back(reader.line());
  }
  return t;
}

MaterializeOptions options(std::uint32_t block_size = 8) {
  MaterializeOptions o;
  o.block_size = block_size;
  o.scope = "";
  return o;
}

MaterializeOptions token_options(std::uint32_t block_size = 8) {
  MaterializeOptions o = options(block_size);
  o.api = Api::kCompletions;
  o.format = PromptFormat::kTokens;
  return o;
}

struct Result {
  std::string out;
  MaterializeStats stats;
};

Result materialize(const Trace& t, const Tokenizer& tok, std::span<const TokenId> corpus,
                   const MaterializeOptions& o, int threads = 2) {
  const Materializer m(t.requests, t.lines, t.name, o);
  Result r;
  tbb::task_arena arena(threads);
  arena.execute(
      [&] { r.stats = m.run(tok, corpus, [&](std::string_view s) { r.out.append(s); }); });
  return r;
}

Result materialize_text(const std::string& trace, const Tokenizer& tok,
                        std::span<const TokenId> corpus, const MaterializeOptions& o) {
  TempFile f(trace);
  return materialize(read_trace(f.path(), o.block_size), tok, corpus, o);
}

// "a,a+1,...,b" for expected token arrays.
std::string ids(TokenId a, TokenId b) {
  std::string out;
  for (TokenId t = a; t <= b; ++t) {
    if (!out.empty()) out.push_back(',');
    out += std::to_string(t);
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

std::uint64_t index_of(std::string_view line) {
  constexpr std::string_view kPrefix = "{\"index\":";
  std::uint64_t v = 0;
  std::from_chars(line.data() + kPrefix.size(), line.data() + line.size(), v);
  return v;
}

// Shard outputs concatenated, then sorted by "index": what docs/materialize.md tells users.
std::string merge_shards(const std::vector<std::string>& outputs) {
  std::vector<std::string> lines;
  for (const auto& o : outputs) {
    for (auto& l : split_lines(o)) lines.push_back(std::move(l));
  }
  std::stable_sort(lines.begin(), lines.end(), [](const std::string& a, const std::string& b) {
    return index_of(a) < index_of(b);
  });
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(Shard, Parse) {
  EXPECT_EQ(Shard::parse("0/1").count, 1u);
  const Shard s = Shard::parse("3/8");
  EXPECT_EQ(s.index, 3u);
  EXPECT_EQ(s.count, 8u);
  for (const char* bad : {"", "1", "1/1", "2/1", "0/0", "-1/2", "a/b", "1/2/3", "1/ 2"}) {
    EXPECT_THROW(Shard::parse(bad), UsageError) << bad;
  }
}

TEST(Materializer, BlockGoldensWithAPartialLastBlock) {
  const auto corpus = range_corpus();
  const auto r = materialize_text("{\"input_length\": 20, \"hash_ids\": [1, 2, 3]}\n",
                                  MockTokenizer(), corpus, token_options());
  EXPECT_EQ(r.out, "{\"index\":0,\"session_id\":\"session_000000\",\"body\":{\"prompt\":[1," +
                       ids(10992, 10998) + ",1," + ids(10885, 10891) + ",1," + ids(10936, 10938) +
                       "],\"stream\":true}}\n");
  EXPECT_EQ(r.stats.synthesized, 1u);
  EXPECT_EQ(r.stats.blocks, 3u);
  EXPECT_EQ(r.stats.prompt_tokens, 20u);
  EXPECT_EQ(r.stats.sequential_draws, 0u);
}

TEST(Materializer, TextIsTheDecodeOfTheWholeSequence) {
  const auto corpus = range_corpus();
  MaterializeOptions o = options();
  o.model = "m";
  const auto r = materialize_text(
      "{\"timestamp\": 5, \"input_length\": 10, \"output_length\": 7, \"hash_ids\": [1, 2]}\n",
      MockTokenizer(), corpus, o);
  std::vector<TokenId> want{1};
  for (TokenId t = 10992; t <= 10998; ++t) want.push_back(t);
  want.insert(want.end(), {1, 10885});
  EXPECT_EQ(r.out,
            "{\"index\":0,\"timestamp\":5,\"session_id\":\"session_000000\",\"body\":{"
            "\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" +
                MockTokenizer().decode(want) + "\"}],\"max_tokens\":7,\"stream\":true}}\n");
}

TEST(Materializer, PrefixOnlyTailComesFromTheSequentialStream) {
  const auto corpus = range_corpus();
  const auto r = materialize_text("{\"input_length\": 20, \"hash_ids\": [1, 2]}\n", MockTokenizer(),
                                  corpus, token_options());
  // Two full blocks, then 4 tail tokens at the stream's first draw (246).
  EXPECT_NE(r.out.find("\"prompt\":[1," + ids(10992, 10998) + ",1," + ids(10885, 10891) + "," +
                       ids(10246, 10249) + "]"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.stats.sequential_draws, 1u);
}

TEST(Materializer, HashLessRequestsDrawTheSequentialStreamInOrder) {
  const auto corpus = range_corpus();
  const auto r = materialize_text(
      "{\"input_length\": 5}\n"
      "{\"text_input\": \"no draw\"}\n"
      "{\"input_length\": 3, \"hash_ids\": []}\n"
      "{\"input_length\": 20, \"hash_ids\": [1, 2, 3]}\n"
      "{\"input_length\": 0}\n",
      MockTokenizer(), corpus, token_options());
  const auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 5u);
  // Stream draws 246, 57, 309: one per hash-less request; text_input and blocks draw none.
  EXPECT_NE(lines[0].find("[" + ids(10246, 10250) + "]"), std::string::npos) << lines[0];
  EXPECT_NE(lines[2].find("[" + ids(10057, 10059) + "]"), std::string::npos) << lines[2];
  EXPECT_NE(lines[4].find("\"prompt\":[10309]"), std::string::npos) << lines[4];  // 0 -> 1 token
  EXPECT_EQ(r.stats.sequential_draws, 3u);
  EXPECT_EQ(r.stats.passthrough, 1u);
}

TEST(Materializer, SequentialDrawsFollowSessionOrder) {
  const auto corpus = range_corpus();
  const auto r = materialize_text(
      "{\"session_id\": \"a\", \"input_length\": 2}\n"
      "{\"session_id\": \"b\", \"input_length\": 2, \"delay\": 100}\n"
      "{\"session_id\": \"a\", \"input_length\": 2}\n"
      "{\"input_length\": 2}\n",
      MockTokenizer(), corpus, token_options());
  // Session order a(1), a(3), b(2), anonymous(4): draws 246, 57, 309, 487.
  EXPECT_EQ(
      r.out,
      "{\"index\":0,\"session_id\":\"a\",\"body\":{\"prompt\":[10246,10247],\"stream\":true}}\n"
      "{\"index\":1,\"session_id\":\"b\",\"delay\":100,\"body\":{\"prompt\":[10309,10310],"
      "\"stream\":true}}\n"
      "{\"index\":2,\"session_id\":\"a\",\"body\":{\"prompt\":[10057,10058],\"stream\":true}}\n"
      "{\"index\":3,\"session_id\":\"session_000000\",\"body\":{\"prompt\":[10487,10488],"
      "\"stream\":true}}\n");
}

TEST(Materializer, TextInputIsUsedAsIs) {
  const auto corpus = range_corpus();
  const std::string trace =
      "{\"text_input\": \"Hello \\\"w\\u00f6rld\\\"\", \"output_length\": 5}\n";
  auto r = materialize_text(trace, MockTokenizer(), corpus, options());
  EXPECT_EQ(r.out,
            "{\"index\":0,\"session_id\":\"session_000000\",\"body\":{\"messages\":[{"
            "\"role\":\"user\",\"content\":\"Hello \\\"w\u00f6rld\\\"\"}],"
            "\"max_tokens\":5,\"stream\":true}}\n");
  // As token ids it is the tokenizer's encoding of the text.
  r = materialize_text(trace, ByteTokenizer(), corpus, token_options());
  EXPECT_NE(r.out.find("\"prompt\":[72,101,108,108,111,32,34,119,195,182,114,108,100,34]"),
            std::string::npos)
      << r.out;
}

TEST(Materializer, MessagesAndPayloadsPassThrough) {
  const auto corpus = range_corpus();
  const std::string trace =
      "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"output_length\": 3}\n"
      "{\"payload\": {\"model\": \"x\", \"prompt\": \"y\"}}\n";
  const auto r = materialize_text(trace, MockTokenizer(), corpus, options());
  EXPECT_EQ(r.out,
            "{\"index\":0,\"session_id\":\"session_000000\",\"body\":{\"messages\":[{\"role\": "
            "\"user\", \"content\": \"hi\"}],\"max_tokens\":3,\"stream\":true}}\n"
            "{\"index\":1,\"session_id\":\"session_000001\",\"body\":{\"model\": \"x\", "
            "\"prompt\": \"y\"}}\n");
  TempFile f(trace);
  MaterializeOptions o = options();
  o.api = Api::kCompletions;
  const Trace t = read_trace(f.path(), 8);
  try {
    Materializer(t.requests, t.lines, t.name, o);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), f.path() +
                                         ":1: messages: chat messages can only be sent to "
                                         "the chat API (--api chat)");
  }
}

TEST(Materializer, HashIdAtTwoSizesIsAnErrorNamingBothLines) {
  // Hash 3 is a 4-token last block on line 1 and a full 8-token block on line 3.
  TempFile f(
      "{\"input_length\": 20, \"hash_ids\": [1, 2, 3]}\n"
      "\n"
      "{\"input_length\": 24, \"hash_ids\": [1, 2, 3]}\n");
  const Trace t = read_trace(f.path(), 8);
  for (const char* shard : {"0/1", "1/2"}) {  // the check is global: any shard finds it
    MaterializeOptions o = options();
    o.shard = Shard::parse(shard);
    try {
      Materializer(t.requests, t.lines, t.name, o);
      FAIL() << "no error";
    } catch (const InputError& e) {
      EXPECT_EQ(e.line(), 3u);
      EXPECT_EQ(e.field(), "hash_ids[2]");
      EXPECT_EQ(e.problem(),
                "hash id 3 is a block of 8 tokens here but of 4 tokens on line 1; a hash id "
                "names one block of content, so it has one size (a corrupt trace, or a block "
                "size other than the trace's)");
    }
  }
  // The other order reports the same conflict the other way round.
  TempFile g(
      "{\"input_length\": 24, \"hash_ids\": [1, 2, 3]}\n"
      "{\"input_length\": 20, \"hash_ids\": [1, 2, 3]}\n");
  const Trace u = read_trace(g.path(), 8);
  try {
    Materializer(u.requests, {}, "trace", options());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("trace:2: hash_ids[2]: hash id 3 is a block of 4 tokens "
                                         "here but of 8 tokens on line 1"),
              std::string::npos)
        << e.what();
  }
}

TEST(Materializer, IncompatibleLengthsAreInputErrors) {
  TempFile f("{\"input_length\": 16, \"hash_ids\": [1, 2, 3]}\n");
  const Trace t = read_trace(f.path(), 8);
  try {
    Materializer(t.requests, t.lines, t.name, options());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_EQ(e.field(), "hash_ids");
  }
}

// materialize allocated input_length tokens unchecked: 1e10 reached 9.9 GB before failing.
TEST(Materializer, InputLengthOverTheLimitIsRefusedBeforeAnyPromptIsBuilt) {
  TempFile f("{\"input_length\": 16}\n{\"input_length\": 1e10}\n");
  const Trace t = read_trace(f.path(), 8);
  try {
    Materializer(t.requests, t.lines, t.name, options());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              t.name + ":2: input_length: over the limit of 16777216 tokens, got 10000000000");
  }
  TempFile at_limit("{\"input_length\": 16777216, \"hash_ids\": [7]}\n");
  const Trace u = read_trace(at_limit.path(), kMaxPromptTokens);
  EXPECT_NO_THROW(Materializer(u.requests, u.lines, u.name, options(kMaxPromptTokens)));
}

TEST(Materializer, TokenIdsNeedTheCompletionsApi) {
  MaterializeOptions o = options();
  o.format = PromptFormat::kTokens;
  EXPECT_THROW(Materializer({}, {}, "t", o), UsageError);
}

// A trace with sessions, anonymous requests, shared and private blocks, tails, hash-less
// requests and text inputs.
std::string mixed_trace(int n) {
  std::string t;
  for (int i = 0; i < n; ++i) {
    const int shared = i % 5;
    std::string line = "{\"timestamp\": " + std::to_string(i * 10);
    if (i % 3 != 0) line += ", \"session_id\": \"s" + std::to_string(i % 7) + "\"";
    if (i % 11 == 0) {
      line += ", \"text_input\": \"text " + std::to_string(i) + "\"}";
    } else if (i % 13 == 0) {
      line += ", \"input_length\": " + std::to_string(5 + i) + "}";
    } else {
      const int blocks = 1 + i % 4;
      line += ", \"input_length\": " + std::to_string(blocks * 8 - i % 8 + (i % 6 == 0 ? 12 : 0));
      // A shared id is always a full first block; a lone block may be partial, so it is
      // the request's own.
      line += ", \"output_length\": 9, \"hash_ids\": [" +
              std::to_string(blocks > 1 ? shared : 1000 + i * 10);
      for (int b = 1; b < blocks; ++b) line += ", " + std::to_string(1000 + i * 10 + b);
      line += "]}";
    }
    t += line + "\n";
  }
  return t;
}

TEST(Materializer, ThreadCountAndShardsDoNotChangeTheBytes) {
  const auto corpus = range_corpus(0, 5000);
  TempFile f(mixed_trace(300));
  const Trace t = read_trace(f.path(), 8);
  const MockTokenizer tok;
  const std::string one = materialize(t, tok, corpus, options(), 1).out;
  ASSERT_EQ(split_lines(one).size(), 300u);
  EXPECT_EQ(materialize(t, tok, corpus, options(), 2).out, one);
  EXPECT_EQ(materialize(t, tok, corpus, options(), 8).out, one);
  for (const std::uint32_t n : {2u, 3u, 7u}) {
    std::vector<std::string> outputs;
    std::uint64_t written = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      MaterializeOptions o = options();
      o.shard = {i, n};
      const Result r = materialize(t, tok, corpus, o, 2);
      outputs.push_back(r.out);
      written += r.stats.requests;
    }
    EXPECT_EQ(written, 300u);
    EXPECT_EQ(merge_shards(outputs), one) << n << " shards";
  }
}

TEST(Materializer, ABlockBoundaryInsideACharacterDoesNotBreakTheText) {
  // The corpus is 2-byte characters and the tokens are bytes: a 3-token block from an even
  // offset ends with half a character, one from an odd offset starts with the other half.
  const std::string text = [] {
    std::string s;
    for (int i = 0; i < 1000; ++i) s += "\u00e9";
    return s;
  }();
  const ByteTokenizer tok;  // no BOS/EOS: blocks join without a separator
  const auto corpus = kvtrace::prompt::Corpus::from_text(text, tok, "corpus");
  const BlockBuilder b(corpus.tokens(), std::nullopt, 42, "");
  std::optional<std::uint64_t> even;
  std::optional<std::uint64_t> odd;
  for (std::uint64_t id = 0; !(even && odd); ++id) {
    (b.block_start(id) % 2 == 0 ? even : odd) = id;
  }
  const std::string trace = "{\"input_length\": 6, \"hash_ids\": [" + std::to_string(*even) + ", " +
                            std::to_string(*odd) + "]}\n";
  MaterializeOptions o = options(3);
  o.api = Api::kCompletions;
  o.verify = true;
  const auto r = materialize_text(trace, tok, corpus.tokens(), o);
  EXPECT_NE(r.out.find("\"prompt\":\"\u00e9\u00e9\u00e9\""), std::string::npos) << r.out;
  EXPECT_EQ(r.stats.reencode_diff, (std::map<std::int64_t, std::uint64_t>{{0, 1}}));
  // Decoding block by block would have cut the middle character in two.
  EXPECT_EQ(tok.decode(b.block(*even, 3)) + tok.decode(b.block(*odd, 3)),
            "\u00e9\ufffd\ufffd\u00e9");
}

TEST(Materializer, VerifyCountsPromptsThatReencodeToAnotherLength) {
  const std::string text = [] {
    std::string s;
    for (int i = 0; i < 1000; ++i) s += "\u00e9";
    return s;
  }();
  const ByteTokenizer tok;
  const auto corpus = kvtrace::prompt::Corpus::from_text(text, tok, "corpus");
  MaterializeOptions o = options(3);
  o.api = Api::kCompletions;
  o.format = PromptFormat::kTokens;
  o.verify = true;
  // A lone 3-byte block always holds half a character, which decodes to U+FFFD (3 bytes).
  const auto r = materialize_text(
      "{\"input_length\": 3, \"hash_ids\": [1]}\n{\"input_length\": 3, \"hash_ids\": [2]}\n"
      "{\"text_input\": \"not verified\"}\n",
      tok, corpus.tokens(), o);
  EXPECT_EQ(r.stats.reencode_diff, (std::map<std::int64_t, std::uint64_t>{{2, 2}}));
}

// Sanitizer builds run this ~50x slower: they take the trace's first 1,500 requests.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr std::size_t kFast25Requests = 1500;
#else
constexpr std::size_t kFast25Requests = 12031;
#endif

// The FAST25 conversation trace (12,031 requests, 145M prompt tokens) with the byte
// tokenizer and a small corpus: 1, 2 and 8 threads and the union of 3 shards agree line
// for line.
TEST(Materializer, Fast25IsIdenticalForAnyThreadCountAndShardUnion) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  Trace t = read_trace(path, 512);
  ASSERT_EQ(t.requests.size(), 12031u);
  t.requests.resize(kFast25Requests);
  t.lines.resize(kFast25Requests);
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "Verse " + std::to_string(i) + ": \u00e9t\u00e9, na\u00efve \u2603 caf\u00e9.\n";
  }
  const ByteTokenizer tok;
  const auto corpus = kvtrace::prompt::Corpus::from_text(text, tok, "corpus");
  MaterializeOptions o = options(512);
  o.scope = "fast25";

  // Each output line's hash, by index.
  const auto line_hashes = [&](const MaterializeOptions& opts, int threads,
                               std::vector<std::size_t>& by_index) {
    const Materializer m(t.requests, t.lines, t.name, opts);
    std::string pending;
    tbb::task_arena arena(threads);
    arena.execute([&] {
      m.run(tok, corpus.tokens(), [&](std::string_view s) {
        pending.append(s);
        std::size_t pos = 0;
        for (std::size_t nl; (nl = pending.find('\n', pos)) != std::string::npos; pos = nl + 1) {
          const std::string_view line(pending.data() + pos, nl - pos);
          by_index.at(index_of(line)) = std::hash<std::string_view>()(line);
        }
        pending.erase(0, pos);
      });
    });
    EXPECT_TRUE(pending.empty());
  };
  std::vector<std::size_t> one(t.requests.size(), 0);
  line_hashes(o, 1, one);
  EXPECT_EQ(std::count(one.begin(), one.end(), 0u), 0);
  for (const int threads : {2, 8}) {
    std::vector<std::size_t> other(t.requests.size(), 0);
    line_hashes(o, threads, other);
    EXPECT_EQ(other, one) << threads << " threads";
  }
  std::vector<std::size_t> merged(t.requests.size(), 0);
  for (std::uint32_t i = 0; i < 3; ++i) {
    MaterializeOptions s = o;
    s.shard = {i, 3};
    line_hashes(s, 2, merged);
  }
  EXPECT_EQ(merged, one);
}

TEST(SeedApi, TextsToHashes) {
  const ByteTokenizer tok;
  const std::vector<std::string_view> texts{"0123456789abcdefghij",
                                            "0123456789ABCDEFGHIJKLMNOPQRST", ""};
  const auto h = kvtrace::prompt::texts_to_hashes(tok, texts, 10);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0], (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(h[1], (std::vector<std::uint64_t>{0, 2, 3}));
  EXPECT_TRUE(h[2].empty());
}

TEST(SeedApi, HashesToTextsBuildsWhatMaterializeBuilds) {
  const auto corpus = range_corpus();
  const MockTokenizer tok;
  const BlockBuilder b(corpus, 1, 42, "");
  const std::vector<std::vector<std::uint64_t>> hash_ids{{1, 2, 3}, {}};
  const std::vector<std::int64_t> lengths{20, 5};
  const auto texts = kvtrace::prompt::hashes_to_texts(b, tok, hash_ids, lengths, 8);
  std::vector<TokenId> first = b.block(1, 8);
  for (const auto& blk : {b.block(2, 8), b.block(3, 4)})
    first.insert(first.end(), blk.begin(), blk.end());
  std::vector<TokenId> second;
  b.append_run(246, 5, second);
  EXPECT_EQ(texts, (std::vector<std::string>{tok.decode(first), tok.decode(second)}));

  const std::vector<std::vector<std::uint64_t>> short_ids{{1, 2}};
  const std::vector<std::int64_t> long_len{200};
  try {
    kvtrace::prompt::hashes_to_texts(b, tok, short_ids, long_len, 64);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "Constraint violation: len(hash_ids) * block_size (128) < input_len (200)");
  }
  const std::vector<std::vector<std::uint64_t>> twice{{1, 2, 3}, {1, 2, 3}};
  const std::vector<std::int64_t> sizes{20, 24};
  EXPECT_THROW(kvtrace::prompt::hashes_to_texts(b, tok, twice, sizes, 8), UsageError);
}

// The whole run from a corpus file: the same bytes and stats as Materializer::run on the
// corpus tokenized in memory, on the threads asked for, with the corpus cache's outcome.
TEST(Materialize, LoadsTheCorpusAndRunsOnTheThreadsAskedFor) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "word" + std::to_string(i) + " more words here\n";
  TempFile corpus_file(text, ".txt");
  const MockTokenizer tok;
  TempFile trace(
      "{\"input_length\": 20, \"hash_ids\": [1, 2, 3]}\n{\"input_length\": 5}\n"
      "{\"text_input\": \"as is\"}\n{\"input_length\": 12, \"hash_ids\": [1, 4]}\n");
  const Trace t = read_trace(trace.path(), 8);
  const MaterializeOptions o = token_options();
  const auto corpus = kvtrace::prompt::Corpus::from_text(text, tok, "corpus");
  const Result want = materialize(t, tok, corpus.tokens(), o);
  const Materializer m(t.requests, t.lines, t.name, o);
  for (const unsigned threads : {1u, 3u}) {
    std::string out;
    const MaterializeResult r = kvtrace::prompt::materialize(
        m, tok, corpus_file.path(), "", threads, [&](std::string_view s) { out.append(s); });
    EXPECT_EQ(out, want.out);
    EXPECT_EQ(r.stats.requests, 4u);
    EXPECT_EQ(r.stats.synthesized, want.stats.synthesized);
    EXPECT_EQ(r.stats.passthrough, 1u);
    EXPECT_EQ(r.stats.prompt_tokens, want.stats.prompt_tokens);
    EXPECT_EQ(r.stats.blocks, 4u);
    EXPECT_EQ(r.threads, static_cast<int>(threads));
    EXPECT_EQ(r.corpus_tokens, corpus.size());
    EXPECT_FALSE(r.corpus_from_cache);
    EXPECT_EQ(r.cache_warning, "");
  }
  const auto discard = [](std::string_view) {};
  EXPECT_EQ(kvtrace::prompt::materialize(m, tok, corpus_file.path(), "", 0, discard).threads,
            tbb::info::default_concurrency());

  // The corpus cache: written by the first run, read by the second; a file where the
  // directory should be is a warning.
  const std::string cache = (std::filesystem::temp_directory_path() /
                             ("kvtrace-materialize-test-" + std::to_string(::getpid())))
                                .string();
  EXPECT_FALSE(kvtrace::prompt::materialize(m, tok, corpus_file.path(), cache, 1, discard)
                   .corpus_from_cache);
  const MaterializeResult cached =
      kvtrace::prompt::materialize(m, tok, corpus_file.path(), cache, 1, discard);
  std::filesystem::remove_all(cache);
  EXPECT_TRUE(cached.corpus_from_cache);
  EXPECT_EQ(cached.corpus_tokens, corpus.size());
  const MaterializeResult warned = kvtrace::prompt::materialize(
      m, tok, corpus_file.path(), corpus_file.path() + "/cache", 1, discard);
  EXPECT_FALSE(warned.corpus_from_cache);
  EXPECT_NE(warned.cache_warning.find("cannot create"), std::string::npos) << warned.cache_warning;
}

TEST(Materialize, AMissingCorpusIsAnIoErrorBeforeAnyLine) {
  TempFile trace("{\"input_length\": 20, \"hash_ids\": [1, 2, 3]}\n");
  const Trace t = read_trace(trace.path(), 8);
  const Materializer m(t.requests, t.lines, t.name, token_options());
  std::string out;
  EXPECT_THROW(kvtrace::prompt::materialize(m, MockTokenizer(), "/nonexistent/corpus.txt", "", 2,
                                            [&](std::string_view s) { out.append(s); }),
               kvtrace::IoError);
  EXPECT_EQ(out, "");
}

TEST(VerifyReport, NoPromptBuiltFromTheCorpus) {
  EXPECT_EQ(kvtrace::prompt::verify_report({}),
            "kvtrace: verify: no prompt was built from the corpus\n");
}

TEST(VerifyReport, CountsMedianMeanAndDistribution) {
  MaterializeStats st;
  st.prompt_tokens = 400;
  st.reencode_diff = {{-3, 1}, {0, 2}, {2, 1}};
  // 4 prompts, 2 changed; sum -3 + 2 = -1 of 400 tokens (-0.25%); the 2nd of 4 is 0.
  EXPECT_EQ(kvtrace::prompt::verify_report(st),
            "kvtrace: verify: 2 of 4 built prompts re-tokenize to another length than the tokens "
            "they were decoded from; re-encoded minus built tokens: min -3, median 0, mean -0.25, "
            "max 2; in all -1 of 400 tokens (-0.2500%)\n"
            "kvtrace: verify: prompts by difference: -3: 1, +0: 2, +2: 1\n");
  // No prompt exact: the lower of the two middle differences is the median.
  st.prompt_tokens = 12;
  st.reencode_diff = {{1, 1}, {5, 1}};
  EXPECT_EQ(kvtrace::prompt::verify_report(st),
            "kvtrace: verify: 2 of 2 built prompts re-tokenize to another length than the tokens "
            "they were decoded from; re-encoded minus built tokens: min 1, median 1, mean 3.00, "
            "max 5; in all +6 of 12 tokens (+50.0000%)\n"
            "kvtrace: verify: prompts by difference: +1: 1, +5: 1\n");
}

TEST(VerifyReport, EveryPromptExact) {
  MaterializeStats st;
  st.prompt_tokens = 4300;
  st.reencode_diff = {{0, 3}};
  EXPECT_EQ(kvtrace::prompt::verify_report(st),
            "kvtrace: verify: 0 of 3 built prompts re-tokenize to another length than the tokens "
            "they were decoded from; re-encoded minus built tokens: min 0, median 0, mean 0.00, "
            "max 0; in all +0 of 4300 tokens (+0.0000%)\n"
            "kvtrace: verify: prompts by difference: +0: 3\n");
}

}  // namespace
