#include "kvtrace/trace/block_size_fit.hpp"

#include <gtest/gtest.h>

namespace kvtrace::trace {
namespace {

TEST(FittingBlockSizes, WorkedByHand) {
  // 1000 tokens in 2 blocks: b >= 500 (2 blocks hold 1000) and b <= 999 (1 block does not).
  EXPECT_EQ(fitting_block_sizes(1000, 2), (BlockSizeRange{500, 999}));
  // 1000 tokens in 63 blocks: b >= ceil(1000 / 63) = 16 and 62 b < 1000, b <= 16.
  EXPECT_EQ(fitting_block_sizes(1000, 63), (BlockSizeRange{16, 16}));
  // One block holds the whole prompt: any b >= 300.
  EXPECT_EQ(fitting_block_sizes(300, 1), (BlockSizeRange{300, UINT64_MAX}));
  // Empty prompt, no blocks: any size; tokens without blocks or blocks without tokens: none.
  EXPECT_EQ(fitting_block_sizes(0, 0), BlockSizeRange{});
  EXPECT_EQ(fitting_block_sizes(5, 0), std::nullopt);
  EXPECT_EQ(fitting_block_sizes(0, 1), std::nullopt);
  // More blocks than tokens, and counts no size gives (10 tokens in 4 blocks: b = 3 gives 4,
  // but 10 tokens in 5 blocks: b >= 2 and 4 b < 10, so b = 2).
  EXPECT_EQ(fitting_block_sizes(3, 4), std::nullopt);
  EXPECT_EQ(fitting_block_sizes(10, 4), (BlockSizeRange{3, 3}));
  EXPECT_EQ(fitting_block_sizes(10, 5), (BlockSizeRange{2, 2}));
  EXPECT_EQ(fitting_block_sizes(7, 5), std::nullopt);  // 2 gives 4, 1 gives 7
  EXPECT_EQ(fitting_block_sizes(-1, 0), std::nullopt);
}

TEST(BlockSizeFit, TheIntersectionAndTheLikelySize) {
  BlockSizeFit fit;
  EXPECT_EQ(fit.fits_all(), std::nullopt);
  EXPECT_EQ(fit.likely(), std::nullopt);
  fit.add(1000, 2);  // 500 .. 999
  fit.add(600, 2);   // 300 .. 599
  EXPECT_EQ(fit.fits_all(), (BlockSizeRange{500, 599}));
  EXPECT_EQ(fit.likely(), 512u);  // AIPerf's default, when it fits
  EXPECT_EQ(fit.describe(), "500 to 599");
  EXPECT_EQ(fit.requests(), 2u);

  BlockSizeFit sixteen;
  sixteen.add(1000, 63);
  sixteen.add(16, 1);
  EXPECT_EQ(sixteen.fits_all(), (BlockSizeRange{16, 16}));
  EXPECT_EQ(sixteen.likely(), 16u);
  EXPECT_EQ(sixteen.describe(), "16");

  BlockSizeFit open_ended;
  open_ended.add(300, 1);
  EXPECT_EQ(open_ended.likely(), 512u);
  EXPECT_EQ(open_ended.describe(), "300 or more");

  BlockSizeFit no_power;  // 10 tokens in 4 blocks: only 3
  no_power.add(10, 4);
  EXPECT_EQ(no_power.likely(), 3u);
}

TEST(BlockSizeFit, MixedTracesNameThePowerOfTwoThatFitsMost) {
  BlockSizeFit fit;
  fit.add(1000, 63);   // 16
  fit.add(2000, 125);  // 16
  fit.add(1000, 2);    // 500 .. 999, so 512
  fit.add(5, 6);       // fits nothing
  EXPECT_EQ(fit.fits_all(), std::nullopt);
  EXPECT_EQ(fit.fitting_power(4), 2u);
  EXPECT_EQ(fit.fitting_power(9), 1u);
  EXPECT_EQ(fit.likely(), 16u);
  EXPECT_EQ(fit.describe(), "none fits every request; 16 fits 2 of 4");

  BlockSizeFit nothing;
  nothing.add(5, 6);
  EXPECT_EQ(nothing.likely(), std::nullopt);
  EXPECT_EQ(nothing.describe(), "none fits any request");
}

}  // namespace
}  // namespace kvtrace::trace
