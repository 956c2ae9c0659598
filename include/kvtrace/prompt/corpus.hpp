#pragma once
// The token corpus prompts are cut from: a UTF-8 text tokenized once, in AIPerf's chunks
// (reference 6.1), so the token array equals AIPerf's for the same text and tokenizer. The
// array can be cached on disk, keyed by the text's hash and the tokenizer's fingerprint.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::prompt {

using tokenizer::TokenId;

// A chunk is closed once its lines hold at least this many code points (AIPerf's
// MAX_CHARS_PER_CHUNK).
inline constexpr std::size_t kChunkCodePoints = 10000;

// AIPerf's corpus chunking: the text is split into lines at "\n", "\r\n" and "\r" (Python's
// universal newlines), each line is stripped of the whitespace Python's str.strip() removes
// (Unicode White_Space), empty lines are dropped, and consecutive lines are joined with one
// space into chunks of at least kChunkCodePoints code points (the last one may be shorter).
// Throws InputError naming `source` and the line when the text is not valid UTF-8.
std::vector<std::string> chunk_text(std::string_view text, std::string_view source);

// Where the token arrays of corpus files are cached: $XDG_CACHE_HOME/kvtrace, else
// $HOME/.cache/kvtrace; empty when neither variable is set.
std::string default_cache_dir();

class Corpus {
 public:
  // Tokenizes `text` chunk by chunk, in parallel on the calling thread's TBB arena; the
  // result does not depend on the thread count. Throws InputError for invalid UTF-8 and
  // when the text holds no token.
  static Corpus from_text(std::string_view text, const tokenizer::Tokenizer& tok,
                          std::string_view source);

  // Loads a corpus file. With a `cache_dir`, the token array is read from
  // `cache_dir/corpus-<text hash>-<tokenizer fingerprint>.tokens` when present and written
  // there after tokenizing otherwise. A cache that cannot be read or written is not an error:
  // the text is tokenized and cache_warning() says why. Throws IoError when the file cannot
  // be read.
  static Corpus load(const std::string& path, const tokenizer::Tokenizer& tok,
                     const std::string& cache_dir);

  std::span<const TokenId> tokens() const { return tokens_; }
  std::size_t size() const { return tokens_.size(); }
  // The number of AIPerf chunks the text was tokenized in.
  std::uint64_t chunks() const { return chunks_; }
  bool from_cache() const { return from_cache_; }
  // The cache file read or written; empty without a cache directory.
  const std::string& cache_file() const { return cache_file_; }
  // Why the cache could not be used; empty when it was, or when there is none.
  const std::string& cache_warning() const { return cache_warning_; }

 private:
  std::vector<TokenId> tokens_;
  std::uint64_t chunks_ = 0;
  bool from_cache_ = false;
  std::string cache_file_;
  std::string cache_warning_;
};

}  // namespace kvtrace::prompt
