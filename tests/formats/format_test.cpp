#include "kvtrace/formats/format.hpp"

#include <gtest/gtest.h>

namespace kvtrace::formats {
namespace {

TEST(Format, EveryNameParsesBackToItsFormat) {
  std::vector<std::string_view> names;
  for (const Format f : all_formats()) {
    names.push_back(flag_name(f));
    EXPECT_EQ(parse_format(flag_name(f)), f);
    EXPECT_FALSE(description(f).empty());
  }
  EXPECT_EQ(names, (std::vector<std::string_view>{"auto", "mooncake", "dynamo", "bailian",
                                                  "burstgpt", "azure"}));
  EXPECT_EQ(parse_format("Mooncake"), std::nullopt);
  EXPECT_EQ(parse_format(""), std::nullopt);
  EXPECT_EQ(description(Format::kDynamo), "a Dynamo request trace");
}

}  // namespace
}  // namespace kvtrace::formats
