#include "kvtrace/core/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kvtrace::json {
namespace {

TEST(JsonOut, DoublesAreWrittenAsPythonReprWritesThem) {
  // Expected strings are Python's repr() of the same floats.
  EXPECT_EQ(format_double(1.0), "1.0");
  EXPECT_EQ(format_double(0.0), "0.0");
  EXPECT_EQ(format_double(-874.0), "-874.0");
  EXPECT_EQ(format_double(1228.8), "1228.8");
  EXPECT_EQ(format_double(2.0 / 3.0), "0.6666666666666666");
  EXPECT_EQ(format_double(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_double(1e-05), "1e-05");
  EXPECT_EQ(format_double(0.0001), "0.0001");
  EXPECT_EQ(format_double(1e15), "1000000000000000.0");
  EXPECT_EQ(format_double(1e16), "1e+16");
  EXPECT_EQ(format_double(1.5e300), "1.5e+300");
  EXPECT_EQ(format_double(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(format_double(INFINITY), "null");
}

TEST(JsonOut, StringsAreEscaped) {
  std::string out;
  append_string(out, "a\"b\\c\n\t\x1f é");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u001f é\"");
}

TEST(JsonOut, IntegersAtTheLimits) {
  std::string out;
  append_int(out, INT64_MIN);
  out += ' ';
  append_uint(out, UINT64_MAX);
  EXPECT_EQ(out, "-9223372036854775808 18446744073709551615");
}

TEST(JsonOut, ObjectLayoutIsPythonsIndentTwo) {
  // json.dumps({"n": 1, "ok": True, "items": [{"a": 1}, {"a": 2}], "none": []}, indent=2)
  std::string out;
  ObjectWriter o(out, 0);
  o.field("n", std::uint64_t{1});
  o.bool_field("ok", true);
  o.object_array("items", 2,
                 [](ObjectWriter& item, std::size_t i) { item.field("a", std::uint64_t{i + 1}); });
  o.object_array("none", 0, [](ObjectWriter&, std::size_t) {});
  o.close();
  EXPECT_EQ(out,
            "{\n  \"n\": 1,\n  \"ok\": true,\n  \"items\": [\n    {\n      \"a\": 1\n    },\n"
            "    {\n      \"a\": 2\n    }\n  ],\n  \"none\": []\n}");
}

}  // namespace
}  // namespace kvtrace::json
