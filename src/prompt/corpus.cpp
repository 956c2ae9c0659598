#include "kvtrace/prompt/corpus.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/output_file.hpp"
#include "kvtrace/hashing/rolling_hasher.hpp"

namespace kvtrace::prompt {
namespace {

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the valid UTF-8 sequence at s[i] (Python's strict decoder: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when it is invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  char32_t min = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(b)) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

char32_t decode_valid(std::string_view s, std::size_t i, std::size_t len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (len == 1) return b0;
  char32_t cp = b0 & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// Python's str.isspace(): the characters str.strip() removes.
bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// One line (without its line break) stripped as Python's str.strip() does; `line` must be
// valid UTF-8.
std::string_view strip(std::string_view line) {
  std::size_t b = 0;
  while (b < line.size()) {
    const std::size_t len = utf8_length(line, b);
    if (!is_python_space(decode_valid(line, b, len))) break;
    b += len;
  }
  std::size_t e = line.size();
  while (e > b) {
    std::size_t start = e - 1;
    while (start > b && is_continuation(static_cast<unsigned char>(line[start]))) --start;
    if (!is_python_space(decode_valid(line, start, e - start))) break;
    e = start;
  }
  return line.substr(b, e - b);
}

// Throws InputError when `line` is not valid UTF-8.
void check_utf8(std::string_view line, std::string_view source, std::uint64_t line_no) {
  for (std::size_t i = 0; i < line.size();) {
    const std::size_t len = utf8_length(line, i);
    if (len == 0) {
      throw InputError(std::string(source), line_no, "",
                       fmt::format("invalid UTF-8 at byte {} of the line (the corpus must be a "
                                   "UTF-8 text file)",
                                   i + 1));
    }
    i += len;
  }
}

// The cache file layout: a header of six native-endian u64 (the magic carries the format
// version), then the token ids as native-endian u32.
constexpr std::array<char, 8> kMagic = {'K', 'V', 'T', 'C', 'O', 'R', 'P', '1'};
struct CacheHeader {
  std::array<char, 8> magic = kMagic;
  std::uint64_t chunk_code_points = kChunkCodePoints;
  std::uint64_t text_hash = 0;
  std::uint64_t fingerprint = 0;
  std::uint64_t chunks = 0;
  std::uint64_t tokens = 0;
};

// The cached tokens when `path` holds a complete cache for this text and tokenizer.
std::optional<std::vector<TokenId>> read_cache(const std::string& path, const CacheHeader& want,
                                               std::uint64_t& chunks) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  CacheHeader h;
  in.read(reinterpret_cast<char*>(&h), sizeof h);
  if (!in || h.magic != want.magic || h.chunk_code_points != want.chunk_code_points ||
      h.text_hash != want.text_hash || h.fingerprint != want.fingerprint) {
    return std::nullopt;
  }
  std::error_code ec;
  const auto file_size = std::filesystem::file_size(path, ec);
  if (ec || file_size != sizeof h + h.tokens * sizeof(TokenId)) return std::nullopt;
  std::vector<TokenId> tokens(h.tokens);
  in.read(reinterpret_cast<char*>(tokens.data()),
          static_cast<std::streamsize>(tokens.size() * sizeof(TokenId)));
  if (!in) return std::nullopt;
  chunks = h.chunks;
  return tokens;
}

// Writes the cache as core::OutputFile does, through a temporary file renamed into place, so
// that concurrent runs (shards sharing a cache directory) never see a partial file. Returns
// the problem, if any: a cache that cannot be written only costs the next run its time.
std::string write_cache(const std::string& path, const CacheHeader& header,
                        std::span<const TokenId> tokens) {
  try {
    core::OutputFile out(path);
    out.write({reinterpret_cast<const char*>(&header), sizeof header});
    out.write({reinterpret_cast<const char*>(tokens.data()), tokens.size_bytes()});
    out.close();
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot open corpus {}: {}", path, std::strerror(errno)));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError(fmt::format("cannot read corpus {}", path));
  return text;
}

}  // namespace

std::vector<std::string> chunk_text(std::string_view text, std::string_view source) {
  std::vector<std::string> chunks;
  std::string buffer;
  std::size_t code_points = 0;
  std::uint64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line_no;
    const std::size_t brk = text.find_first_of("\r\n", pos);
    const std::size_t end = brk == std::string_view::npos ? text.size() : brk;
    const std::string_view raw = text.substr(pos, end - pos);
    pos = end;
    if (pos < text.size()) pos += text.compare(pos, 2, "\r\n") == 0 ? 2 : 1;

    check_utf8(raw, source, line_no);
    const std::string_view line = strip(raw);
    if (line.empty()) continue;
    if (!buffer.empty()) buffer.push_back(' ');
    buffer.append(line);
    // Code points are the bytes that are not continuation bytes (the line is valid UTF-8).
    for (const char c : line) code_points += is_continuation(static_cast<unsigned char>(c)) ? 0 : 1;
    if (code_points >= kChunkCodePoints) {
      chunks.push_back(std::move(buffer));
      buffer.clear();
      code_points = 0;
    }
  }
  if (!buffer.empty()) chunks.push_back(std::move(buffer));
  return chunks;
}

std::string default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return (std::filesystem::path(xdg) / "kvtrace").string();
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return (std::filesystem::path(home) / ".cache" / "kvtrace").string();
  }
  return "";
}

Corpus Corpus::from_text(std::string_view text, const tokenizer::Tokenizer& tok,
                         std::string_view source) {
  const std::vector<std::string> chunks = chunk_text(text, source);
  std::vector<std::vector<TokenId>> encoded(chunks.size());
  tbb::parallel_for(std::size_t{0}, chunks.size(),
                    [&](std::size_t i) { tok.encode(chunks[i], encoded[i]); });
  Corpus c;
  std::size_t total = 0;
  for (const auto& e : encoded) total += e.size();
  if (total == 0) throw InputError(std::string(source), 0, "", "the corpus holds no token");
  c.tokens_.reserve(total);
  for (const auto& e : encoded) c.tokens_.insert(c.tokens_.end(), e.begin(), e.end());
  c.chunks_ = chunks.size();
  return c;
}

Corpus Corpus::load(const std::string& path, const tokenizer::Tokenizer& tok,
                    const std::string& cache_dir) {
  const std::string text = read_text(path);
  if (cache_dir.empty()) return from_text(text, tok, path);

  CacheHeader header;
  header.text_hash = hashing::stable_hash(text);
  header.fingerprint = tok.fingerprint();
  const std::string file =
      (std::filesystem::path(cache_dir) /
       fmt::format("corpus-{:016x}-{:016x}.tokens", header.text_hash, header.fingerprint))
          .string();
  std::uint64_t chunks = 0;
  if (auto cached = read_cache(file, header, chunks)) {
    Corpus c;
    c.tokens_ = std::move(*cached);
    c.chunks_ = chunks;
    c.from_cache_ = true;
    c.cache_file_ = file;
    return c;
  }
  Corpus c = from_text(text, tok, path);
  header.chunks = c.chunks_;
  header.tokens = c.tokens_.size();
  c.cache_warning_ = write_cache(file, header, c.tokens_);
  c.cache_file_ = file;
  return c;
}

}  // namespace kvtrace::prompt
