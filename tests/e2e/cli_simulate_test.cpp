// kvtrace simulate end to end: the checks of docs/simulate.md (one worker with room for
// everything = analyze's infinite cache; the one-pass curve = direct simulation; kv-aware
// beats round-robin with 4 workers), output formats, and errors with their exit codes.

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "json_util.hpp"
#include "kvtrace/core/text_table.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::testing::Json;
using kvtrace::testing::parse_json;
using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempFile;

using kvtrace::testing::kSample;

std::vector<std::vector<std::string>> csv_rows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (const char ch : line) {
      if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        cells.push_back(cell);
        cell.clear();
      } else {
        cell += ch;
      }
    }
    cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

// The index of the column `name` in a CSV's header row (the header's size when absent).
std::size_t column(const std::vector<std::string>& header, std::string_view name) {
  return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
}

void expect_one_worker_equals_analyze(const std::string& trace) {
  const auto a = run_kvtrace("analyze -f json " + trace);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const Json analyzed = parse_json(a.out);
  const std::uint64_t distinct = analyzed["distinct_hash_ids"].as_uint();
  for (const std::string& capacity : {std::to_string(distinct), std::string("100000000")}) {
    for (const char* policy : {"lru", "lineage", "fifo"}) {
      const auto s = run_kvtrace("simulate -f json -c " + capacity + " -p " + std::string(policy) +
                                 " " + trace);
      ASSERT_EQ(s.exit_code, 0) << s.err;
      const Json runs = parse_json(s.out)["runs"];
      ASSERT_EQ(runs.size(), 1u) << runs;
      const Json run = runs[0];
      EXPECT_EQ(run["block_hit_rate"].as_double(), analyzed["block_hit_rate"].as_double());
      EXPECT_EQ(run["token_hit_rate"].as_double(), analyzed["token_hit_rate"].as_double());
      EXPECT_EQ(run["hit_blocks"].as_uint(), analyzed["hit_blocks"].as_uint());
      EXPECT_EQ(run["evicted_blocks"].as_uint(), 0u);
    }
  }
  // The curve ends at the same rate.
  const auto c = run_kvtrace("simulate -f json --curve --curve-points 1 " + trace);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const Json curve = parse_json(c.out);
  EXPECT_EQ(curve["distinct_blocks"].as_uint(), distinct);
  ASSERT_EQ(curve["curve"].size(), 1u) << curve;
  EXPECT_EQ(curve["curve"][0]["block_hit_rate"].as_double(),
            analyzed["block_hit_rate"].as_double());
}

TEST(CliSimulate, OneWorkerWithRoomForEverythingEqualsAnalyzeOnTheSample) {
  expect_one_worker_equals_analyze(kSample);
}

TEST(CliSimulate, OneWorkerWithRoomForEverythingEqualsAnalyzeOnFast25) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  expect_one_worker_equals_analyze(path);
}

TEST(CliSimulate, CurveEqualsTheSweep) {
  const auto curve = run_kvtrace("simulate -f csv --curve --curve-points 0 " + kSample);
  ASSERT_EQ(curve.exit_code, 0) << curve.err;
  const auto points = csv_rows(curve.out);
  ASSERT_GT(points.size(), 20000u);  // every capacity up to the distinct blocks
  const std::vector<std::uint64_t> capacities = {1, 700, 1500, 3000, 9000, 20000};
  std::string list;
  for (const auto c : capacities) {
    if (!list.empty()) list += ',';
    list += std::to_string(c);
  }
  const auto sweep = run_kvtrace("simulate -f csv --capacity-sweep " + list + " " + kSample);
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  const auto runs = csv_rows(sweep.out);
  ASSERT_EQ(runs.size(), capacities.size() + 1);
  EXPECT_EQ(runs[0][0], "capacity_blocks");
  const std::size_t hits = column(runs[0], "hit_blocks");
  const std::size_t tokens = column(runs[0], "cached_input_tokens");
  ASSERT_LT(tokens, runs[0].size());
  for (std::size_t i = 0; i < capacities.size(); ++i) {
    const auto& point = points[capacities[i]];  // row c is capacity c (after the header)
    ASSERT_EQ(point[0], std::to_string(capacities[i]));
    EXPECT_EQ(runs[i + 1][hits], point[1]) << capacities[i];
    EXPECT_EQ(runs[i + 1][tokens], point[3]) << capacities[i];
  }
}

// The one-pass curve of 4 workers equals the sweep of the same workers and router.
TEST(CliSimulate, WorkerCurveEqualsTheSweep) {
  for (const std::string router : {"round-robin", "random"}) {
    const auto curve =
        run_kvtrace("simulate -f csv --curve --curve-points 0 -w 4 -r " + router + " " + kSample);
    ASSERT_EQ(curve.exit_code, 0) << curve.err;
    const auto points = csv_rows(curve.out);
    const auto sweep = run_kvtrace("simulate -f csv --capacity-sweep 50,400,2000,6000 -w 4 -r " +
                                   router + " " + kSample);
    ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
    const auto runs = csv_rows(sweep.out);
    ASSERT_EQ(runs.size(), 5u);
    const std::size_t hits = column(runs[0], "hit_blocks");
    const std::size_t tokens = column(runs[0], "cached_input_tokens");
    ASSERT_LT(tokens, runs[0].size());
    for (std::size_t i = 1; i < runs.size(); ++i) {
      const auto& point = points[std::stoul(runs[i][0])];
      ASSERT_EQ(point[0], runs[i][0]);
      EXPECT_EQ(runs[i][hits], point[1]) << router << " " << runs[i][0];
      EXPECT_EQ(runs[i][tokens], point[3]) << router << " " << runs[i][0];
    }
  }
  const auto table = run_kvtrace("simulate -f table --curve -w 4 " + kSample);
  EXPECT_NE(table.out.find("lru on each of 4 workers behind round-robin; capacity per worker"),
            std::string::npos)
      << table.out;
}

// --target-of-ideal answers with the smallest capacity per worker whose rate reaches the
// share: the sweep at the answer reaches it, one block less does not.
TEST(CliSimulate, TargetOfIdealIsTheSmallestCapacityThatReachesIt) {
  const auto r = run_kvtrace(
      "simulate -f json --target-of-ideal 0.8 -w 4 --kv-bytes-per-token 131072 " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json a = parse_json(r.out);
  EXPECT_TRUE(a["reached"].as_bool());
  const std::uint64_t cap = a["capacity_blocks"].as_uint();
  EXPECT_EQ(a["capacity_tokens"].as_uint(), cap * 512);
  EXPECT_DOUBLE_EQ(a["gib_per_worker"].as_double(), cap * 512 * 131072.0 / (1 << 30));
  EXPECT_DOUBLE_EQ(a["gib_total"].as_double(), 4 * a["gib_per_worker"].as_double());
  const double goal = a["goal"].as_double();
  EXPECT_DOUBLE_EQ(goal, 0.8 * a["ideal"].as_double());
  const auto sweep =
      run_kvtrace("simulate -f csv -w 4 --capacity-sweep " + std::to_string(cap - 1) + "," +
                  std::to_string(cap) + " " + kSample);
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  const auto runs = csv_rows(sweep.out);
  const std::size_t rate = column(runs[0], "token_hit_rate");
  ASSERT_LT(rate, runs[0].size());
  EXPECT_LT(std::stod(runs[1][rate]), goal);
  EXPECT_GE(std::stod(runs[2][rate]), goal);
  EXPECT_DOUBLE_EQ(std::stod(runs[2][rate]), a["rate"].as_double());
  // The table says the same; CSV is one row of one value per column.
  const auto table = run_kvtrace("simulate -f table --target-of-ideal 0.8 -w 4 " + kSample);
  EXPECT_NE(table.out.find("answer:  " + kvtrace::core::grouped_int(cap) + " blocks per worker"),
            std::string::npos)
      << table.out;
  const auto csv = run_kvtrace("simulate -f csv --target-of-ideal 0.8 -w 4 " + kSample);
  const auto rows = csv_rows(csv.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].size(), rows[1].size());
  // Beyond the ideal: no capacity, said plainly.
  const auto none = run_kvtrace("simulate -f table --target-hit-rate 0.99 " + kSample);
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("no capacity reaches it"), std::string::npos) << none.out;
}

// Tiers come from the lru curve: all of them hit what lru with their capacities added up does,
// and the top tier what it would alone.
TEST(CliSimulate, TiersAreCutsOfTheCurve) {
  const auto r = run_kvtrace(
      "simulate -f json --tier hbm:1000 --tier dram:3000:50 --kv-bytes-per-token 131072 " +
      kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json a = parse_json(r.out);
  EXPECT_TRUE(a["split_exact"].as_bool());
  const auto curve = run_kvtrace("simulate -f csv --curve --curve-points 0 " + kSample);
  ASSERT_EQ(curve.exit_code, 0) << curve.err;
  const auto points = csv_rows(curve.out);  // row c is capacity c
  const auto tiers = a["tiers"].items();
  ASSERT_EQ(tiers.size(), 2u);
  EXPECT_EQ(tiers[0]["tier"].as_string(), "hbm");
  EXPECT_EQ(std::to_string(tiers[0]["hit_blocks"].as_uint()), points[1000][1]);
  EXPECT_EQ(std::to_string(a["all"]["hit_blocks"].as_uint()), points[4000][1]);
  EXPECT_EQ(tiers[0]["hit_blocks"].as_uint() + tiers[1]["hit_blocks"].as_uint(),
            a["all"]["hit_blocks"].as_uint());
  EXPECT_DOUBLE_EQ(tiers[1]["gib_per_worker"].as_double(), 3000 * 512 * 131072.0 / (1 << 30));
  // The top tier saves its tokens' prefill at the default 10000 tokens/s.
  EXPECT_DOUBLE_EQ(tiers[0]["prefill_seconds_saved"].as_double(),
                   tiers[0]["cached_tokens"].as_uint() / 10000.0);
  const auto bad = run_kvtrace("simulate --tier hbm:1000 --timing " + kSample);
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("--tier answers from the one-pass lru curve"), std::string::npos);
}

// Mooncake ids name their prefix: lineage's curve is lru's, and equals lineage's sweep.
TEST(CliSimulate, LineageCurveEqualsItsSweep) {
  const auto curve = run_kvtrace("simulate -f csv --curve -p lineage --curve-points 0 " + kSample);
  ASSERT_EQ(curve.exit_code, 0) << curve.err;
  const auto points = csv_rows(curve.out);
  const auto sweep =
      run_kvtrace("simulate -f csv -p lineage --capacity-sweep 10,900,5000 " + kSample);
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  const auto runs = csv_rows(sweep.out);
  const std::size_t hits = column(runs[0], "hit_blocks");
  ASSERT_LT(hits, runs[0].size());
  for (std::size_t i = 1; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i][hits], points[std::stoul(runs[i][0])][1]) << runs[i][0];
  }
  // Ids under another parent: no lineage curve, and why.
  TempFile shared(
      "{\"input_length\": 8, \"hash_ids\": [1, 2]}\n{\"input_length\": 8, \"hash_ids\": [3, 2]}\n");
  const auto r = run_kvtrace("simulate --curve -p lineage -b 4 " + shared.path());
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("1 block uses here follow another one"), std::string::npos) << r.err;
}

// kv-aware with timing has no curve: the answer comes from simulations, checked here against
// --capacity-sweep at the answer and one block less.
TEST(CliSimulate, TargetBySweepForKvAwareWithTiming) {
  const std::string setting = "-w 3 -r kv-aware --timing --threads 2 ";
  const auto r = run_kvtrace("simulate -f json --target-of-ideal 0.7 --tolerance 0 " + setting +
                             "--kv-bytes-per-token 131072 " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json a = parse_json(r.out);
  EXPECT_EQ(a["method"].as_string(), "sweep");
  EXPECT_EQ(a["router"].as_string(), "kv-aware");
  EXPECT_EQ(a["timing"].as_string(), "timestamps");
  EXPECT_TRUE(a["reached"].as_bool());
  const std::uint64_t cap = a["capacity_blocks"].as_uint();
  EXPECT_EQ(a["below_blocks"].as_uint(), cap - 1);
  EXPECT_DOUBLE_EQ(a["gib_total"].as_double(), 3 * cap * 512 * 131072.0 / (1 << 30));
  EXPECT_GT(a["probe_rates"].items().size(), 10u);
  const double goal = a["goal"].as_double();
  const auto sweep = run_kvtrace("simulate -f csv --capacity-sweep " + std::to_string(cap - 1) +
                                 "," + std::to_string(cap) + " " + setting + kSample);
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  const auto runs = csv_rows(sweep.out);
  const std::size_t rate = column(runs[0], "token_hit_rate");
  ASSERT_LT(rate, runs[0].size());
  EXPECT_LT(std::stod(runs[1][rate]), goal);
  EXPECT_DOUBLE_EQ(std::stod(runs[2][rate]), a["rate"].as_double());
  // The table says how it was found and how close it is; the CSV is one row.
  const auto table = run_kvtrace("simulate -f table --target-of-ideal 0.7 " + setting + kSample);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  for (const std::string& part : {std::string("method:  sweep: "), std::string("within:  "),
                                  std::string("<- answer"), std::string("monotone")}) {
    EXPECT_NE(table.out.find(part), std::string::npos) << part << "\n" << table.out;
  }
  const auto csv = run_kvtrace("simulate -f csv --target-of-ideal 0.7 " + setting + kSample);
  const auto rows = csv_rows(csv.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].size(), rows[1].size());
  EXPECT_EQ(rows[1][column(rows[0], "method")], "sweep");
}

TEST(CliSimulate, TargetWithSeedsShowsTheirSpread) {
  const auto r = run_kvtrace(
      "simulate -f table --target-of-ideal 0.8 -w 4 -r random --seeds 3 --seed 9 " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("seeds:   3 (router seeds 9 to 11): each seed's answer from"),
            std::string::npos)
      << r.out;
}

// Block hit rates of round-robin and kv-aware, 4 workers of 1024 blocks (64 GiB of KV at
// Llama-3-8B's 128 KiB per token), requests timed by the trace's timestamps.
std::pair<double, double> rr_and_kv(const std::string& trace) {
  const auto r = run_kvtrace(
      "simulate -f csv --gpu-mem 64 --kv-bytes-per-token 131072 -w 4 --timing "
      "-r round-robin,kv-aware " +
      trace);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto rows = csv_rows(r.out);
  EXPECT_EQ(rows.size(), 3u);
  if (rows.size() != 3) return {0, 0};
  EXPECT_EQ(rows[1][0], "1024");
  const std::size_t router = column(rows[0], "router");
  const std::size_t share = column(rows[0], "token_share_of_ideal");
  EXPECT_LT(share, rows[0].size());
  if (share >= rows[0].size()) return {0, 0};
  EXPECT_EQ(rows[1][router], "round-robin");
  EXPECT_EQ(rows[2][router], "kv-aware");
  // Each run beside its ideal: the same router with unlimited capacity.
  EXPECT_GT(std::stod(rows[2][share]), 0);
  EXPECT_LE(std::stod(rows[2][share]), 1);
  const std::size_t rate = column(rows[0], "block_hit_rate");
  EXPECT_LT(rate, rows[0].size());
  if (rate >= rows[0].size()) return {0, 0};
  return {std::stod(rows[1][rate]), std::stod(rows[2][rate])};
}

TEST(CliSimulate, KvAwareBeatsRoundRobinOnTheSample) {
  const auto [rr, kv] = rr_and_kv(kSample);
  EXPECT_GT(kv, rr * 1.2) << rr << " " << kv;
}

TEST(CliSimulate, KvAwareBeatsRoundRobinOnFast25) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  const auto [rr, kv] = rr_and_kv(path);
  EXPECT_GT(kv, rr * 1.2) << rr << " " << kv;
}

TEST(CliSimulate, TableShowsEveryRunAndWorker) {
  const auto r = run_kvtrace(
      "simulate -f table -c 500 -w 2 --concurrency 8 -r round-robin,kv-aware " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1000 requests, 27305 blocks of 512 tokens"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("closed loop, concurrency 8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("round-robin"), std::string::npos);
  EXPECT_NE(r.out.find("kv-aware"), std::string::npos);
  EXPECT_NE(r.out.find("block hit by worker:"), std::string::npos);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliSimulate, JsonReportFileAndPerRequestCsv) {
  TempFile report("", ".json");
  TempFile per_request("", ".csv");
  const auto r =
      run_kvtrace("simulate -f table -c 2000 -w 3 -r random --seed 5 --timing --report-json " +
                  report.path() + " --per-request " + per_request.path() + " " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string json = read_file(report.path());
  const Json run = parse_json(json)["runs"][0];
  EXPECT_EQ(run["requests"].as_uint(), 1000u);
  EXPECT_EQ(run["seed"].as_uint(), 5u);
  EXPECT_EQ(run["per_worker"].items().size(), 3u);
  EXPECT_TRUE(run.has("peak_in_flight"));
  EXPECT_TRUE(run["timing"]["timestamps"].as_bool());
  EXPECT_EQ(run["timing"]["decode_tokens_per_s"].as_double(), 50);
  const auto rows = csv_rows(read_file(per_request.path()));
  ASSERT_EQ(rows.size(), 1001u);
  EXPECT_EQ(rows[0].size(), 8u);
  EXPECT_EQ(rows[1][0], "1");  // the line number
  std::uint64_t hits = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) hits += std::stoull(rows[i][3]);
  EXPECT_EQ(hits, run["hit_blocks"].as_uint());
  // The same seed gives the same report; -o without -f writes it as JSON (a file is no terminal).
  TempFile again("", ".json");
  ASSERT_EQ(run_kvtrace("simulate -c 2000 -w 3 -r random --seed 5 --timing -o " + again.path() +
                        " " + kSample)
                .exit_code,
            0);
  EXPECT_EQ(read_file(again.path()), json);
}

TEST(CliSimulate, CachedOutputBlocksLowerTheHitRate) {
  const auto plain = run_kvtrace("simulate -f json -c 3000 " + kSample);
  const auto output = run_kvtrace("simulate -f json -c 3000 --cache-output " + kSample);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(output.exit_code, 0) << output.err;
  const Json with = parse_json(output.out)["runs"][0];
  const Json without = parse_json(plain.out)["runs"][0];
  EXPECT_TRUE(with["cache_output"].as_bool());
  EXPECT_GT(with["output_blocks"].as_uint(), 0u);
  EXPECT_LT(with["block_hit_rate"].as_double(), without["block_hit_rate"].as_double());
}

TEST(CliSimulate, LoadRoutersWithoutTimingGetANote) {
  const auto r = run_kvtrace("simulate -f json -c 100 -w 2 -r kv-aware " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("load term is 0"), std::string::npos) << r.err;
}

TEST(CliSimulate, UsageErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "give the cache size"},
      {"-c 10 --curve", "alternatives"},
      {"--gpu-mem 8", "--gpu-mem needs --kv-bytes-per-token"},
      {"--curve --kv-bytes-per-token 1024", "--curve shows capacities in blocks"},
      {"-c 10 --kv-bytes-per-token 1024 --model-config c.json", "are alternatives: give one"},
      {"-c 10 --kv-dtype fp8", "--kv-dtype goes with --model-config"},
      {"--gpu-mem 0.001 --kv-bytes-per-token 131072", "holds no block"},
      {"--curve -w 2 -r kv-aware", "--router: a one-pass curve needs a router that does not"},
      {"--curve -w 2 -r round-robin,random", "--curve computes lru"},
      {"--curve -p fifo", "--curve computes lru"},
      {"--target-of-ideal 0.8 -p fifo,lru", "--target-* answers for one policy and one router"},
      {"--target-of-ideal 0.8 --seeds 2", "seeds: 2 repeats only the random router's draws"},
      {"--target-of-ideal 0.8 --tolerance 0.1", "--tolerance goes with a --target-* answered"},
      {"-c 10 --seeds 2", "--seeds and --tolerance go with --target-*"},
      {"--target-of-ideal 0.8 --target-hit-rate 0.5", "alternatives"},
      {"--target-of-ideal 0.8 --curve", "alternatives"},
      {"--target-of-ideal 1.5", "--target-of-ideal"},
      {"--target-hit-rate 0.5 --metric bytes", "--metric"},
      {"-c 10 -p arc", "unknown eviction policy 'arc'"},
      {"-c 10 -r sticky", "unknown router 'sticky'"},
      {"-c 10 --timing --decode-tps 0", "tokens/s must be positive"},
      {"--capacity-sweep 1,2 --per-request x.csv", "--per-request needs a single"},
      {"-c 10 -w 0", "workers"},
      {"-c 10 -f xml", "format"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = run_kvtrace("simulate " + args + " " + kSample);
    EXPECT_EQ(r.exit_code, 64) << args << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << ": " << r.err;
  }
}

TEST(CliSimulate, InputErrors) {
  TempFile bad(
      "{\"input_length\": 10, \"output_length\": 1, \"hash_ids\": [1]}\n{\"input_length\": -5}\n");
  auto r = run_kvtrace("simulate -c 10 " + bad.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad.path() + ":2:"), std::string::npos) << r.err;
  r = run_kvtrace("simulate --curve " + bad.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad.path() + ":2:"), std::string::npos) << r.err;
  TempFile empty("");
  r = run_kvtrace("simulate -c 10 " + empty.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(empty.path() + ": the file is empty: no requests to simulate\n"),
            std::string::npos)
      << r.err;
  r = run_kvtrace("simulate -c 10 /nonexistent/trace.jsonl");
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

}  // namespace
