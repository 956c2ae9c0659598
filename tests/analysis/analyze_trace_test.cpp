#include "kvtrace/analysis/analyze_trace.hpp"

#include <gtest/gtest.h>

#include "kvtrace/analysis/report.hpp"
#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::analysis {
namespace {

// The one call gives what the analyzer and the workload statistics give request by request.
TEST(AnalyzeTrace, EqualsThePrefixAnalyzerOverEveryRequest) {
  trace::TraceReader reader(kvtrace::testing::kSample);
  const AnalysisStats stats = analyze_trace(reader);
  PrefixAnalyzer direct(512);
  WorkloadStats workload;
  for (const trace::Request& r : trace::read_all(kvtrace::testing::kSample)) {
    direct.add(r);
    workload.add(r);
  }
  AnalysisStats want = direct.finish();
  want.workload = workload.finish();
  EXPECT_EQ(stats.workload->arrivals.timed_requests, 1000u);
  EXPECT_EQ(stats.total_requests, 1000u);
  EXPECT_EQ(render_json(stats, {}), render_json(want, {}));
}

TEST(AnalyzeTrace, TheReadersBlockSizeIsUsed) {
  trace::TraceReader reader(kvtrace::testing::kSample,
                            {.block_size = 16, .hash_id_check = trace::HashIdCheck::kIgnore});
  EXPECT_EQ(analyze_trace(reader).block_size, 16u);
}

TEST(AnalyzeTrace, ATraceWithoutRequestsIsAnInputError) {
  const kvtrace::testing::TempFile empty("");
  trace::TraceReader reader(empty.path());
  EXPECT_EQ(kvtrace::testing::thrown_message<InputError>([&] { analyze_trace(reader); }),
            empty.path() + ": the file is empty: no requests to analyze");
}

}  // namespace
}  // namespace kvtrace::analysis
