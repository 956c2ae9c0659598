#include "kvtrace/formats/reblock.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"

namespace kvtrace::formats {
namespace {

using Ids = std::vector<std::uint64_t>;

Ids reblock(Reblocker& r, const Ids& ids) {
  Ids out;
  r.reblock(ids, out);
  return out;
}

TEST(Reblocker, RunsOfSourceBlocksBecomeOneIdSharedExactlyWhenThePrefixIs) {
  Reblocker r(2);  // e.g. 16 -> 32 tokens
  // [10 11][12 13][14]: the last run is partial.
  EXPECT_EQ(reblock(r, {10, 11, 12, 13, 14}), (Ids{0, 1, 2}));
  // The same first run, then another: shares only the first new block.
  EXPECT_EQ(reblock(r, {10, 11, 12, 99}), (Ids{0, 3}));
  // Ends where the first request's partial run ends, but with a full run [14 15]: the
  // partial block [14] and the full [14 15] are different blocks.
  EXPECT_EQ(reblock(r, {10, 11, 12, 13, 14, 15}), (Ids{0, 1, 4}));
  // The first request again: the same ids, its partial last block included.
  EXPECT_EQ(reblock(r, {10, 11, 12, 13, 14}), (Ids{0, 1, 2}));
  // A source id seen before, after another prefix: never merged with the first one.
  EXPECT_EQ(reblock(r, {12, 13}), (Ids{5}));
  // Shares the first source block only: within a new block that is no sharing.
  EXPECT_EQ(reblock(r, {10, 50}), (Ids{6}));
  EXPECT_EQ(reblock(r, {}), Ids{});
  EXPECT_EQ(r.new_ids(), 7u);
}

TEST(Reblocker, FactorOneRenumbersDenselyByPrefix) {
  Reblocker r(1);
  EXPECT_EQ(reblock(r, {18446744073709551615ULL, 7}), (Ids{0, 1}));
  EXPECT_EQ(reblock(r, {18446744073709551615ULL, 8}), (Ids{0, 2}));
  EXPECT_EQ(reblock(r, {7}), (Ids{3}));  // 7 at the start is another prefix than after 2^64-1
}

TEST(Reblocker, TheCountIsCeilOfTheSourceCountOverTheFactor) {
  Reblocker r(32);  // 16 -> 512
  Ids ids(65);
  for (std::uint64_t i = 0; i < ids.size(); ++i) ids[i] = 1000 + i;
  // 1,025 to 1,040 tokens: ceil(65 / 32) = 3 blocks, the last one partial.
  EXPECT_EQ(reblock(r, ids), (Ids{0, 1, 2}));
  ids.resize(64);  // two full blocks, the same two
  EXPECT_EQ(reblock(r, ids), (Ids{0, 1}));
  ids.resize(33);  // a full block, then a partial one of one source block: new
  EXPECT_EQ(reblock(r, ids), (Ids{0, 3}));
}

TEST(Reblocker, NeedsAFactor) {
  EXPECT_THROW(Reblocker(0), UsageError);
}

}  // namespace
}  // namespace kvtrace::formats
