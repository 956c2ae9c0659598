#include "kvtrace/replay/metrics.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"

namespace kvtrace::replay {
namespace {

constexpr std::int64_t kMs = 1000000;

// Sent at `start` ms; content chunks at the given ms; ended at `end` ms.
Record record(std::int64_t start, std::vector<std::int64_t> chunks, std::int64_t end,
              std::uint64_t tokens) {
  Record r;
  r.intended_ns = start * kMs;
  r.start_ns = start * kMs;
  for (std::int64_t c : chunks) r.chunk_ns.push_back(c * kMs);
  if (!chunks.empty()) r.first_token_ns = chunks.front() * kMs;
  r.end_ns = end * kMs;
  r.status = 200;
  r.output_tokens = tokens;
  r.token_source = TokenSource::kUsage;
  r.max_tokens = tokens;
  return r;
}

TEST(Metrics, RequestDefinitions) {
  // Sent at 100, chunks at 150, 160, 180, ended at 200; 4 tokens (one chunk held two).
  const RequestMetrics m = request_metrics(record(100, {150, 160, 180}, 200, 4));
  EXPECT_DOUBLE_EQ(*m.ttft_ms, 50);
  EXPECT_DOUBLE_EQ(m.e2e_ms, 100);
  EXPECT_DOUBLE_EQ(*m.tpot_ms, (100 - 50) / 3.0);
  EXPECT_DOUBLE_EQ(*m.output_tokens_per_s, 4 / 0.1);
  EXPECT_EQ(m.itl_ms, (std::vector<double>{10, 20}));
}

TEST(Metrics, OneTokenHasNoTpotNoChunkNoTtft) {
  EXPECT_FALSE(request_metrics(record(0, {5}, 10, 1)).tpot_ms);
  EXPECT_FALSE(request_metrics(record(0, {}, 10, 0)).ttft_ms);
}

TEST(Metrics, SloParsingAndChecks) {
  const Slo slo = Slo::parse("ttft=60,tpot=20");
  EXPECT_EQ(slo.ttft_ms, 60);
  EXPECT_EQ(slo.tpot_ms, 20);
  EXPECT_FALSE(slo.e2e_ms);
  EXPECT_TRUE(meets(request_metrics(record(100, {150, 160, 180}, 200, 4)), slo));
  EXPECT_FALSE(meets(request_metrics(record(100, {150, 160, 180}, 200, 3)), slo));  // tpot 25
  EXPECT_FALSE(meets(request_metrics(record(0, {70}, 80, 1)), slo));                // ttft 70
  EXPECT_FALSE(Slo::parse("").any());
  for (const char* bad : {"ttft", "ttft=x", "ttft=-1", "foo=1", "ttft=1,"}) {
    EXPECT_THROW(Slo::parse(bad), UsageError) << bad;
  }
}

TEST(Metrics, RunSummary) {
  std::vector<Record> rs{record(0, {10, 20}, 30, 2), record(10, {40, 50, 60}, 70, 3),
                         record(20, {}, 25, 0)};
  rs[1].intended_ns = 8 * kMs;  // 2 ms late
  rs[2].error_kind = ErrorKind::kHttpStatus;
  rs[2].status = 500;
  rs[0].max_tokens = 5;  // asked 5, got 2
  const RunSummary s = summarize_run(rs, 5, Slo::parse("ttft=20"));
  EXPECT_EQ(s.requests, 5u);
  EXPECT_EQ(s.sent, 3u);
  EXPECT_EQ(s.not_sent, 2u);
  EXPECT_EQ(s.completed, 2u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.errors.at("http_status"), 1u);
  EXPECT_EQ(s.output_tokens, 5u);
  EXPECT_EQ(s.max_tokens_mismatches, 1u);
  EXPECT_EQ(s.good, 1u);  // ttft 10 and 30
  EXPECT_DOUBLE_EQ(s.duration_s, 0.07);
  EXPECT_DOUBLE_EQ(s.request_throughput, 2 / 0.07);
  EXPECT_DOUBLE_EQ(s.output_throughput, 5 / 0.07);
  EXPECT_DOUBLE_EQ(s.goodput, 1 / 0.07);
  EXPECT_DOUBLE_EQ(s.ttft_ms->base.mean, 20);
  EXPECT_EQ(s.itl_ms->count, 3u);  // 10; 10, 10
  EXPECT_DOUBLE_EQ(s.itl_ms->base.max, 10);
  EXPECT_DOUBLE_EQ(s.e2e_ms->base.median, 45);
  EXPECT_EQ(s.lateness_ms->count, 3u);  // every sent request, failed ones too
  EXPECT_DOUBLE_EQ(s.lateness_ms->base.max, 2);
}

TEST(Metrics, TailPercentilesAreNumpyLinear) {
  std::vector<double> v;
  for (int i = 1; i <= 11; ++i) v.push_back(i);
  const auto s = summarize_with_tails(v);
  EXPECT_DOUBLE_EQ(s->p90, 10);
  EXPECT_DOUBLE_EQ(s->p95, 10.5);
  EXPECT_DOUBLE_EQ(s->p99, 10.9);
  EXPECT_DOUBLE_EQ(s->base.median, 6);
  EXPECT_FALSE(summarize_with_tails({}));
}

}  // namespace
}  // namespace kvtrace::replay
