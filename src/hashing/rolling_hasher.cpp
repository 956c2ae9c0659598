#include "kvtrace/hashing/rolling_hasher.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/sha256.hpp"

namespace kvtrace::hashing {
namespace {

// Python's repr of a tuple of ints: "()", "(5,)", "(1, 2)". Appends to `out` so callers can
// reuse one buffer.
void append_tuple_repr(std::string& out, std::span<const std::int64_t> values) {
  // The longest int64 in decimal is "-9223372036854775808".
  constexpr std::size_t kMaxItem = 20;
  out.push_back('(');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out.append(", ");
    std::array<char, kMaxItem> digits;
    const auto res = std::to_chars(digits.data(), digits.data() + digits.size(), values[i]);
    out.append(digits.data(), res.ptr);
  }
  if (values.size() == 1) out.push_back(',');
  out.push_back(')');
}

std::uint64_t hash_tuple_in(std::string& buf, std::span<const std::int64_t> values) {
  buf.clear();
  append_tuple_repr(buf, values);
  return stable_hash(buf);
}

// stable_hash((parent, child)) for two u64s; both fit a fixed stack buffer.
std::uint64_t chain_hash(std::uint64_t parent, std::uint64_t child) {
  constexpr std::size_t kU64Digits = std::numeric_limits<std::uint64_t>::digits10 + 1;
  std::array<char, 2 * kU64Digits + 4> buf;  // "(" parent ", " child ")"
  char* p = buf.data();
  *p++ = '(';
  // Bounding each to_chars by kU64Digits (always enough) lets GCC prove the writes in range.
  p = std::to_chars(p, p + kU64Digits, parent).ptr;
  *p++ = ',';
  *p++ = ' ';
  p = std::to_chars(p, p + kU64Digits, child).ptr;
  *p++ = ')';
  return stable_hash(std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data())));
}

}  // namespace

std::uint64_t stable_hash(std::string_view bytes) {
  const core::Sha256Digest md = core::sha256(bytes);
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < 8; ++i) out = (out << 8) | md[i];
  return out;
}

std::uint64_t stable_hash_tuple(std::span<const std::int64_t> values) {
  std::string buf;
  return hash_tuple_in(buf, values);
}

RollingHasher::RollingHasher(std::uint32_t block_size) : block_size_(block_size) {
  if (block_size == 0) throw UsageError("block size must be positive");
}

std::uint64_t RollingHasher::id_for(std::uint64_t chain_hash) {
  return hash_to_id_.try_emplace(chain_hash, hash_to_id_.size()).first->second;
}

std::vector<std::uint64_t> RollingHasher::hash_blocks(std::span<const std::string_view> blocks) {
  std::vector<std::uint64_t> ids;
  ids.reserve(blocks.size());
  prev_hash_ = 0;
  for (const std::string_view block : blocks) {
    prev_hash_ = chain_hash(prev_hash_, stable_hash(block));
    ids.push_back(id_for(prev_hash_));
  }
  return ids;
}

std::vector<std::uint64_t> RollingHasher::hash_token_blocks(
    std::span<const std::vector<std::int64_t>> blocks) {
  std::vector<std::uint64_t> ids;
  ids.reserve(blocks.size());
  // Unlike hash_blocks, AIPerf chains token blocks through a local and leaves prev_hash_ alone.
  std::uint64_t parent = 0;
  for (const auto& block : blocks) {
    parent = chain_hash(parent, hash_tuple_in(repr_buf_, block));
    ids.push_back(id_for(parent));
  }
  return ids;
}

void RollingHasher::reset() {
  prev_hash_ = 0;
}

RollingHasherStats RollingHasher::stats() const {
  const auto n = hash_to_id_.size();
  return {n, static_cast<std::int64_t>(n) - 1};
}

std::vector<std::vector<std::uint64_t>> texts_to_hashes(std::span<const std::string_view> texts,
                                                        std::uint32_t block_size,
                                                        const TokenizeFn& tokenize) {
  RollingHasher hasher(block_size);
  std::vector<std::vector<std::uint64_t>> out;
  out.reserve(texts.size());
  std::vector<std::vector<std::int64_t>> blocks;
  for (const std::string_view text : texts) {
    const std::vector<std::int64_t> tokens = tokenize(text);
    const std::span<const std::int64_t> all(tokens);
    blocks.clear();
    for (std::size_t i = 0; i < all.size(); i += block_size) {
      const auto chunk = all.subspan(i, std::min<std::size_t>(block_size, all.size() - i));
      blocks.emplace_back(chunk.begin(), chunk.end());
    }
    out.push_back(hasher.hash_token_blocks(blocks));
  }
  return out;
}

}  // namespace kvtrace::hashing
