// The tests' JSON reader (json_util.hpp): values by path, and a missing key, an index past
// the end, a value of another type or text that is not JSON as a gtest failure naming the
// path, not a crash.

#include "json_util.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace kvtrace::testing {
namespace {

const std::string kDoc = R"({"runs": [{"block_hit_rate": 0.25, "requests": 1000, "policy": "lru",
  "timing": null, "cache_output": false, "speed": 50.0, "delta": -3}], "n": 18446744073709551615})";

TEST(JsonUtil, ReadsValuesByPath) {
  const Json j = parse_json(kDoc);
  const Json run = j["runs"][0];
  EXPECT_EQ(run["block_hit_rate"].as_double(), 0.25);
  EXPECT_EQ(run["requests"].as_uint(), 1000u);
  EXPECT_EQ(run["requests"].as_int(), 1000);
  EXPECT_EQ(run["requests"].as_double(), 1000.0);  // any number reads as a double
  EXPECT_EQ(run["delta"].as_int(), -3);
  EXPECT_EQ(run["policy"].as_string(), "lru");
  EXPECT_FALSE(run["cache_output"].as_bool());
  EXPECT_TRUE(run["timing"].is_null());
  EXPECT_FALSE(run["policy"].is_null());
  EXPECT_EQ(j["n"].as_uint(), 18446744073709551615u);
  EXPECT_EQ(j.size(), 2u);
  EXPECT_EQ(j["runs"].size(), 1u);
  EXPECT_TRUE(run.has("speed"));
  EXPECT_FALSE(run.has("sped"));
  EXPECT_EQ(run.keys(), (std::vector<std::string>{"block_hit_rate", "requests", "policy", "timing",
                                                  "cache_output", "speed", "delta"}));
  EXPECT_EQ(parse_json("[3, 0, 18446744073709551615]").as_uints(),
            (std::vector<std::uint64_t>{3, 0, 18446744073709551615u}));
  EXPECT_EQ(j["runs"].items().size(), 1u);
  EXPECT_EQ(j["runs"].items()[0]["policy"].path(), "$.runs[0].policy");
  EXPECT_EQ(run["timing"].dump(), "null");
  EXPECT_EQ(parse_json("[1, 2.5, \"x\"]").dump(), "[1,2.5,\"x\"]");
}

TEST(JsonUtil, AMissingKeyIsAFailureNamingThePath) {
  const Json j = parse_json(kDoc);
  double v = 0;
  EXPECT_NONFATAL_FAILURE(v = j["runs"][0]["block_hit"].as_double(),
                          "no key \"block_hit\" in $.runs[0] (its keys: block_hit_rate, requests, "
                          "policy, timing, cache_output, speed, delta)");
  EXPECT_TRUE(std::isnan(v));
  // A lookup below the missing key reports the first failure, once.
  EXPECT_NONFATAL_FAILURE(EXPECT_EQ(j["nope"]["deeper"][3].as_uint(), 0u),
                          "JSON $.nope.deeper[3]: no key \"nope\" in $");
  EXPECT_NONFATAL_FAILURE(j["runs"][0]["x"].size(), "no key \"x\"");
  EXPECT_NONFATAL_FAILURE(j["x"].has("y"), "no key \"x\"");
  EXPECT_NONFATAL_FAILURE(j["x"].items(), "no key \"x\"");
  EXPECT_FALSE(j["x"].ok());
}

TEST(JsonUtil, AnIndexPastTheEndIsAFailure) {
  const Json j = parse_json(kDoc);
  EXPECT_NONFATAL_FAILURE(j["runs"][1]["policy"].as_string(),
                          "index 1 is past the end of $.runs (1 elements)");
  EXPECT_NONFATAL_FAILURE(j["n"][0].as_uint(), "cannot index $.n = 18446744073709551615");
  EXPECT_NONFATAL_FAILURE(j["runs"]["policy"].as_string(),
                          "cannot look up \"policy\" in $.runs = [{");
}

TEST(JsonUtil, AValueOfAnotherTypeIsAFailure) {
  const Json run = parse_json(kDoc)["runs"][0];
  EXPECT_NONFATAL_FAILURE(
      run["policy"].as_double(),
      "JSON $.runs[0].policy: expected a number, got $.runs[0].policy = \"lru\"");
  // An integer is written without a fraction: 50.0 is not one, nor is -3 unsigned.
  EXPECT_NONFATAL_FAILURE(run["speed"].as_uint(), "expected a non-negative integer");
  EXPECT_NONFATAL_FAILURE(run["speed"].as_int(), "expected an integer");
  EXPECT_NONFATAL_FAILURE(run["delta"].as_uint(), "expected a non-negative integer");
  EXPECT_NONFATAL_FAILURE(run["requests"].as_string(), "expected a string");
  EXPECT_NONFATAL_FAILURE(run["timing"].as_bool(), "expected true or false");
  EXPECT_NONFATAL_FAILURE(run["requests"].size(), "expected an array or an object");
  EXPECT_NONFATAL_FAILURE(run["policy"].has("x"), "expected an object");
  EXPECT_NONFATAL_FAILURE(run.items(), "expected an array");
  EXPECT_NONFATAL_FAILURE(run["policy"].keys(), "expected an object");
  EXPECT_NONFATAL_FAILURE(parse_json("[1, -2]").as_uints(),
                          "JSON $[1]: expected a non-negative integer, got $[1] = -2");
}

TEST(JsonUtil, JsonLines) {
  const std::vector<Json> lines = parse_json_lines("{\"a\": 1}\n[2]\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["a"].as_uint(), 1u);
  EXPECT_EQ(lines[1][0].as_uint(), 2u);
  EXPECT_TRUE(parse_json_lines("").empty());
  EXPECT_NONFATAL_FAILURE(parse_json_lines("{}\n{}"), "the last line has no newline: {}");
  EXPECT_NONFATAL_FAILURE(parse_json_lines("{}\nnope\n"), "not JSON");
}

TEST(JsonUtil, TextThatIsNotJsonIsAFailure) {
  EXPECT_NONFATAL_FAILURE(parse_json("{\"a\": 1,"), "not JSON");
  EXPECT_NONFATAL_FAILURE(parse_json(""), "not JSON");
  // Reported where it is parsed, and again by each accessor.
  std::optional<Json> broken;
  EXPECT_NONFATAL_FAILURE(broken = parse_json("["), "not JSON");
  EXPECT_NONFATAL_FAILURE((*broken)[0].as_uint(), "$[0]: the text did not parse as JSON");
}

}  // namespace
}  // namespace kvtrace::testing
