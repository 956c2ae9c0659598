#include "kvtrace/trace/request_source.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace kvtrace::trace {
namespace {

TEST(UnreadLineProblem, OverTheLimitOrABrokenStreamElseNone) {
  kvtrace::testing::TempFile f("x\n");
  const LineReader input(f.path(), 24);
  EXPECT_EQ(unread_line_problem(Line{"{}", 66, 1, false, ""}, input), std::nullopt);
  EXPECT_EQ(unread_line_problem(Line{"", 0, 2, true, ""}, input),
            (FieldProblem{"", "line longer than the limit of 24 bytes"}));
  EXPECT_EQ(unread_line_problem(Line{"", 0, 3, false, "the gzip stream ends early"}, input),
            (FieldProblem{"", "the gzip stream ends early"}));
}

}  // namespace
}  // namespace kvtrace::trace
