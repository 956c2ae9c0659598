#include "kvtrace/core/sha256.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::core {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("abc"), 8), "ba7816bf8f01cfea");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  Sha256 h;
  h.update("ab");
  h.update("");
  h.update("c");
  EXPECT_EQ(h.finish(), sha256("abc"));
}

TEST(Sha256, FileDigestAndMissingFile) {
  const kvtrace::testing::TempFile f("abc", ".txt");
  EXPECT_EQ(sha256_file(f.path()), sha256("abc"));
  EXPECT_THROW(sha256_file(f.path() + ".missing"), IoError);
}

TEST(Sha256, ASetStopFlagEndsTheFileDigest) {
  const kvtrace::testing::TempFile f("abc", ".txt");
  std::atomic<bool> stop = false;
  EXPECT_EQ(sha256_file(f.path(), &stop), sha256("abc"));
  stop = true;
  EXPECT_EQ(kvtrace::testing::thrown_message<Interrupted>([&] { sha256_file(f.path(), &stop); }),
            "interrupted: the digest of " + f.path() + " stopped");
}

}  // namespace
}  // namespace kvtrace::core
