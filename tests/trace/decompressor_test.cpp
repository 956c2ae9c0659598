#include "trace/decompressor.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "compress_util.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/text_table.hpp"
#include "test_util.hpp"
#include "trace/pipe_util.hpp"

namespace kvtrace::trace {
namespace {

using kvtrace::testing::gzip_compress;
using kvtrace::testing::numbered_lines;
using kvtrace::testing::Pipe;
using kvtrace::testing::TempFile;
using kvtrace::testing::zstd_compress;

class OpenFile {
 public:
  explicit OpenFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~OpenFile() { ::close(fd_); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// All the text, read in pieces of `piece` bytes.
std::string read_all_text(Decompressor& d, std::size_t piece = 100'000) {
  std::string text;
  std::string buf(piece, '\0');
  while (const std::size_t n = d.read(buf.data(), buf.size())) text.append(buf.data(), n);
  return text;
}

TEST(Decompressor, GzipAndZstdGiveTheTextBack) {
  const std::string text = numbered_lines(std::size_t{3} << 20);  // several 1 MiB chunks
  for (const std::string& packed : {gzip_compress(text), zstd_compress(text)}) {
    const Compression c = detect_compression(packed);
    TempFile f(packed, ".z");
    OpenFile file(f.path());
    Decompressor d(c, file.fd(), "", f.path(), packed.size());
    EXPECT_EQ(read_all_text(d), text) << compression_name(c);
    EXPECT_EQ(d.problem(), "");
    EXPECT_EQ(d.read(nullptr, 0), 0u);
  }
}

TEST(Decompressor, TheHeadIsTheStartOfTheStream) {
  const std::string text = numbered_lines(100'000);
  const std::string packed = zstd_compress(text);
  TempFile f(packed.substr(7), ".zst");
  OpenFile file(f.path());
  Decompressor d(Compression::kZstd, file.fd(), packed.substr(0, 7), f.path(), std::nullopt);
  EXPECT_EQ(read_all_text(d, 333), text);
}

TEST(Decompressor, ConcatenatedMembersAndFramesReadToTheEnd) {
  const std::string a = numbered_lines(50'000);
  const std::string b = "{\"second\": true}\n";
  for (const Compression c : {Compression::kGzip, Compression::kZstd}) {
    const auto pack = [&](const std::string& t) {
      return c == Compression::kGzip ? gzip_compress(t) : zstd_compress(t);
    };
    // An empty member in the middle too, as `cat` of an empty .gz makes.
    TempFile f(pack(a) + pack("") + pack(b) + pack(a), ".z");
    OpenFile file(f.path());
    Decompressor d(c, file.fd(), "", f.path(), std::nullopt);
    EXPECT_EQ(read_all_text(d), a + b + a) << compression_name(c);
    EXPECT_EQ(d.problem(), "");
  }
}

TEST(Decompressor, ATruncatedStreamGivesItsTextThenSaysWhere) {
  const std::string text = numbered_lines(200'000);
  for (const std::string& packed : {gzip_compress(text), zstd_compress(text)}) {
    const Compression c = detect_compression(packed);
    const std::string cut = packed.substr(0, packed.size() / 2);
    TempFile f(cut, ".z");
    OpenFile file(f.path());
    Decompressor d(c, file.fd(), "", f.path(), cut.size());
    const std::string got = read_all_text(d);
    EXPECT_LT(got.size(), text.size());
    EXPECT_EQ(got, text.substr(0, got.size()));
    EXPECT_EQ(d.problem(),
              "the " + std::string(compression_name(c)) +
                  " stream ends early (truncated file?) after " + core::grouped_int(got.size()) +
                  " bytes of text, at compressed byte " + core::grouped_int(cut.size()) + " of " +
                  core::grouped_int(cut.size()));
  }
}

TEST(Decompressor, CorruptDataAfterAGoodMemberSaysWhere) {
  const std::string text = "{\"a\": 1}\n";
  // A gzip header with compression method 9 (only 8, deflate, exists).
  const std::string bad_gzip = std::string("\x1f\x8b\x09\x00\x00\x00\x00\x00\x00\x03", 10) + "xx";
  const std::string good = gzip_compress(text);
  TempFile f(good + bad_gzip, ".gz");
  OpenFile file(f.path());
  Decompressor d(Compression::kGzip, file.fd(), "", f.path(), std::nullopt);
  EXPECT_EQ(read_all_text(d), text);
  EXPECT_EQ(d.problem().rfind("corrupt gzip data at compressed byte ", 0), 0u) << d.problem();
  EXPECT_NE(d.problem().find("unknown compression method"), std::string::npos) << d.problem();

  TempFile z(zstd_compress(text) + "not a frame", ".zst");
  OpenFile zfile(z.path());
  Decompressor dz(Compression::kZstd, zfile.fd(), "", z.path(), std::nullopt);
  EXPECT_EQ(read_all_text(dz), text);
  EXPECT_EQ(dz.problem().rfind("corrupt zstd data at compressed byte ", 0), 0u) << dz.problem();
}

TEST(Decompressor, AFlippedByteIsFoundByTheChecksumAtTheLatest) {
  const std::string text = numbered_lines(300'000);
  for (std::string packed : {gzip_compress(text), zstd_compress(text)}) {
    const Compression c = detect_compression(packed);
    packed[packed.size() / 2] ^= 0x55;
    TempFile f(packed, ".z");
    OpenFile file(f.path());
    Decompressor d(c, file.fd(), "", f.path(), std::nullopt);
    read_all_text(d);
    EXPECT_EQ(d.problem().rfind("corrupt " + std::string(compression_name(c)) + " data", 0), 0u)
        << d.problem();
  }
}

TEST(Decompressor, InputPositionRunsFromZeroToTheCompressedSize) {
  const std::string text = numbered_lines(std::size_t{5} << 20);
  const std::string packed = gzip_compress(text);
  TempFile f(packed, ".gz");
  OpenFile file(f.path());
  Decompressor d(Compression::kGzip, file.fd(), "", f.path(), packed.size());
  EXPECT_EQ(d.input_position(0), 0u);
  std::string buf(300'000, '\0');
  std::uint64_t text_read = 0;
  std::uint64_t last = 0;
  while (const std::size_t n = d.read(buf.data(), buf.size())) {
    text_read += n;
    const std::uint64_t at = d.input_position(text_read);
    EXPECT_GE(at, last);
    EXPECT_LE(at, packed.size());
    last = at;
    d.forget_before(text_read - n / 2);
  }
  EXPECT_EQ(text_read, text.size());
  EXPECT_EQ(d.input_position(text_read), packed.size());
  EXPECT_GT(last, 0u);
}

TEST(Decompressor, AReadErrorIsAnIoErrorAfterTheHead) {
  // A directory cannot be read: the thread's read fails.
  OpenFile dir("/tmp");
  Decompressor d(Compression::kGzip, dir.fd(), "\x1f\x8b", "/tmp", std::nullopt);
  char buf[16];
  EXPECT_THROW(d.read(buf, sizeof buf), IoError);
}

TEST(Decompressor, DestroyedWhileItsThreadWaitsForAPipe) {
  const std::string text = numbered_lines(10'000);
  Pipe pipe;
  pipe.feed(gzip_compress(text).substr(0, 2000), 500, /*keep_open=*/true);
  {
    Decompressor d(Compression::kGzip, pipe.read_fd(), "", "<pipe>", std::nullopt);
    char buf[100];
    ASSERT_GT(d.read(buf, sizeof buf), 0u);
    // The thread now waits for input that never comes: destruction must not wait for it.
  }
  pipe.join();
}

TEST(Decompressor, DestroyedWithItsQueueFull) {
  const std::string text = numbered_lines(std::size_t{12} << 20);
  TempFile f(zstd_compress(text), ".zst");
  OpenFile file(f.path());
  Decompressor d(Compression::kZstd, file.fd(), "", f.path(), std::nullopt);
  char buf[10];
  ASSERT_EQ(d.read(buf, sizeof buf), sizeof buf);
  EXPECT_EQ(std::string(buf, sizeof buf), text.substr(0, sizeof buf));
}

}  // namespace
}  // namespace kvtrace::trace
