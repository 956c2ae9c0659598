#include "kvtrace/trace/request_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kvtrace/trace/json_text.hpp"

namespace kvtrace::trace {
namespace {

struct Result {
  bool ok;
  Request request;
  std::vector<FieldProblem> problems;
};

Result parse_request(const std::string& text) {
  static RequestParser parser;  // reused, as readers do
  std::string padded = text + std::string(kLinePadding, ' ');
  Line line{std::string_view(padded.data(), text.size()), padded.size(), 1, false};
  Result r;
  r.ok = parser.parse(line, r.request, r.problems);
  return r;
}

// The one problem of a bad line.
FieldProblem problem_of(const std::string& text) {
  Result r = parse_request(text);
  EXPECT_FALSE(r.ok) << text;
  EXPECT_EQ(r.problems.size(), 1u) << text;
  return r.problems.empty() ? FieldProblem{} : r.problems.front();
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(RequestParser, ReadsEveryMooncakeField) {
  Result r = parse_request(
      R"({"timestamp": 27482, "input_length": 6955, "output_length": 52, "hash_ids": [46, 47],)"
      R"( "session_id": "s1", "delay": 500})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.request.timestamp, Number::of_int(27482));
  EXPECT_EQ(r.request.input_length, 6955);
  EXPECT_EQ(r.request.output_length, 52);
  EXPECT_EQ(r.request.hash_ids, (std::vector<std::uint64_t>{46, 47}));
  EXPECT_EQ(r.request.session_id, "s1");
  EXPECT_EQ(r.request.delay, Number::of_int(500));
  EXPECT_FALSE(r.request.text_input);
  EXPECT_TRUE(r.request.extra.empty());
}

TEST(RequestParser, TextInputAloneIsAPrompt) {
  Result r = parse_request(R"({"text_input": "hi \"there\"\n", "output_length": 3})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.request.text_input, "hi \"there\"\n");
  EXPECT_FALSE(r.request.input_length);
}

TEST(RequestParser, FloatTimestampIsKeptAsAFloat) {
  Result r = parse_request(R"({"timestamp": 1000.5, "input_length": 1})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.request.timestamp, Number::of_real(1000.5));
  r = parse_request(R"({"timestamp": 1000.0, "input_length": 1})");
  EXPECT_EQ(r.request.timestamp, Number::of_real(1000.0));
}

TEST(RequestParser, UnknownFieldsAreKeptVerbatimInOrder) {
  Result r = parse_request(
      R"({"input_length": 1, "extra": {"temperature": 0.5,  "x": [1, 2]}, "k\u00e9y": "v", )"
      R"("n": -1.5e3, "b": true, "z": null})");
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.request.extra.size(), 5u);
  EXPECT_EQ(r.request.extra[0], (ExtraField{"extra", R"({"temperature": 0.5,  "x": [1, 2]})"}));
  EXPECT_EQ(r.request.extra[1], (ExtraField{"k\\u00e9y", R"("v")"}));
  EXPECT_EQ(r.request.extra[2], (ExtraField{"n", "-1.5e3"}));
  EXPECT_EQ(r.request.extra[3], (ExtraField{"b", "true"}));
  EXPECT_EQ(r.request.extra[4], (ExtraField{"z", "null"}));
}

TEST(RequestParser, MessagesArePromptSourcesKeptVerbatim) {
  Result r =
      parse_request(R"({"messages": [{"role": "user", "content": "hi"}], "output_length": 2})");
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.request.extra.size(), 1u);
  EXPECT_EQ(r.request.extra[0].key, "messages");
}

TEST(RequestParser, SixtyFourBitValuesAreNeverTruncated) {
  Result r = parse_request(
      R"({"input_length": 9223372036854775807, "hash_ids": [18446744073709551615, 0, )"
      R"(9223372036854775808, 4294967296]})");
  ASSERT_TRUE(r.ok) << (r.problems.empty() ? "" : r.problems[0].problem);
  EXPECT_EQ(r.request.input_length, INT64_MAX);
  EXPECT_EQ(r.request.hash_ids,
            (std::vector<std::uint64_t>{UINT64_MAX, 0, 9223372036854775808ull, 4294967296ull}));
}

TEST(RequestParser, IntegralFloatsAreAcceptedForIntegerFields) {
  Result r =
      parse_request(R"({"input_length": 1024.0, "output_length": 5e1, "hash_ids": [1.0, 2]})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.request.input_length, 1024);
  EXPECT_EQ(r.request.output_length, 50);
  EXPECT_EQ(r.request.hash_ids, (std::vector<std::uint64_t>{1, 2}));
}

TEST(RequestParser, NullMeansAbsent) {
  Result r = parse_request(R"({"input_length": 5, "output_length": null, "timestamp": null})");
  ASSERT_TRUE(r.ok);
  EXPECT_FALSE(r.request.output_length);
  EXPECT_FALSE(r.request.timestamp);
}

TEST(RequestParser, ReusedRequestForgetsFieldsOfThePreviousLine) {
  RequestParser parser;
  Request req;
  std::vector<FieldProblem> problems;
  std::string a = R"({"input_length": 5, "hash_ids": [1], "session_id": "x", "foo": 1})" +
                  std::string(kLinePadding, ' ');
  std::string b = R"({"text_input": "t"})" + std::string(kLinePadding, ' ');
  ASSERT_TRUE(parser.parse({std::string_view(a).substr(0, a.size() - kLinePadding), a.size(), 1},
                           req, problems));
  ASSERT_TRUE(parser.parse({std::string_view(b).substr(0, b.size() - kLinePadding), b.size(), 2},
                           req, problems));
  EXPECT_FALSE(req.input_length);
  EXPECT_FALSE(req.hash_ids);
  EXPECT_FALSE(req.session_id);
  EXPECT_TRUE(req.extra.empty());
  EXPECT_EQ(req.text_input, "t");
}

TEST(RequestParser, MalformedJsonIsOneWholeLineProblem) {
  for (const char* text :
       {R"({"input_length": 5)", R"({"input_length": 5,})", R"({input_length: 5})",
        R"({"input_length": 5} x)", R"({"input_length": 5}})", R"({"input_length": 5, "x": [1, 2})",
        "\xff\xfe{}", R"({"input_length": 1, "x": {"a": 12abc}})", "not json", "nul", "12x",
        "tru"}) {
    const FieldProblem p = problem_of(text);
    EXPECT_EQ(p.field, "") << text;
    EXPECT_TRUE(contains(p.problem, "invalid JSON")) << text << " -> " << p.problem;
  }
}

// The validation of unknown fields recursed without a limit: 200,000 nested arrays (400 KB)
// overflowed the stack (SIGSEGV in every reader).
TEST(RequestParser, DeepNestingIsAProblemNotACrash) {
  const std::size_t deep = 200'000;
  const FieldProblem p = problem_of(R"({"input_length": 1, "x": )" + std::string(deep, '[') +
                                    std::string(deep, ']') + "}");
  EXPECT_EQ(p.field, "x");
  EXPECT_EQ(p.problem, "nesting deeper than 256 levels of arrays and objects");
  // Objects and arrays mixed, in messages too.
  std::string objects;
  for (int i = 0; i < 300; ++i) objects += R"({"a": [)";
  for (int i = 0; i < 300; ++i) objects += "]}";
  EXPECT_EQ(problem_of(R"({"messages": )" + objects + "}").field, "messages");
}

TEST(RequestParser, NestingUpToTheLimitIsKept) {
  // The line's object is level 1: its field's value may nest kMaxJsonNesting - 1 levels.
  const std::size_t most = kMaxJsonNesting - 1;
  const std::string value = std::string(most, '[') + std::string(most, ']');
  Result r = parse_request(R"({"input_length": 1, "x": )" + value + "}");
  ASSERT_TRUE(r.ok) << r.problems.front().problem;
  EXPECT_EQ(r.request.extra.at(0).raw_value, value);
  EXPECT_EQ(problem_of(R"({"input_length": 1, "x": [)" + value + "]}").field, "x");
}

// simdjson said "ended early in the middle of an object or array" for a whole object with
// more text after it.
TEST(RequestParser, TextAfterTheObjectIsSaidPlainly) {
  for (const char* text : {R"({"input_length": 5} x)", R"({"input_length": 5} {"a": 1})",
                           R"({"input_length": 5, "s": "}"} 7)"}) {
    EXPECT_EQ(problem_of(text).problem, "invalid JSON: trailing characters after the JSON object")
        << text;
  }
  // Not for an object that is cut short or broken.
  for (const char* text : {R"({"input_length": 5)", R"({"input_length": [5}})"}) {
    EXPECT_NE(problem_of(text).problem, "invalid JSON: trailing characters after the JSON object")
        << text;
  }
}

TEST(RequestParser, NonObjectLineNamesWhatItGot) {
  EXPECT_EQ(problem_of("[1, 2]").problem, "expected a JSON object, got array");
  EXPECT_EQ(problem_of("42").problem, "expected a JSON object, got number");
  EXPECT_EQ(problem_of(R"("text")").problem, "expected a JSON object, got string");
}

TEST(RequestParser, WrongTypesNameTheFieldAndTheValue) {
  FieldProblem p = problem_of(R"({"input_length": "12"})");
  EXPECT_EQ(p.field, "input_length");
  EXPECT_EQ(p.problem, R"(expected a non-negative integer, got string "12")");

  p = problem_of(R"({"input_length": 1, "session_id": 7})");
  EXPECT_EQ(p.field, "session_id");
  EXPECT_TRUE(contains(p.problem, "expected a string, got number 7")) << p.problem;

  p = problem_of(R"({"input_length": 1, "timestamp": "soon"})");
  EXPECT_EQ(p.field, "timestamp");
  EXPECT_TRUE(contains(p.problem, "expected a number")) << p.problem;

  p = problem_of(R"({"input_length": 1, "hash_ids": "1,2"})");
  EXPECT_EQ(p.field, "hash_ids");

  p = problem_of(R"({"input_length": 1, "hash_ids": [1, "2", 3]})");
  EXPECT_EQ(p.field, "hash_ids[1]");

  p = problem_of(R"({"input_length": 1.5})");
  EXPECT_EQ(p.problem, "expected an integer, got number 1.5");

  p = problem_of(R"({"input_length": 1, "text_input": ["a"]})");
  EXPECT_EQ(p.field, "text_input");
}

TEST(RequestParser, NegativeValuesAreRejected) {
  EXPECT_EQ(problem_of(R"({"input_length": -1})").problem, "must be >= 0, got number -1");
  EXPECT_EQ(problem_of(R"({"input_length": 1, "output_length": -5})").field, "output_length");
  EXPECT_EQ(problem_of(R"({"input_length": 1, "delay": -0.5})").field, "delay");
  EXPECT_EQ(problem_of(R"({"input_length": 1, "hash_ids": [0, -1]})").field, "hash_ids[1]");
}

TEST(RequestParser, HugeValuesAreRejectedNotWrapped) {
  EXPECT_TRUE(
      contains(problem_of(R"({"input_length": 9223372036854775808})").problem, "too large"));
  EXPECT_TRUE(contains(problem_of(R"({"input_length": 1e300})").problem, "too large"));
  const FieldProblem p = problem_of(R"({"input_length": 1, "hash_ids": [18446744073709551616]})");
  EXPECT_EQ(p.field, "hash_ids[0]");
  EXPECT_EQ(p.problem,
            "out of range: expected an unsigned 64-bit integer, got number 18446744073709551616");
  EXPECT_TRUE(contains(problem_of(R"({"input_length": 1, "hash_ids": [1e30]})").problem,
                       "too large for an integer written as a float"));
}

TEST(RequestParser, EveryProblemOfALineIsReported) {
  Result r = parse_request(R"({"input_length": -1, "output_length": "x", "session_id": 3})");
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.problems.size(), 3u);
  EXPECT_EQ(r.problems[0].field, "input_length");
  EXPECT_EQ(r.problems[1].field, "output_length");
  EXPECT_EQ(r.problems[2].field, "session_id");
}

TEST(RequestParser, PromptSourceRulesAreAiperfs) {
  EXPECT_TRUE(contains(problem_of(R"({"output_length": 5})").problem, "missing"));
  EXPECT_TRUE(contains(problem_of("{}").problem, "missing"));
  EXPECT_TRUE(contains(problem_of(R"({"input_length": 5, "text_input": "x"})").problem,
                       "mutually exclusive"));
  EXPECT_TRUE(
      contains(problem_of(R"({"input_length": 5, "messages": []})").problem, "mutually exclusive"));
  const FieldProblem p = problem_of(R"({"text_input": "x", "hash_ids": [1]})");
  EXPECT_EQ(p.field, "hash_ids");
  EXPECT_TRUE(contains(p.problem, "only allowed together with input_length"));
}

TEST(RequestParser, DuplicateKnownFieldIsAProblem) {
  const FieldProblem p = problem_of(R"({"input_length": 5, "input_length": 6})");
  EXPECT_EQ(p.field, "input_length");
  EXPECT_EQ(p.problem, "duplicate field");
}

TEST(RequestParser, BlankLines) {
  EXPECT_TRUE(is_blank(""));
  EXPECT_TRUE(is_blank(" \t\r"));
  EXPECT_FALSE(is_blank(" {}"));
}

}  // namespace
}  // namespace kvtrace::trace
