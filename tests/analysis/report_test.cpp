#include "kvtrace/analysis/report.hpp"

#include <gtest/gtest.h>

namespace kvtrace::analysis {
namespace {

AnalysisStats sample() {
  PrefixAnalyzer a;
  trace::Request r;
  r.input_length = 1024;
  r.output_length = 20;
  r.hash_ids = std::vector<std::uint64_t>{1, 2};
  a.add(r);
  r.input_length = 1536;
  r.hash_ids = std::vector<std::uint64_t>{1, 2, 3};
  a.add(r);
  return a.finish();
}

TEST(Report, AiperfJsonHasExactlyAiperfsFieldsInOrder) {
  const std::string json = render_json(sample(), {"t.jsonl", {}}, JsonFields::kAiperf);
  const char* keys[] = {"total_requests",
                        "unique_prefixes",
                        "num_prefix_groups",
                        "cache_hit_rate",
                        "min_isl",
                        "max_isl",
                        "avg_isl",
                        "min_osl",
                        "max_osl",
                        "avg_osl",
                        "prefix_reuse_ratio",
                        "isl_stats",
                        "osl_stats",
                        "context_length_stats",
                        "unique_prompt_length_stats",
                        "hit_rate_stats"};
  std::size_t at = 0;
  for (const char* k : keys) {
    const std::size_t pos = json.find("\n  \"" + std::string(k) + "\": ");
    ASSERT_NE(pos, std::string::npos) << k;
    EXPECT_GT(pos, at) << k << " out of order";
    at = pos;
  }
  EXPECT_EQ(json.find("token_hit_rate"), std::string::npos);
  EXPECT_EQ(json.substr(0, 26), "{\n  \"total_requests\": 2,\n ");
  EXPECT_NE(json.find("  \"isl_stats\": {\n    \"mean\": 1280.0,\n    \"std_dev\": 256.0,"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"avg_isl\": 1280.0,"), std::string::npos);
}

TEST(Report, FullJsonAddsKvtraceFieldsAndInputAccounting) {
  trace::ReaderCounts counts;
  counts.lines = 4;
  counts.blank_lines = 1;
  counts.skipped_invalid = 1;
  const std::string json = render_json(sample(), {"t.jsonl", counts});
  EXPECT_NE(json.find("\"token_hit_rate\": "), std::string::npos);
  EXPECT_NE(json.find("\"block_size\": 512"), std::string::npos);
  EXPECT_NE(json.find("\"input\": {\n    \"file\": \"t.jsonl\",\n    \"lines\": 4,"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"skipped_invalid\": 1"), std::string::npos);
  EXPECT_EQ(json.back(), '\n');
}

TEST(Report, NullStatsAreNullInJsonAndNaInTheTable) {
  PrefixAnalyzer a;
  trace::Request r;
  r.input_length = 10;
  a.add(r);
  const AnalysisStats s = a.finish();
  EXPECT_NE(render_json(s, {"t", {}}).find("\"hit_rate_stats\": null"), std::string::npos);
  const std::string table = render_table(s, {"t", {}});
  EXPECT_NE(table.find("Theoretical Hit Rates"), std::string::npos);
  EXPECT_NE(table.find("N/A"), std::string::npos);
}

TEST(Report, TableHasAiperfsRowsAndColumns) {
  const std::string table = render_table(sample(), {"t.jsonl", {}});
  for (const char* s : {"Trace Analysis Report",
                        "Total requests:   2",
                        "Unique prefixes:  3",
                        "Prefix groups:    1",
                        "Trace Statistics",
                        "Metric",
                        "Mean",
                        "Std Dev",
                        "Min",
                        "P25",
                        "Median",
                        "P75",
                        "Max",
                        "Input Length",
                        "Context Length",
                        "Unique Prompt Length",
                        "Output Length",
                        "Theoretical Hit Rates",
                        "1,280.00",
                        "token hit rate"}) {
    EXPECT_NE(table.find(s), std::string::npos) << s << "\n" << table;
  }
}

TEST(Report, TheServersCachedTokensAreShownWhenTheTraceHasThem) {
  AnalysisStats s = sample();
  EXPECT_EQ(server_measured_line(s.server_measured), "");
  EXPECT_NE(render_json(s, {}).find("\"server_measured\": null,"), std::string::npos);
  s.server_measured = {.requests = 2,
                       .unreadable = 1,
                       .input_tokens = 2560,
                       .measured_cached_tokens = 512,
                       .predicted_cached_tokens = 1024};
  EXPECT_EQ(server_measured_line(s.server_measured),
            "Server-measured token hit rate:  0.2000  (cached_tokens of 2 requests: 512 of 2,560 "
            "input tokens)\n"
            "  kvtrace predicts 0.4000 for the same requests: the server achieved 50.0% of the "
            "predicted reuse\n"
            "  (1 requests with a cached_tokens that is not a non-negative integer)\n");
  EXPECT_NE(render_table(s, {}).find("Server-measured token hit rate:  0.2000"), std::string::npos);
  EXPECT_NE(render_json(s, {}).find("\"achieved_share\": 0.5\n"), std::string::npos);
  EXPECT_EQ(render_json(s, {}, JsonFields::kAiperf).find("server_measured"), std::string::npos);
}

// What the analyzer hands the report: the server's figure beside its own prediction.
TEST(Report, TheAnalyzerSetsTheServersCachedTokensBesideItsPrediction) {
  PrefixAnalyzer a(512);
  trace::Request r;
  r.input_length = 1024;
  r.hash_ids = std::vector<std::uint64_t>{1, 2};
  r.extra = {{"cached_tokens", "0"}};
  a.add(r);
  r.input_length = 1536;
  r.hash_ids = std::vector<std::uint64_t>{1, 2, 3};
  r.extra = {{"cached_tokens", "512"}};
  a.add(r);
  const trace::MeasuredCache m = a.finish().server_measured;
  EXPECT_EQ(m.requests, 2u);
  EXPECT_EQ(m.input_tokens, 2560u);
  EXPECT_EQ(m.measured_cached_tokens, 512u);
  EXPECT_EQ(m.predicted_cached_tokens, 1024u);
}

// P90 and P99 stand beside AIPerf's quartiles in the full JSON and the table, not in
// aiperf-json.
TEST(Report, TailsBesideTheQuartilesButNotInAiperfJson) {
  const AnalysisStats s = sample();
  const std::string all = render_json(s, {});
  EXPECT_NE(all.find("\"max\": 1536.0,\n    \"p90\": 1484.8,\n    \"p99\": 1530.88\n"),
            std::string::npos)
      << all;
  EXPECT_EQ(render_json(s, {}, JsonFields::kAiperf).find("p90"), std::string::npos);
  const std::string table = render_table(s, {});
  EXPECT_NE(table.find("P90"), std::string::npos);
  EXPECT_NE(table.find("1,484.80"), std::string::npos) << table;
}

TEST(Report, TheThreeHitRatesSideBySide) {
  const std::string table = render_table(sample(), {});
  for (const char* line : {"  per request, mean:  0.3333  AIPerf's cache_hit_rate",
                           "  block hit rate:      0.4000  2 of 5 blocks (3 distinct hash ids)",
                           "  token hit rate:      0.4000  1,024 of 2,560 input tokens"}) {
    EXPECT_NE(table.find(line), std::string::npos) << line << "\n" << table;
  }
}

// Two 100-token requests whose 3 ids share the first 2 (a trace at odds with its block
// size): each has 2 repeated blocks, context 1,024, unique prompt -924.
TEST(Report, ANegativeUniquePromptLengthGetsAFootnote) {
  PrefixAnalyzer a;
  trace::Request r;
  r.input_length = 100;
  r.hash_ids = std::vector<std::uint64_t>{7, 8, 1};
  a.add(r);
  r.hash_ids = std::vector<std::uint64_t>{7, 8, 2};
  a.add(r);
  const AnalysisStats s = a.finish();
  EXPECT_EQ(s.negative_unique_prompts, 2u);
  EXPECT_NE(render_table(s, {}).find("Note: 2 requests have a negative Unique Prompt Length"),
            std::string::npos);
  EXPECT_EQ(render_table(sample(), {}).find("negative"), std::string::npos);
  EXPECT_NE(render_json(s, {}).find("\"negative_unique_prompts\": 2,"), std::string::npos);
}

TEST(Report, ArrivalsSessionsAndBackwardTimestamps) {
  AnalysisStats s = sample();
  WorkloadStats w;
  w.add(0.0, "a", std::nullopt);
  w.add(2000.0, "a", 2000.0);
  s.workload = w.finish();
  ReportInput input{"t.jsonl", {}};
  input.counts.timestamps_backwards = 1;
  input.counts.first_backwards = "t.jsonl:3: timestamp: 5 after 10";
  const std::string table = render_table(s, input);
  for (const char* line :
       {"Arrivals: 2 requests over 2.0 s: 1.00 requests/s on average; peak 1 in 1 s",
        "Sessions: 1 (2 requests)", "Arrivals and Sessions", "Inter-arrival (ms)",
        "Turns per Session", "Delay Between Turns (ms)",
        "Timestamps go backwards 1 times; the first: t.jsonl:3: timestamp: 5 after 10"}) {
    EXPECT_NE(table.find(line), std::string::npos) << line << "\n" << table;
  }
  const std::string json = render_json(s, input);
  EXPECT_NE(json.find("\"arrivals\": {\n    \"timed_requests\": 2,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"sessions\": {\n    \"sessions\": 1,"), std::string::npos);
  EXPECT_NE(json.find("\"first_backwards\": \"t.jsonl:3: timestamp: 5 after 10\""),
            std::string::npos);
  EXPECT_NE(render_json(sample(), {}).find("\"first_backwards\": null"), std::string::npos);
}

TEST(Report, CsvHasOneRowPerNumberOfTheJson) {
  AnalysisStats s = sample();
  const std::string csv = render_csv(s, {"a,b.jsonl", {}});
  EXPECT_EQ(csv.rfind("statistic,value\ntotal_requests,2\n", 0), 0u) << csv;
  for (const char* row : {"\nisl_stats.p90,1484.8\n", "\ninput.file,\"a,b.jsonl\"\n",
                          "\nserver_measured,\n", "\ninput.first_backwards,\n"}) {
    EXPECT_NE(csv.find(row), std::string::npos) << row << "\n" << csv;
  }
}

}  // namespace
}  // namespace kvtrace::analysis
