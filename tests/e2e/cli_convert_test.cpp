// kvtrace convert end to end, and what every trace command now shares: the input's format
// detected from its first line (--format-in to name it) and the block size checked against
// the trace (--block-size auto to infer it).

#include <gtest/gtest.h>

#include "json_util.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::testing::kSample;
using kvtrace::testing::parse_json;
using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempDir;

TEST(CliConvert, AMooncakeTraceConvertsToItsCanonicalSelf) {
  TempDir dir;
  const std::string out = dir.path() + "/out.jsonl";
  const auto r = run_kvtrace("convert " + kSample + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(out), read_file(kSample));
  EXPECT_NE(r.err.find("kvtrace: converted 1,000 requests from " + kSample +
                       " (Mooncake JSONL, block size 512) to Mooncake JSONL (block size 512, "),
            std::string::npos)
      << r.err;
}

TEST(CliConvert, ReblockingKeepsTheRequestsAndCoarsensTheSharing) {
  TempDir dir;
  const std::string out = dir.path() + "/out.jsonl";
  const auto r = run_kvtrace("convert --block-size-out 2048 " + kSample + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The converted trace fits 2,048-token blocks, and analyze reads it at that size with the
  // same requests and lengths.
  const auto before = run_kvtrace("analyze -f json " + kSample);
  const auto after = run_kvtrace("analyze -f json -b 2048 " + out);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.err, "");
  const auto a = parse_json(before.out);
  const auto b = parse_json(after.out);
  EXPECT_EQ(b["total_requests"].as_double(), a["total_requests"].as_double());
  EXPECT_EQ(b["avg_isl"].as_double(), a["avg_isl"].as_double());
  // Sharing in 2,048-token blocks is never more than in 512-token ones.
  EXPECT_LE(b["cache_hit_rate"].as_double(), a["cache_hit_rate"].as_double());
  // -b auto finds 2,048 (the largest power of two every request fits may be larger: at most
  // the same ids then, so the note names the range).
  const auto guessed = run_kvtrace("analyze -f json -b auto " + out);
  ASSERT_EQ(guessed.exit_code, 0) << guessed.err;
  EXPECT_NE(guessed.err.find("kvtrace: note: block size "), std::string::npos) << guessed.err;
}

TEST(CliConvert, TheOutputBlockSizeMustBeAMultipleOfTheInputs) {
  const auto r = run_kvtrace("convert --block-size-out 1000 " + kSample);
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_EQ(r.err,
            "kvtrace: error: --block-size-out 1000 is not a multiple of the trace's block size "
            "512: a new block would cut one of the trace's, whose tokens' sharing is unknown\n");
}

TEST(CliFormats, ARequestsFileGivenToATraceCommandSaysWhatItIs) {
  TempDir dir;
  const std::string requests =
      dir.write("requests.jsonl", "{\"body\": {\"model\": \"m\", \"prompt\": \"hi\"}}\n");
  for (const std::string cmd :
       {"analyze", "synthesize", "simulate --curve", "compare", "convert"}) {
    const std::string extra = cmd == "compare" ? " " + requests : "";
    const auto r = run_kvtrace(cmd + " " + requests + extra);
    EXPECT_EQ(r.exit_code, 2) << cmd;
    EXPECT_EQ(r.err, "kvtrace: error: " + requests +
                         ":1: this looks like a requests file (one OpenAI request body per line, "
                         "as `kvtrace materialize` writes): `kvtrace replay` sends it; this "
                         "command reads a trace\n")
        << cmd;
  }
  // Named as Mooncake, it is read as a trace and fails as one.
  const auto named = run_kvtrace("analyze --format-in mooncake " + requests);
  EXPECT_EQ(named.exit_code, 2);
  EXPECT_NE(named.err.find(":1: input_length: missing"), std::string::npos) << named.err;
  const auto unknown = run_kvtrace("analyze --format-in nosuch " + kSample);
  EXPECT_EQ(unknown.exit_code, 64);
  EXPECT_NE(unknown.err.find("--format-in"), std::string::npos) << unknown.err;
}

TEST(CliFormats, ABlockSizeThatTheTraceDoesNotFitStopsTheReport) {
  const auto r = run_kvtrace("analyze -f json -b 16 " + kSample);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("the hash_ids of no request fit block size 16"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("block sizes that fit every request: "), std::string::npos) << r.err;
  const auto ignored = run_kvtrace("analyze -f json -b 16 --hash-id-check ignore " + kSample);
  EXPECT_EQ(ignored.exit_code, 0) << ignored.err;
  // auto on a trace that fits 512 is exactly the default.
  const auto plain = run_kvtrace("analyze -f json " + kSample);
  const auto guessed = run_kvtrace("analyze -f json -b auto " + kSample);
  EXPECT_EQ(guessed.out, plain.out);
  EXPECT_NE(guessed.err.find("kvtrace: note: block size 512 (--block-size auto: "),
            std::string::npos)
      << guessed.err;
}

}  // namespace
