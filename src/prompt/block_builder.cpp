#include "kvtrace/prompt/block_builder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "kvtrace/core/error.hpp"
#include "kvtrace/hashing/rolling_hasher.hpp"
#include "kvtrace/random/derive_seed.hpp"

namespace kvtrace::prompt {

std::uint64_t hash_id_seed(std::uint64_t base_seed, std::string_view scope, std::uint64_t hash_id) {
  return hashing::stable_hash(fmt::format("{}:{}:{}", base_seed, scope, hash_id));
}

BlockLayout block_layout(std::int64_t input_length, std::size_t hash_id_count,
                         std::uint32_t block_size) {
  BlockLayout out;
  const auto n = static_cast<std::uint64_t>(std::max<std::int64_t>(input_length, 0));
  if (hash_id_count == 0) {
    out.tail = std::max<std::uint64_t>(n, 1);
    return out;
  }
  const std::uint64_t full = n / block_size;
  const std::uint64_t rest = n % block_size;
  const std::uint64_t most = full + (rest != 0 ? 1 : 0);
  if (hash_id_count > most) {
    out.problem = fmt::format(
        "input_length {} holds at most {} block{} of {} tokens (the last one partial), got {} "
        "hash ids",
        n, most, most == 1 ? "" : "s", block_size, hash_id_count);
  } else if (hash_id_count == most && rest != 0) {
    out.last_block_size = static_cast<std::uint32_t>(rest);
  } else {
    out.last_block_size = block_size;
    out.tail = n - hash_id_count * block_size;
  }
  return out;
}

BlockBuilder::BlockBuilder(std::span<const TokenId> corpus, std::optional<TokenId> separator,
                           std::uint64_t seed, std::string scope)
    : corpus_(corpus),
      separator_(separator),
      base_seed_(random::derive_seed(seed, kCorpusStream)),
      scope_(std::move(scope)) {
  if (corpus_.empty()) throw UsageError("the prompt corpus holds no token");
}

std::optional<TokenId> BlockBuilder::separator_of(const tokenizer::Tokenizer& tok) {
  if (auto bos = tok.bos_token_id()) return bos;
  return tok.eos_token_id();
}

std::uint64_t BlockBuilder::block_start(std::uint64_t hash_id) const {
  random::PyRandom rng(hash_id_seed(hash_id));
  return rng.randbelow(corpus_.size());
}

void BlockBuilder::append_block(std::uint64_t start, std::uint32_t size,
                                std::vector<TokenId>& out) const {
  if (size == 0) return;
  if (separator_) {
    out.push_back(*separator_);
    append_run(start, size - 1, out);
  } else {
    append_run(start, size, out);
  }
}

void BlockBuilder::append_run(std::uint64_t start, std::uint64_t n,
                              std::vector<TokenId>& out) const {
  // AIPerf wraps once; wrapping as often as needed gives the same tokens whenever AIPerf
  // gives n of them, and exactly n tokens when n exceeds the corpus.
  std::size_t pos = static_cast<std::size_t>(start % corpus_.size());
  while (n > 0) {
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(n, corpus_.size() - pos));
    out.insert(out.end(), corpus_.begin() + static_cast<std::ptrdiff_t>(pos),
               corpus_.begin() + static_cast<std::ptrdiff_t>(pos + take));
    n -= take;
    pos = 0;
  }
}

std::vector<TokenId> BlockBuilder::block(std::uint64_t hash_id, std::uint32_t size) const {
  std::vector<TokenId> out;
  out.reserve(size);
  append_block(block_start(hash_id), size, out);
  return out;
}

}  // namespace kvtrace::prompt
