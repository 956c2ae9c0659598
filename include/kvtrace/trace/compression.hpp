#pragma once
// Compressed input: which compression a stream uses, told by its first bytes (never by the
// file name), so that every reader takes a .jsonl.gz or .jsonl.zst, or either on stdin, as it
// takes the plain text.

#include <cstddef>
#include <string_view>

namespace kvtrace::trace {

enum class Compression { kNone, kGzip, kZstd };

// Bytes detect_compression() needs to tell them all apart (the zstd magic number).
inline constexpr std::size_t kCompressionMagicBytes = 4;

// The compression whose magic number `head`, the first bytes of a stream, starts with: gzip
// 1f 8b, zstd 28 b5 2f fd; kNone otherwise, or when `head` is shorter than the magic number
// (a stream that short cannot be compressed data).
Compression detect_compression(std::string_view head);

// "none", "gzip" or "zstd": for messages such as "read gzip".
std::string_view compression_name(Compression c);

}  // namespace kvtrace::trace
