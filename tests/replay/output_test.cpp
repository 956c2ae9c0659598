#include "kvtrace/replay/output.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::replay {
namespace {

Record sample() {
  Record r;
  r.index = 7;
  r.session_id = "s,1";
  r.intended_ns = 1000000;
  r.start_ns = 1500000;
  r.first_token_ns = 11500000;
  r.chunk_ns = {11500000, 21500000};
  r.end_ns = 31500000;
  r.status = 200;
  r.input_tokens = 12;
  r.output_tokens = 3;
  r.token_source = TokenSource::kUsage;
  r.max_tokens = 3;
  r.done = true;
  r.new_connection = true;
  return r;
}

TEST(Output, RecordJsonLine) {
  std::string out;
  append_record_json(out, sample());
  EXPECT_EQ(
      out,
      R"({"index":7,"session_id":"s,1","ok":true,"status":200,"error_kind":null,"error":null,)"
      R"("intended_ms":1.0,"start_ms":1.5,"first_token_ms":11.5,"end_ms":31.5,"lateness_ms":0.5,)"
      R"("ttft_ms":10.0,"tpot_ms":10.0,"e2e_ms":30.0,"input_tokens":12,"output_tokens":3,)"
      R"("token_source":"usage","max_tokens":3,"chunks":2,"malformed_events":0,"done":true,)"
      R"("new_connection":true,"chunk_ms":[11.5,21.5]})"
      "\n");
}

TEST(Output, FailedRecordCsvRow) {
  Record r = sample();
  r.error_kind = ErrorKind::kHttpStatus;
  r.error = "HTTP 500: \"bad\"";
  r.status = 500;
  r.first_token_ns = kNever;
  r.chunk_ns.clear();
  r.input_tokens.reset();
  std::string out;
  append_record_csv(out, r);
  EXPECT_EQ(out,
            "7,\"s,1\",false,500,http_status,\"HTTP 500: \"\"bad\"\"\",1.0,1.5,,31.5,0.5,,,30.0,,3,"
            "usage,3,0,0,true,true\n");
  // As many columns as the header.
  EXPECT_EQ(std::count(csv_header().begin(), csv_header().end(), ','), 21);
}

TEST(Output, RecordFilesAreWrittenPerRecord) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("kvtrace-output-test-" + std::to_string(::getpid())))
                              .string();
  {
    RecordFiles files(dir);
    files.write(sample());
    // On disk before close (the writer thread flushes as records come).
    std::string jsonl;
    EXPECT_TRUE(testing::wait_until([&] {
      jsonl = testing::read_file(dir + "/records.jsonl");
      return !jsonl.empty();
    }));
    EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 1);
    files.write(sample());
    files.close();
  }
  const std::string csv = testing::read_file(dir + "/records.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_TRUE(csv.starts_with(csv_header()));
  std::filesystem::remove_all(dir);
}

TEST(Output, AFailedRecordWriteIsReportedAtOnceAndThenByWriteAndClose) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("kvtrace-output-full-" + std::to_string(::getpid())))
                              .string();
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink("/dev/full", dir + "/records.jsonl");
  std::mutex mutex;
  std::vector<std::string> failures;
  {
    RecordFiles files(dir, [&](std::exception_ptr e) {
      try {
        std::rethrow_exception(e);
      } catch (const IoError& x) {
        std::lock_guard lock(mutex);
        failures.emplace_back(x.what());
      }
    });
    files.write(sample());
    EXPECT_TRUE(testing::wait_until([&] {
      std::lock_guard lock(mutex);
      return !failures.empty();
    }));
    EXPECT_THROW(files.write(sample()), IoError);
    EXPECT_THROW(files.close(), IoError);
  }
  ASSERT_EQ(failures.size(), 1u);  // once
  EXPECT_EQ(failures[0], "cannot write " + dir + "/records.jsonl: No space left on device");
  std::filesystem::remove_all(dir);
}

TEST(Output, SummaryJsonAndTable) {
  const std::vector<Record> rs{sample()};
  const RunSummary s = summarize_run(rs, 2, Slo::parse("ttft=5"));
  RunInfo info{.input = "r.jsonl", .url = "http://h:1", .mode = "trace", .slo = "ttft=5"};
  const std::string json = summary_json(s, info);
  EXPECT_NE(json.find("\"not_sent\": 1,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"good_requests\": 0,"), std::string::npos);
  EXPECT_NE(json.find("\"p99\": 10.0,"), std::string::npos);
  EXPECT_NE(json.find("\"speedup\": 1.0,"), std::string::npos);
  const std::string table = summary_table(s, info);
  EXPECT_NE(table.find("Time to first token (ms)"), std::string::npos) << table;
  EXPECT_NE(table.find("Requests: 1 of 2 sent, 1 completed, 0 failed, 1 not sent"),
            std::string::npos);
  EXPECT_NE(table.find("Goodput under ttft=5: 0.00 req/s (0 of 1 completed requests)"),
            std::string::npos);
}

}  // namespace
}  // namespace kvtrace::replay
