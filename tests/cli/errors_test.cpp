#include "cli/errors.hpp"

#include "cli/common.hpp"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

#include "kvtrace/core/error.hpp"

namespace kvtrace::cli {
namespace {

Failure of(auto error) {
  return describe(std::make_exception_ptr(error));
}

TEST(Errors, FlagOfAParameterIsItsNameWithDashesUnlessListed) {
  EXPECT_EQ(flag_for("block_size"), "--block-size");
  EXPECT_EQ(flag_for("rate"), "--rate");
  EXPECT_EQ(flag_for("header"), "--header");
  EXPECT_EQ(flag_for("schedule"), "--schedule");
  EXPECT_EQ(flag_for("gpu_mem_gib"), "--gpu-mem");
}

TEST(Errors, EachCauseHasItsExitCode) {
  EXPECT_EQ(of(InputError("t.jsonl", 3, "hash_ids", "expected an array")).exit_code, 2);
  EXPECT_EQ(of(IoError("cannot open x")).exit_code, 3);
  EXPECT_EQ(of(LimitError("more than 2^31 distinct hash ids")).exit_code, 4);
  EXPECT_EQ(of(std::bad_alloc()).exit_code, 4);
  EXPECT_EQ(of(UsageError("bad")).exit_code, 64);
  EXPECT_EQ(of(std::logic_error("invariant")).exit_code, 1);
  EXPECT_EQ(of(std::invalid_argument("misuse")).exit_code, 1);
  EXPECT_EQ(of(std::runtime_error("other")).exit_code, 1);
  EXPECT_EQ(code(ExitCode::kInterrupted), 130);
  EXPECT_EQ(of(Interrupted("interrupted: the read of t.jsonl stopped at line 7")).exit_code, 130);
}

TEST(Errors, MessagesAreOneLineNamingTheFlag) {
  EXPECT_EQ(of(InputError("t.jsonl", 3, "hash_ids", "expected an array")).message,
            "kvtrace: error: t.jsonl:3: hash_ids: expected an array");
  EXPECT_EQ(of(UsageError("block_size", "must be at least 1")).message,
            "kvtrace: error: --block-size: must be at least 1");
  EXPECT_EQ(of(UsageError("give one scheduling mode")).message,
            "kvtrace: error: give one scheduling mode");
  EXPECT_EQ(of(std::logic_error("RadixTree: no node 7")).message,
            "kvtrace: internal error (a bug, please report it): RadixTree: no node 7");
}

TEST(Errors, UsageErrorKeepsParameterAndProblem) {
  const UsageError e("rate", "must be positive");
  EXPECT_EQ(e.parameter(), "rate");
  EXPECT_EQ(e.problem(), "must be positive");
  EXPECT_STREQ(e.what(), "rate: must be positive");
  EXPECT_EQ(UsageError("plain").parameter(), "");
}

}  // namespace
}  // namespace kvtrace::cli
