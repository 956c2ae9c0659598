// The whole replay against the in-process mock server: the record files and summary.json in
// the output directory, the summary and the run's description, and when the hooks run.

#include "kvtrace/replay/replay.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "kvtrace/core/error.hpp"
#include "kvtrace/mock/mock_server.hpp"
#include "replay/mock_run_util.hpp"
#include "test_util.hpp"
#include "watchdog.hpp"

namespace kvtrace::replay {
namespace {

namespace fs = std::filesystem;
using mock::MockServer;
using mock::MockServerConfig;
using mock_run::fast_server;
using mock_run::options;
using testing::TempDir;

// Completions requests with token-id prompts (the mock server needs no tokenizer for them).
std::vector<ReplayRequest> requests(std::size_t n) {
  std::vector<ReplayRequest> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i].index = i;
    out[i].session_id = fmt::format("s{}", i);
    out[i].timestamp_ms = static_cast<double>(i);
    out[i].chat = false;
    out[i].max_tokens = 4;
    out[i].body = fmt::format(
        R"({{"prompt":[1,2,{}],"max_tokens":4,"stream":true,"stream_options":{{"include_usage":true}}}})",
        i);
  }
  return out;
}

std::size_t lines_of(const std::string& path) {
  const std::string text = testing::read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Replay, WritesRecordsAndSummaryAndDescribesTheRun) {
  MockServer server(fast_server());
  const std::uint16_t port = server.start();
  const TempDir dir;
  const auto rs = requests(6);
  std::vector<std::string> events;
  const ReplayHooks hooks{
      .started =
          [&] {
            // The record files are open, nothing was sent and nothing summarized yet.
            events.push_back(fmt::format("started {} {}", fs::exists(dir.path() + "/records.jsonl"),
                                         fs::exists(dir.path() + "/summary.json")));
          },
      .ended =
          [&] {
            events.push_back(fmt::format("ended {}", fs::exists(dir.path() + "/summary.json")));
          }};
  const ReplayReport r =
      replay(rs, options(port, {.mode = Mode::kRate, .rate = 500, .concurrency = 3}),
             {.input = "r.jsonl", .url = "http://x:1", .mode = "ignored", .slo = "ttft=60000"},
             Slo::parse("ttft=60000"), dir.path(), hooks);
  EXPECT_EQ(events, (std::vector<std::string>{"started true false", "ended false"}));
  EXPECT_EQ(r.summary.requests, 6u);
  EXPECT_EQ(r.summary.sent, 6u);
  EXPECT_EQ(r.summary.completed, 6u);
  EXPECT_EQ(r.summary.good, 6u);
  EXPECT_EQ(r.summary.output_tokens, 24u);
  // The schedule and seed come from the options; input, url and slo as given.
  EXPECT_EQ(r.info.input, "r.jsonl");
  EXPECT_EQ(r.info.url, "http://x:1");
  EXPECT_EQ(r.info.mode, "rate");
  EXPECT_EQ(r.info.rate, 500);
  EXPECT_EQ(r.info.concurrency, 3u);
  EXPECT_EQ(r.info.speedup, 1);
  EXPECT_EQ(r.info.seed, 42u);
  EXPECT_EQ(r.info.slo, "ttft=60000");
  EXPECT_FALSE(r.info.interrupted);
  EXPECT_EQ(r.json, summary_json(r.summary, r.info));
  EXPECT_EQ(testing::read_file(dir.path() + "/summary.json"), r.json);
  EXPECT_EQ(lines_of(dir.path() + "/records.jsonl"), 6u);
  EXPECT_EQ(lines_of(dir.path() + "/records.csv"), 7u);  // and the header
}

TEST(Replay, WithoutAnOutputDirectoryOrHooks) {
  MockServer server(fast_server());
  const std::uint16_t port = server.start();
  RunOptions o = options(port, {.mode = Mode::kTrace, .speedup = 4});
  o.seed = 9;
  const ReplayReport r = replay(requests(3), o, {.input = "-"}, Slo{}, "");
  EXPECT_EQ(r.summary.completed, 3u);
  EXPECT_EQ(r.info.mode, "trace");
  EXPECT_EQ(r.info.speedup, 4);
  EXPECT_EQ(r.info.seed, 9u);
  EXPECT_EQ(r.json, summary_json(r.summary, r.info));
}

TEST(Replay, AnUnusableOutputDirectoryFailsBeforeTheRunStarts) {
  const testing::TempFile file("x", ".file");
  bool started = false;
  EXPECT_THROW(replay(requests(2), options(1, {}), {}, Slo{}, file.path() + "/out",
                      {.started = [&] { started = true; }}),
               IoError);
  EXPECT_FALSE(started);
}

TEST(Replay, ARecordsFileThatCannotBeWrittenEndsTheRunAtOnce) {
  // A full disk: the second request, due in an hour, is never waited for.
  MockServer server(fast_server());
  const std::uint16_t port = server.start();
  const TempDir dir;
  fs::create_directories(dir.path());
  fs::create_symlink("/dev/full", dir.path() + "/records.jsonl");
  auto rs = requests(2);
  rs[1].timestamp_ms = 3600e3;
  const ReplayReport r = testing::returns_within(std::chrono::seconds(60), "the replay", [&] {
    return replay(rs, options(port, {.mode = Mode::kTrace}), {.input = "r.jsonl"}, Slo{},
                  dir.path());
  });
  EXPECT_EQ(r.summary.sent, 1u);
  EXPECT_EQ(r.summary.not_sent, 1u);
  EXPECT_TRUE(r.info.interrupted);
  ASSERT_TRUE(r.error);
  try {
    std::rethrow_exception(r.error);
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot write " + dir.path() + "/records.jsonl: No space left on device");
  }
  // What could be written was.
  EXPECT_EQ(testing::read_file(dir.path() + "/summary.json"), r.json);
}

TEST(Replay, BadScheduleOptionsFailAfterTheStartHookAsRunReplays) {
  const TempDir dir;
  bool started = false;
  bool ended = false;
  EXPECT_THROW(
      replay(requests(2), options(1, {.mode = Mode::kRate, .rate = 0}), {}, Slo{}, dir.path(),
             {.started = [&] { started = true; }, .ended = [&] { ended = true; }}),
      UsageError);
  EXPECT_TRUE(started);
  EXPECT_FALSE(ended);
  EXPECT_FALSE(fs::exists(dir.path() + "/summary.json"));
}

}  // namespace
}  // namespace kvtrace::replay
