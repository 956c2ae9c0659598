#include "kvtrace/formats/infer_block_size.hpp"

#include <gtest/gtest.h>

namespace kvtrace::formats {
namespace {

TEST(FitOfHead, TheRequestsWithHashIdsDecide) {
  const std::string head =
      "{\"input_length\": 40, \"hash_ids\": [1, 2, 3]}\n"
      "\n"
      "{\"text_input\": \"no ids\"}\n"
      "not json\n"
      "{\"input_length\": 100, \"hash_ids\": [1, 2, 3, 4, 5, 6, 7]}\n";
  const trace::BlockSizeFit fit = fit_of_head(head, false);
  EXPECT_EQ(fit.requests(), 2u);
  EXPECT_EQ(fit.describe(), "15 to 16");
  EXPECT_EQ(fit.likely(), 16u);
}

TEST(FitOfHead, ACutHeadLeavesItsLastLineOut) {
  // Cut inside the second line: "[1, 2" would parse as nothing, but a cut after "7]" would
  // look like a whole request with too few ids.
  const std::string head =
      "{\"input_length\": 40, \"hash_ids\": [1, 2, 3]}\n"
      "{\"input_length\": 100, \"hash_ids\": [1, 2";
  EXPECT_EQ(fit_of_head(head, true).requests(), 1u);
  EXPECT_EQ(fit_of_head("{\"input_length\": 40, \"hash_ids\": [1, 2, 3]}", true).requests(), 0u);
  EXPECT_EQ(fit_of_head("{\"input_length\": 40, \"hash_ids\": [1, 2, 3]}", false).requests(), 1u);
}

}  // namespace
}  // namespace kvtrace::formats
