#include "kvtrace/replay/request_loader.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compress_util.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/line_reader.hpp"
#include "test_util.hpp"

namespace kvtrace::replay {
namespace {

using kvtrace::testing::TempFile;

std::vector<ReplayRequest> load(const std::string& text, LoadOptions o = {}) {
  TempFile f(text);
  return load_requests(f.path(), o);
}

// The InputError's message for a file holding `text`.
std::string error_of(const std::string& text) {
  TempFile f(text);
  try {
    load_requests(f.path(), {});
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), f.path());
    return std::to_string(e.line()) + ": " + e.field() + ": " + e.problem();
  }
  return "no error";
}

TEST(RequestLoader, ReadsMaterializedLines) {
  const auto rs = load(
      R"({"index":3,"timestamp":1500,"session_id":"s1","body":{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":7,"stream":true}})"
      "\n\n"
      R"({"index":4,"session_id":"s1","delay":250.5,"body":{"prompt":"x","max_tokens":2,"stream":true}})"
      "\n");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].index, 3u);
  EXPECT_EQ(rs[0].line, 1u);
  EXPECT_EQ(rs[0].timestamp_ms, 1500);
  EXPECT_FALSE(rs[0].delay_ms);
  EXPECT_TRUE(rs[0].chat);
  EXPECT_EQ(rs[0].max_tokens, 7u);
  EXPECT_EQ(rs[0].body,
            R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":7,)"
            R"("stream":true,"stream_options":{"include_usage":true}})");
  ASSERT_TRUE(rs[0].messages);
  EXPECT_EQ(
      rs[0].body.substr(rs[0].messages->first, rs[0].messages->second - rs[0].messages->first),
      R"({"role":"user","content":"hi"})");
  EXPECT_EQ(rs[1].line, 3u);
  EXPECT_FALSE(rs[1].chat);
  EXPECT_EQ(rs[1].delay_ms, 250.5);
  // Turns of one session are linked in file order.
  EXPECT_EQ(rs[0].next_turn, 1u);
  EXPECT_EQ(rs[1].previous_turn, 0u);
  EXPECT_EQ(rs[0].previous_turn, kNoTurn);
}

TEST(RequestLoader, ExtraBodyReplacesAndAdds) {
  const auto rs =
      load(R"({"body":{"prompt":"x","max_tokens":9,"stream":true}})",
           {.extra_body = R"({"max_tokens": 3, "temperature":0.5,"ign\u006fre_eos":true})",
            .include_usage = false});
  EXPECT_EQ(
      rs[0].body,
      R"({"prompt":"x","stream":true,"max_tokens":3,"temperature":0.5,"ign\u006fre_eos":true})");
  EXPECT_EQ(rs[0].max_tokens, 3u);
  EXPECT_EQ(rs[0].session_id, "request_0");
}

TEST(RequestLoader, KeepsTheBodysOwnStreamOptions) {
  const auto rs = load(R"({"body":{"prompt":"x","stream_options":{"include_usage":false}}})");
  EXPECT_EQ(rs[0].body, R"({"prompt":"x","stream_options":{"include_usage":false}})");
}

TEST(RequestLoader, BadExtraBody) {
  EXPECT_THROW(load(R"({"body":{"prompt":"x"}})", {.extra_body = "[1]"}), UsageError);
  EXPECT_THROW(load(R"({"body":{"prompt":"x"}})", {.extra_body = "{"}), UsageError);
}

TEST(RequestLoader, ErrorsNameLineAndField) {
  EXPECT_EQ(error_of("{\"body\":{\"prompt\":\"x\"}}\n{bad json\n").substr(0, 19),
            "2: : invalid JSON: ");
}

TEST(RequestLoader, Errors) {
  const auto problem = [](const std::string& text) {
    TempFile f(text);
    try {
      load_requests(f.path(), {});
    } catch (const InputError& e) {
      return e.field() + ": " + e.problem();
    }
    return std::string("no error");
  };
  EXPECT_EQ(problem(R"({"timestamp":1})"), "body: missing: each request needs its body");
  EXPECT_EQ(problem(R"({"timestamp":1,"input_length":600,"hash_ids":[1,2]})"),
            "body: missing: this looks like a trace line (input_length, hash_ids), not a request: "
            "`kvtrace materialize` turns a trace into requests");
  EXPECT_EQ(problem(R"({"body":[1]})"), "body: expected a JSON object");
  EXPECT_EQ(problem(R"({"body":{"model":"m"}})"),
            "body: expected \"messages\" (chat) or \"prompt\" (completions)");
  EXPECT_EQ(problem(R"({"timestamp":-5,"body":{"prompt":"x"}})"),
            "timestamp: expected a non-negative number of milliseconds");
  EXPECT_EQ(problem(R"({"delay":"5","body":{"prompt":"x"}})"),
            "delay: expected a number of milliseconds");
  EXPECT_EQ(problem(R"({"session_id":5,"body":{"prompt":"x"}})"), "session_id: expected a string");
  EXPECT_EQ(problem(R"({"body":{"prompt":"x","max_tokens":1.5}})"),
            "body.max_tokens: expected a non-negative integer, got 1.5");
  EXPECT_EQ(problem(R"({"body":{"messages":{"a":1}}})"), "body.messages: expected an array");
  EXPECT_EQ(problem("[1]"), ": expected a JSON object");
  EXPECT_EQ(problem("\n\n"), ": no requests in the file");
}

TEST(RequestLoader, DuplicateKeysAreErrors) {
  // Replay would otherwise send both bodies, one after the other: not JSON.
  EXPECT_EQ(error_of("{\"body\":{\"prompt\":\"x\"}}\n"
                     R"({"body":{"prompt":"a"},"body":{"prompt":"b"}})"),
            "2: body: duplicate key");
  for (const std::string key : {"index", "timestamp", "delay", "session_id", "other"}) {
    const std::string value = key == "session_id" || key == "other" ? "\"s\"" : "1";
    EXPECT_EQ(
        error_of(fmt::format(R"({{"{0}":{1},"body":{{"prompt":"x"}},"{0}":{1}}})", key, value)),
        "1: " + key + ": duplicate key");
  }
  EXPECT_EQ(error_of(R"({"body":{"prompt":"x","max_tokens":1,"max_tokens":2}})"),
            "1: body.max_tokens: duplicate key");
  EXPECT_EQ(error_of(R"({"body":{"prompt":"x","stre\u0061m":true,"stream":false}})"),
            "1: body.stream: duplicate key");
  EXPECT_THROW(load(R"({"body":{"prompt":"x"}})", {.extra_body = R"({"a":1,"a":2})"}), UsageError);
}

TEST(RequestLoader, SizesAndTimesBeyondTheirLimitsAreErrors) {
  EXPECT_EQ(error_of(R"({"body":{"prompt":"x","max_tokens":4000000000}})"),
            "1: body.max_tokens: 4000000000 is over the limit of 2147483647");
  EXPECT_EQ(error_of(R"({"body":{"prompt":"x","max_completion_tokens":2147483648}})"),
            "1: body.max_completion_tokens: 2147483648 is over the limit of 2147483647");
  EXPECT_EQ(load(R"({"body":{"prompt":"x","max_tokens":2147483647}})")[0].max_tokens, 2147483647u);
  // 31 years after the earliest timestamp (line 2's): milliseconds mistaken for something else.
  EXPECT_EQ(error_of(R"({"timestamp":1000,"body":{"prompt":"x"}})"
                     "\n"
                     R"({"timestamp":0,"body":{"prompt":"x"}})"
                     "\n"
                     R"({"timestamp":978307200000,"body":{"prompt":"x"}})"),
            "3: timestamp: 978307200000 ms is 11323.0 days after the earliest timestamp (0 ms, "
            "line 2); the limit is 30 days");
  EXPECT_EQ(load(R"({"timestamp":1700000000000,"body":{"prompt":"x"}})"
                 "\n"
                 R"({"timestamp":1702592000000,"body":{"prompt":"x"}})")
                .size(),
            2u);  // epoch milliseconds 30 days apart
  EXPECT_EQ(error_of(R"({"session_id":"s","timestamp":0,"body":{"prompt":"x"}})"
                     "\n"
                     R"({"session_id":"s","delay":2592000001,"body":{"prompt":"x"}})"),
            "2: delay: 2592000001 ms is over the limit of 30 days");
}

TEST(RequestLoader, MissingFileIsAnIoError) {
  EXPECT_THROW(load_requests("/nonexistent/requests.jsonl", {}), IoError);
}

// A requests file compressed with gzip or zstd reads as the plain one; a truncated one stops
// at the line of the break.
TEST(RequestLoader, ReadsCompressedFilesAndNamesTheLineOfABreak) {
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text += fmt::format(
        R"({{"index":{},"timestamp":{},"body":{{"prompt":"p{}","max_tokens":2,"stream":true}}}})"
        "\n",
        i, i, i);
  }
  const auto plain = load(text);
  for (const std::string& packed :
       {kvtrace::testing::gzip_compress(text), kvtrace::testing::zstd_compress(text)}) {
    TempFile f(packed, ".jsonl.z");
    const auto rs = load_requests(f.path(), {});
    ASSERT_EQ(rs.size(), plain.size());
    EXPECT_EQ(rs.back().index, plain.back().index);
    EXPECT_EQ(rs.back().line, plain.back().line);

    TempFile cut(packed.substr(0, packed.size() / 2), ".jsonl.z");
    try {
      load_requests(cut.path(), {});
      FAIL() << "no exception";
    } catch (const InputError& e) {
      EXPECT_EQ(e.source(), cut.path());
      // The line after the last whole line the stream gives (a zstd block comes out whole:
      // the cut may leave none).
      trace::LineReader reader(cut.path());
      trace::Line line;
      std::uint64_t whole = 0;
      while (reader.next(line) && line.problem.empty()) whole = line.number;
      EXPECT_EQ(e.line(), whole + 1) << e.what();
      EXPECT_LT(e.line(), 3000u);
      EXPECT_NE(e.problem().find("stream ends early (truncated file?)"), std::string::npos)
          << e.problem();
    }
  }
}

}  // namespace
}  // namespace kvtrace::replay
