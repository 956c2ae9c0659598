#include "kvtrace/synthesis/synthesize.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::synthesis {
namespace {

using kvtrace::testing::TempFile;

// Four requests of block size 4 sharing a two-block prefix, a second apart.
const char* const kTrace =
    "{\"timestamp\": 0, \"input_length\": 12, \"output_length\": 10, \"hash_ids\": [0, 1, 2]}\n"
    "{\"timestamp\": 1000, \"input_length\": 12, \"output_length\": 10, \"hash_ids\": [0, 1, 3]}\n"
    "{\"timestamp\": 2000, \"input_length\": 8, \"output_length\": 10, \"hash_ids\": [0, 1]}\n"
    "{\"timestamp\": 3000, \"input_length\": 16, \"output_length\": 10, \"hash_ids\": [0, 1, 4, "
    "5]}\n";

struct Synthesized {
  std::vector<trace::Request> requests;
  SynthesizeResult result;
};

Synthesized run(const SynthesizeOptions& o) {
  const TempFile f(kTrace);
  trace::TraceReader reader(f.path(), {.block_size = 4});
  Synthesized s;
  s.result = synthesize(reader, o, [&](const trace::Request& r) { s.requests.push_back(r); });
  return s;
}

TEST(Synthesize, RewriteHandsOverEveryRequestAndSaysWhatItDid) {
  SynthesizeOptions o;
  o.params.speedup_ratio = 2;
  const Synthesized s = run(o);
  ASSERT_EQ(s.requests.size(), 4u);
  EXPECT_EQ(s.requests[3].timestamp->value(), 1500);
  EXPECT_EQ(s.requests[3].hash_ids->size(), 4u);
  EXPECT_EQ(s.result.summary, "kvtrace: synthesized 4 requests from 4 (rewrite, seed 42)\n");
  EXPECT_FALSE(s.result.fidelity);
}

TEST(Synthesize, SampleModeGeneratesTheRequestsAskedWithTheFidelityReport) {
  SynthesizeOptions o;
  o.sample = true;
  o.num_requests = 10;
  o.fidelity = true;
  const Synthesized s = run(o);
  EXPECT_EQ(s.requests.size(), 10u);
  EXPECT_TRUE(s.result.summary.starts_with("kvtrace: generated 10 requests from 4 (sample mode: "));
  ASSERT_TRUE(s.result.fidelity);
  EXPECT_EQ(s.result.fidelity->input.isl.size(), 4u);
  EXPECT_EQ(s.result.fidelity->output.isl.size(), 10u);
  ASSERT_TRUE(s.result.fidelity->expected);
  EXPECT_EQ(s.result.fidelity->expected->requests, 10u);
}

TEST(Synthesize, OptionsThatExcludeEachOtherAreUsageErrors) {
  SynthesizeOptions compat;
  compat.sample = true;
  compat.aiperf_compat = true;
  EXPECT_THROW(run(compat), UsageError);
  SynthesizeOptions count;
  count.num_requests = 3;
  EXPECT_THROW(run(count), UsageError);
  SynthesizeOptions bad;
  bad.params.speedup_ratio = 0;
  EXPECT_THROW(run(bad), UsageError);
}

}  // namespace
}  // namespace kvtrace::synthesis
