#include "kvtrace/trace/json_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kvtrace::trace {
namespace {

TEST(HasTextAfterValue, AWholeObjectOrArrayWithMoreAfterIt) {
  EXPECT_TRUE(has_text_after_value(R"({"a": 1} x)"));
  EXPECT_TRUE(has_text_after_value(R"(  {"a": [1, {"b": 2}]}{})"));
  EXPECT_TRUE(has_text_after_value("[1, 2]\t5"));
  // Brackets and quotes inside strings do not count.
  EXPECT_TRUE(has_text_after_value(R"({"a": "}\"]"} x)"));
}

TEST(HasTextAfterValue, NotForWhitespaceCutShortOrBrokenValues) {
  EXPECT_FALSE(has_text_after_value(R"({"a": 1})"));
  EXPECT_FALSE(has_text_after_value("{\"a\": 1} \t\r\n"));
  EXPECT_FALSE(has_text_after_value(R"({"a": [1, 2)"));
  EXPECT_FALSE(has_text_after_value(R"({"a": "} x)"));
  EXPECT_FALSE(has_text_after_value(R"({"a": ]} x)"));
  EXPECT_FALSE(has_text_after_value("12 x"));
  EXPECT_FALSE(has_text_after_value(""));
}

TEST(HasTextAfterValue, DeepNestingNeedsNoRecursion) {
  const std::size_t deep = 1'000'000;
  EXPECT_TRUE(has_text_after_value(std::string(deep, '[') + std::string(deep, ']') + " x"));
}

}  // namespace
}  // namespace kvtrace::trace
