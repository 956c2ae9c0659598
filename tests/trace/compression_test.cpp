#include "kvtrace/trace/compression.hpp"

#include <gtest/gtest.h>

#include <string>

#include "compress_util.hpp"

namespace kvtrace::trace {
namespace {

using namespace std::string_literals;

TEST(Compression, TellsGzipAndZstdByTheirMagicNumbers) {
  EXPECT_EQ(detect_compression("\x1f\x8b\x08\x00"s), Compression::kGzip);
  EXPECT_EQ(detect_compression("\x1f\x8b"s), Compression::kGzip);
  EXPECT_EQ(detect_compression("\x28\xb5\x2f\xfd\x04"s), Compression::kZstd);
  EXPECT_EQ(detect_compression(testing::gzip_compress("{}\n")), Compression::kGzip);
  EXPECT_EQ(detect_compression(testing::zstd_compress("{}\n")), Compression::kZstd);
}

TEST(Compression, AnythingElseIsPlain) {
  EXPECT_EQ(detect_compression(""), Compression::kNone);
  EXPECT_EQ(detect_compression("{\"timestamp\": 0}"), Compression::kNone);
  EXPECT_EQ(detect_compression("\x1f"s), Compression::kNone);
  EXPECT_EQ(detect_compression("\x8b\x1f"s), Compression::kNone);
  EXPECT_EQ(detect_compression("\x28\xb5\x2f"s), Compression::kNone);  // shorter than the magic
  EXPECT_EQ(detect_compression("\x28\xb5\x2f\xfe"s), Compression::kNone);
  EXPECT_EQ(detect_compression("\xEF\xBB\xBF{}"s), Compression::kNone);  // a byte order mark
}

TEST(Compression, Names) {
  EXPECT_EQ(compression_name(Compression::kNone), "none");
  EXPECT_EQ(compression_name(Compression::kGzip), "gzip");
  EXPECT_EQ(compression_name(Compression::kZstd), "zstd");
}

}  // namespace
}  // namespace kvtrace::trace
