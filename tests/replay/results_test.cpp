#include "kvtrace/replay/results.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"
#include "kvtrace/replay/metrics.hpp"
#include "test_util.hpp"

namespace kvtrace::replay {
namespace {

using testing::TempDir;
using testing::thrown_message;

std::vector<Record> records() {
  Record ok;
  ok.index = 3;
  ok.session_id = "s\"1";
  ok.intended_ns = 1'000'000;
  ok.start_ns = 1'234'567;
  ok.first_token_ns = 25'000'001;
  ok.end_ns = 90'500'000;
  ok.chunk_ns = {25'000'001, 40'000'000, 90'000'000};
  ok.status = 200;
  ok.input_tokens = 512;
  ok.output_tokens = 3;
  ok.token_source = TokenSource::kUsage;
  ok.max_tokens = 3;
  ok.done = true;
  ok.new_connection = true;
  Record failed;
  failed.index = 4;
  failed.intended_ns = 2'000'000;
  failed.start_ns = 2'000'100;
  failed.end_ns = 7'000'000;
  failed.status = 500;
  failed.error_kind = ErrorKind::kHttpStatus;
  failed.error = "HTTP 500";
  failed.malformed_events = 2;
  return {ok, failed};
}

void write_run(const TempDir& dir, const std::vector<Record>& rs, const RunInfo& info) {
  std::string lines;
  for (const Record& r : rs) append_record_json(lines, r);
  dir.write("records.jsonl", lines);
  const Slo slo = info.slo.empty() ? Slo{} : Slo::parse(info.slo);
  dir.write("summary.json", summary_json(summarize_run(rs, 5, slo), info));
}

TEST(Results, WhatReplayWritesReadsBackAsItWas) {
  const TempDir dir;
  RunInfo info;
  info.input = "requests.jsonl";
  info.url = "http://127.0.0.1:8000";
  info.mode = "trace";
  info.speedup = 100;
  info.slo = "ttft=200,e2e=1000";
  write_run(dir, records(), info);
  const RunResults got = read_results(dir.path());
  EXPECT_EQ(got.requests, 5u);
  EXPECT_EQ(got.info.url, info.url);
  EXPECT_EQ(got.info.mode, "trace");
  EXPECT_EQ(got.info.speedup, 100);
  EXPECT_EQ(got.info.slo, info.slo);
  EXPECT_FALSE(got.info.interrupted);
  ASSERT_EQ(got.records.size(), 2u);
  const std::vector<Record> want = records();
  for (std::size_t i = 0; i < want.size(); ++i) {
    const Record& a = got.records[i];
    const Record& b = want[i];
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(a.session_id, b.session_id);
    EXPECT_EQ(a.intended_ns, b.intended_ns);
    EXPECT_EQ(a.start_ns, b.start_ns);
    EXPECT_EQ(a.first_token_ns, b.first_token_ns);
    EXPECT_EQ(a.end_ns, b.end_ns);
    EXPECT_EQ(a.chunk_ns, b.chunk_ns);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.error_kind, b.error_kind);
    EXPECT_EQ(a.error, b.error);
    EXPECT_EQ(a.input_tokens, b.input_tokens);
    EXPECT_EQ(a.output_tokens, b.output_tokens);
    EXPECT_EQ(a.token_source, b.token_source);
    EXPECT_EQ(a.max_tokens, b.max_tokens);
    EXPECT_EQ(a.malformed_events, b.malformed_events);
    EXPECT_EQ(a.done, b.done);
    EXPECT_EQ(a.new_connection, b.new_connection);
  }
  // The summary of the records read back is the run's.
  const Slo slo = Slo::parse(info.slo);
  EXPECT_EQ(summary_json(summarize_run(got.records, got.requests, slo), got.info),
            summary_json(summarize_run(want, 5, slo), info));
}

TEST(Results, ErrorsNameTheFileTheLineAndTheField) {
  const TempDir dir;
  RunInfo info;
  info.mode = "rate";
  write_run(dir, records(), info);
  std::string lines;
  append_record_json(lines, records()[0]);
  dir.write("records.jsonl", lines + "\n{\"index\": -1}\n");
  EXPECT_EQ(thrown_message<InputError>([&] { read_results(dir.path()); }),
            dir.path() + "/records.jsonl:3: index: expected a non-negative integer");
  dir.write("records.jsonl", "not json\n");
  EXPECT_EQ(thrown_message<InputError>([&] { read_results(dir.path()); }),
            dir.path() + "/records.jsonl:1: not a JSON object");
  std::string bad_kind;
  append_record_json(bad_kind, records()[1]);
  const auto at = bad_kind.find("http_status");
  bad_kind.replace(at, 11, "gremlins");
  dir.write("records.jsonl", bad_kind);
  EXPECT_EQ(thrown_message<InputError>([&] { read_results(dir.path()); }),
            dir.path() + "/records.jsonl:1: error_kind: unknown error kind \"gremlins\"");
}

TEST(Results, AMissingDirectoryOrFileIsAnIoError) {
  EXPECT_NE(thrown_message<IoError>([] { read_results("/nonexistent/results"); }), "");
  const TempDir dir;
  EXPECT_NE(thrown_message<IoError>([&] { read_results(dir.path()); }).find("summary.json"),
            std::string::npos);
}

}  // namespace
}  // namespace kvtrace::replay
