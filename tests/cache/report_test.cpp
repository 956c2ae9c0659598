#include "kvtrace/cache/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::cache {
namespace {

// Three requests of 4-token blocks, worked out by hand below.
//   line 1: blocks 1 2,   8 input tokens, 1 output token, at 0 ms
//   line 2: blocks 1 2 3, 10 input tokens, 1 output token, at 0 ms
//   line 3: blocks 1 4,   6 input tokens, 1 output token, at 10000 ms
struct Tiny {
  std::vector<std::uint64_t> blocks;
  std::int64_t isl;
  double ts;
};
const std::vector<Tiny> kTiny = {{{1, 2}, 8, 0}, {{1, 2, 3}, 10, 0}, {{1, 4}, 6, 10000}};

Run run(const SimConfig& c, PerRequestCsv* csv = nullptr) {
  ClusterSim sim(c);
  std::uint64_t line = 0;
  for (const Tiny& t : kTiny) {
    const RequestResult r = sim.add(t.blocks, t.isl, 1, t.ts);
    if (csv != nullptr) csv->add(++line, r);
  }
  return {c, sim.finish()};
}

SimConfig config(Policy p) {
  SimConfig c;
  c.cache = {.capacity_blocks = 2, .policy = p};
  c.block_size = 4;
  return c;
}

// One worker of 2 blocks, no timing. Line 1 misses and caches 1 2. Line 2 hits 1 2 (8 of its
// 10 tokens); 3 finds both slots pinned by the request itself and is dropped. Line 3 hits 1
// (4 tokens); 4 evicts 2 (fifo too: 1 is pinned). 3 of 7 blocks, 12 of 24 tokens.
std::vector<Run> one_worker() {
  return {run(config(Policy::kLru)), run(config(Policy::kFifo))};
}

// Two workers of 2 blocks, round-robin, timing at 2 prefill and 1 decode tokens/s. Worker 0
// gets lines 1 and 3, worker 1 line 2 (which drops block 3). Line 1 runs 8/2 + 1 = 5 s, line
// 2 runs 10/2 + 1 = 6 s, both at once; line 3 starts at 10 s, after both, hits 1 and runs
// 2/2 + 1 = 2 s. 1 of 7 blocks, 4 of 24 tokens; worker 0 has 14 tokens: balance 14 * 2 / 24.
SimConfig timed() {
  SimConfig c = config(Policy::kLru);
  c.workers = 2;
  c.timing = {.enabled = true, .prefill_tokens_per_s = 2, .decode_tokens_per_s = 1};
  return c;
}

TEST(SimulateReport, TableOfOneWorker) {
  EXPECT_EQ(runs_table("tiny.jsonl", one_worker()),
            "kvtrace simulate: tiny.jsonl\n"
            "3 requests, 7 blocks of 4 tokens, 24 input tokens\n"
            "workers 1, timing: none\n"
            "\n"
            "    capacity  policy   router        block hit token hit      evicted    dropped  "
            "balance\n"
            "           2  lru      round-robin      0.4286    0.5000            1          1"
            "    1.000\n"
            "           2  fifo     round-robin      0.4286    0.5000            1          1"
            "    1.000\n");
}

// The runs' CSV header, with a column per worker.
std::string runs_csv_header(std::uint32_t workers) {
  std::string h =
      "capacity_blocks,policy,workers,router,overlap_score_weight,timing,concurrency,"
      "prefill_tokens_per_s,decode_tokens_per_s,cache_output,requests,total_blocks,hit_blocks,"
      "block_hit_rate,total_input_tokens,cached_input_tokens,token_hit_rate,evicted_blocks,"
      "dropped_blocks,load_balance,";
  for (std::uint32_t w = 0; w < workers; ++w)
    h += "worker" + std::to_string(w) + "_block_hit_rate,";
  return h + "server_measured_requests,server_measured_token_hit_rate,server_achieved_share\n";
}

TEST(SimulateReport, CsvOfOneWorker) {
  EXPECT_EQ(
      runs_csv(one_worker()),
      runs_csv_header(1) +
          "2,lru,1,round-robin,1.0,none,,,,false,3,7,3,0.42857142857142855,24,12,0.5,1,1,1.0,"
          "0.42857142857142855,,,\n"
          "2,fifo,1,round-robin,1.0,none,,,,false,3,7,3,0.42857142857142855,24,12,0.5,1,1,1.0,"
          "0.42857142857142855,,,\n");
}

// The server measured lines 2 and 3 (10 + 6 tokens): 4 cached tokens, where this run has 12.
TEST(SimulateReport, TheServersCachedTokensBesideTheRun) {
  cache::Run r = run(config(Policy::kLru));
  r.server_measured = {.requests = 2,
                       .input_tokens = 16,
                       .measured_cached_tokens = 4,
                       .predicted_cached_tokens = 12};
  const std::string table = runs_table("tiny.jsonl", std::span(&r, 1));
  EXPECT_NE(table.find("server-measured token hit rate 0.2500 (cached_tokens of 2 requests)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("balance server/sim\n"), std::string::npos) << table;
  EXPECT_NE(table.find("    1.000     0.3333\n"), std::string::npos) << table;
  EXPECT_TRUE(
      runs_csv(std::span(&r, 1)).ends_with(",0.42857142857142855,2,0.25,0.3333333333333333\n"));
  EXPECT_NE(runs_json("tiny.jsonl", std::span(&r, 1)).find(R"("server_measured": {
        "requests": 2,
        "unreadable": 0,
        "input_tokens": 16,
        "measured_cached_tokens": 4,
        "predicted_cached_tokens": 12,
        "measured_token_hit_rate": 0.25,
        "predicted_token_hit_rate": 0.75,
        "achieved_share": 0.3333333333333333
      },)"),
            std::string::npos);
}

TEST(SimulateReport, JsonOfOneWorker) {
  const std::vector<cache::Run> runs = one_worker();
  EXPECT_EQ(runs_json("tiny.jsonl", std::span(runs).first(1)),
            R"({
  "input": "tiny.jsonl",
  "block_size": 4,
  "runs": [
    {
      "capacity_blocks": 2,
      "policy": "lru",
      "workers": 1,
      "router": "round-robin",
      "overlap_score_weight": 1.0,
      "seed": 0,
      "timing": null,
      "cache_output": false,
      "requests": 3,
      "total_blocks": 7,
      "hit_blocks": 3,
      "block_hit_rate": 0.42857142857142855,
      "total_input_tokens": 24,
      "cached_input_tokens": 12,
      "token_hit_rate": 0.5,
      "evicted_blocks": 1,
      "dropped_blocks": 1,
      "output_blocks": 0,
      "load_balance": 1.0,
      "server_measured": null,
      "per_worker": [
        {
          "worker": 0,
          "requests": 3,
          "total_blocks": 7,
          "hit_blocks": 3,
          "block_hit_rate": 0.42857142857142855,
          "total_input_tokens": 24,
          "cached_input_tokens": 12,
          "token_hit_rate": 0.5,
          "inserted_blocks": 3,
          "evicted_blocks": 1,
          "dropped_blocks": 1,
          "peak_active_blocks": 2
        }
      ]
    }
  ]
}
)");
}

TEST(SimulateReport, TableOfTwoTimedWorkers) {
  const cache::Run r = run(timed());
  EXPECT_EQ(runs_table("tiny.jsonl", std::span(&r, 1)),
            "kvtrace simulate: tiny.jsonl\n"
            "3 requests, 7 blocks of 4 tokens, 24 input tokens\n"
            "workers 2, timing: timestamps, prefill 2 tok/s, decode 1 tok/s\n"
            "\n"
            "    capacity  policy   router        block hit token hit      evicted    dropped  "
            "balance\n"
            "           2  lru      round-robin      0.1429    0.1667            1          1"
            "    1.167\n"
            "              block hit by worker: 0.2500 0.0000\n");
}

TEST(SimulateReport, CsvOfTwoTimedWorkers) {
  const cache::Run r = run(timed());
  EXPECT_EQ(
      runs_csv(std::span(&r, 1)),
      runs_csv_header(2) +
          "2,lru,2,round-robin,1.0,timestamps,0,2.0,1.0,false,3,7,1,"
          "0.14285714285714285,24,4,0.16666666666666666,1,1,1.1666666666666667,0.25,0.0,,,\n");
}

TEST(SimulateReport, JsonOfTwoTimedWorkers) {
  const cache::Run r = run(timed());
  EXPECT_EQ(runs_json("tiny.jsonl", std::span(&r, 1)),
            R"({
  "input": "tiny.jsonl",
  "block_size": 4,
  "runs": [
    {
      "capacity_blocks": 2,
      "policy": "lru",
      "workers": 2,
      "router": "round-robin",
      "overlap_score_weight": 1.0,
      "seed": 0,
      "timing": {
        "timestamps": true,
        "concurrency": 0,
        "prefill_tokens_per_s": 2.0,
        "decode_tokens_per_s": 1.0
      },
      "cache_output": false,
      "requests": 3,
      "total_blocks": 7,
      "hit_blocks": 1,
      "block_hit_rate": 0.14285714285714285,
      "total_input_tokens": 24,
      "cached_input_tokens": 4,
      "token_hit_rate": 0.16666666666666666,
      "evicted_blocks": 1,
      "dropped_blocks": 1,
      "output_blocks": 0,
      "load_balance": 1.1666666666666667,
      "peak_in_flight": 2,
      "end_ms": 12000.0,
      "server_measured": null,
      "per_worker": [
        {
          "worker": 0,
          "requests": 2,
          "total_blocks": 4,
          "hit_blocks": 1,
          "block_hit_rate": 0.25,
          "total_input_tokens": 14,
          "cached_input_tokens": 4,
          "token_hit_rate": 0.2857142857142857,
          "inserted_blocks": 3,
          "evicted_blocks": 1,
          "dropped_blocks": 0,
          "peak_active_blocks": 2
        },
        {
          "worker": 1,
          "requests": 1,
          "total_blocks": 3,
          "hit_blocks": 0,
          "block_hit_rate": 0.0,
          "total_input_tokens": 10,
          "cached_input_tokens": 0,
          "token_hit_rate": 0.0,
          "inserted_blocks": 2,
          "evicted_blocks": 0,
          "dropped_blocks": 1,
          "peak_active_blocks": 2
        }
      ]
    }
  ]
}
)");
}

TEST(SimulateReport, PerRequestCsv) {
  PerRequestCsv plain(false);
  run(config(Policy::kLru), &plain);
  EXPECT_EQ(plain.text(),
            "line,worker,blocks,hit_blocks,input_tokens,cached_input_tokens\n"
            "1,0,2,0,8,0\n"
            "2,0,3,2,10,8\n"
            "3,0,2,1,6,4\n");
  PerRequestCsv timing(true);
  run(timed(), &timing);
  EXPECT_EQ(timing.text(),
            "line,worker,blocks,hit_blocks,input_tokens,cached_input_tokens,start_ms,end_ms\n"
            "1,0,2,0,8,0,0.0,5000.0\n"
            "2,1,3,0,10,0,0.0,6000.0\n"
            "3,0,2,1,6,4,10000.0,12000.0\n");
  PerRequestCsv through_sink(false);
  through_sink.sink()(7, RequestResult{.worker = 1, .blocks = 2});
  EXPECT_EQ(through_sink.text(),
            "line,worker,blocks,hit_blocks,input_tokens,cached_input_tokens\n7,1,2,0,0,0\n");
}

TEST(SimulateReport, NoRunsIsAUsageError) {
  EXPECT_THROW(runs_table("x", {}), kvtrace::UsageError);
  EXPECT_THROW(runs_json("x", {}), kvtrace::UsageError);
  EXPECT_THROW(runs_csv({}), kvtrace::UsageError);
}

// lru's curve of the same requests. Capacity 1: line 2 hits 1 (4 tokens), line 3 hits 1 (4
// tokens). Capacity 2 and more: as one_worker(), 3 blocks and 12 tokens. 4 distinct blocks.
HitCurve tiny_curve() {
  LruCurve curve(4);
  for (const Tiny& t : kTiny) curve.add(t.blocks, t.isl);
  return curve.finish();
}

TEST(SimulateReport, CurveTable) {
  EXPECT_EQ(curve_table("tiny.jsonl", tiny_curve(), 2),
            "kvtrace simulate --curve: tiny.jsonl\n"
            "3 requests, 7 blocks of 4 tokens, 4 distinct; lru on one worker\n"
            "of ideal: the token hit rate's share of the one with room for every distinct block\n"
            "\n"
            "    capacity  block hit  token hit  of ideal\n"
            "           1     0.2857     0.3333     66.7%\n"
            "           4     0.4286     0.5000    100.0%\n");
}

TEST(SimulateReport, CurveCsv) {
  EXPECT_EQ(curve_csv(tiny_curve(), 0),
            "capacity_blocks,hit_blocks,block_hit_rate,cached_input_tokens,token_hit_rate,"
            "token_share_of_ideal\n"
            "1,2,0.2857142857142857,8,0.3333333333333333,0.6666666666666666\n"
            "2,3,0.42857142857142855,12,0.5,1.0\n"
            "3,3,0.42857142857142855,12,0.5,1.0\n"
            "4,3,0.42857142857142855,12,0.5,1.0\n");
}

TEST(SimulateReport, CurveJson) {
  EXPECT_EQ(curve_json("tiny.jsonl", tiny_curve(), 2),
            R"({
  "input": "tiny.jsonl",
  "block_size": 4,
  "policy": "lru",
  "requests": 3,
  "total_blocks": 7,
  "distinct_blocks": 4,
  "total_input_tokens": 24,
  "server_measured": null,
  "lru_capacity_at_server_rate": null,
  "curve": [
    {
      "capacity_blocks": 1,
      "hit_blocks": 2,
      "block_hit_rate": 0.2857142857142857,
      "cached_input_tokens": 8,
      "token_hit_rate": 0.3333333333333333,
      "token_share_of_ideal": 0.6666666666666666
    },
    {
      "capacity_blocks": 4,
      "hit_blocks": 3,
      "block_hit_rate": 0.42857142857142855,
      "cached_input_tokens": 12,
      "token_hit_rate": 0.5,
      "token_share_of_ideal": 1.0
    }
  ]
}
)");
}

TEST(CurveCapacities, NoBlocksShowsCapacityZero) {
  EXPECT_EQ(curve_capacities(0, 0), std::vector<std::uint64_t>{0});
  EXPECT_EQ(curve_capacities(0, 32), std::vector<std::uint64_t>{0});
}

TEST(CurveCapacities, EveryCapacityForZeroPointsOrAsManyAsDistinct) {
  const std::vector<std::uint64_t> all{1, 2, 3, 4, 5};
  EXPECT_EQ(curve_capacities(5, 0), all);
  EXPECT_EQ(curve_capacities(5, 5), all);
  EXPECT_EQ(curve_capacities(5, 6), all);
  EXPECT_EQ(curve_capacities(1, 1), std::vector<std::uint64_t>{1});
}

TEST(CurveCapacities, LogSpacedFromOneToDistinct) {
  EXPECT_EQ(curve_capacities(1000, 4), (std::vector<std::uint64_t>{1, 10, 100, 1000}));
  EXPECT_EQ(curve_capacities(1000, 1), std::vector<std::uint64_t>{1000});
  EXPECT_EQ(curve_capacities(1000, 2), (std::vector<std::uint64_t>{1, 1000}));
  // exp(k * ln 6 / 4) = 1, 1.57, 2.45, 3.83, 6: the second 2 is left out.
  EXPECT_EQ(curve_capacities(6, 5), (std::vector<std::uint64_t>{1, 2, 4, 6}));
}

TEST(CurveCapacities, IncreasingAndEndingAtDistinct) {
  for (std::uint64_t distinct = 2; distinct < 3000; distinct = distinct * 3 / 2 + 1) {
    for (std::uint32_t points = 1; points < 40; points += 3) {
      const auto caps = curve_capacities(distinct, points);
      ASSERT_FALSE(caps.empty());
      EXPECT_EQ(caps.back(), distinct) << distinct << " " << points;
      EXPECT_LE(caps.size(), std::min<std::uint64_t>(points + 1, distinct));
      for (std::size_t i = 1; i < caps.size(); ++i) EXPECT_LT(caps[i - 1], caps[i]);
      EXPECT_EQ(caps.front(), points > 1 ? 1u : distinct);
    }
  }
}

TEST(RenderByFormat, RunsAndCurveInTheFormatAskedFor) {
  const auto runs = one_worker();
  EXPECT_EQ(render_runs("table", "tiny.jsonl", runs), runs_table("tiny.jsonl", runs));
  EXPECT_EQ(render_runs("json", "tiny.jsonl", runs), runs_json("tiny.jsonl", runs));
  EXPECT_EQ(render_runs("csv", "tiny.jsonl", runs), runs_csv(runs));
  const HitCurve c = tiny_curve();
  EXPECT_EQ(render_curve("table", "tiny.jsonl", c, 2), curve_table("tiny.jsonl", c, 2));
  EXPECT_EQ(render_curve("json", "tiny.jsonl", c, 2), curve_json("tiny.jsonl", c, 2));
  EXPECT_EQ(render_curve("csv", "tiny.jsonl", c, 0), curve_csv(c, 0));
}

TEST(RenderByFormat, AnotherFormatIsAUsageErrorOfTheFormatParameter) {
  for (const char* format : {"", "Table", "aiperf-json"}) {
    try {
      render_runs(format, "x", one_worker());
      ADD_FAILURE() << "no error for " << format;
    } catch (const UsageError& e) {
      EXPECT_EQ(e.parameter(), "format");
      EXPECT_EQ(e.problem(), std::string("expected table, json or csv, got \"") + format + "\"");
    }
    EXPECT_THROW(render_curve(format, "x", tiny_curve(), 2), UsageError);
  }
}

TEST(LoadTermNote, OnlyForLoadRoutersOnSeveralWorkersWithoutTiming) {
  const std::string note =
      "kvtrace: note: without the timing model or a concurrency limit no request is in flight, so "
      "the "
      "routers' load term is 0 (kv-aware sends each request to the longest cached prefix; ties "
      "go to the worker with the fewest blocks so far)\n";
  SweepOptions o{.capacities = {8},
                 .policies = {Policy::kLru},
                 .routers = {RouterKind::kRoundRobin, RouterKind::kKvAware}};
  o.base.workers = 2;
  EXPECT_EQ(load_term_note(o), note);
  o.routers = {RouterKind::kRandom, RouterKind::kLeastLoaded};
  EXPECT_EQ(load_term_note(o), note);
  o.routers = {RouterKind::kRoundRobin, RouterKind::kRandom};  // no load term
  EXPECT_EQ(load_term_note(o), "");
  o.routers = {RouterKind::kKvAware};
  o.base.timing.enabled = true;  // requests in flight
  EXPECT_EQ(load_term_note(o), "");
  o.base.timing.enabled = false;
  o.base.workers = 1;  // nothing to choose between
  EXPECT_EQ(load_term_note(o), "");
}

// The server cached 8 of the 24 tokens: lru reaches that with 1 block (8 tokens too).
TEST(SimulateReport, CurveWithTheServersCachedTokens) {
  HitCurve c = tiny_curve();
  c.server_measured = {.requests = 3,
                       .input_tokens = 24,
                       .measured_cached_tokens = 8,
                       .predicted_cached_tokens = 12};
  const std::string table = curve_table("tiny.jsonl", c, 2);
  EXPECT_TRUE(table.ends_with(
      "\nserver-measured token hit rate 0.3333 (cached_tokens of 3 of 3 requests); an infinite "
      "cache gives those requests 0.5000\nlru on one worker reaches the server's rate at 1 "
      "blocks\n"))
      << table;
  EXPECT_NE(curve_json("tiny.jsonl", c, 2).find("\"lru_capacity_at_server_rate\": 1,"),
            std::string::npos);
  // Not every request measured: the rates cover different requests, no capacity is named.
  c.server_measured.requests = 2;
  EXPECT_EQ(curve_table("tiny.jsonl", c, 2).find("reaches the server's rate"), std::string::npos);
  EXPECT_NE(curve_json("tiny.jsonl", c, 2).find("\"lru_capacity_at_server_rate\": null,"),
            std::string::npos);
}

}  // namespace
}  // namespace kvtrace::cache
