#pragma once
// Block construction from hash ids as AIPerf's HashIdRandomGenerator path does it (reference
// 8.1, 8.2): the content of a hash id depends only on (seed, scope, hash id, size, corpus),
// never on the order blocks are built in, so any thread or shard builds the same tokens.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/random/py_random.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::prompt {

using tokenizer::TokenId;

// AIPerf's identifier of the corpus stream: its seed is the base of every block's seed, and
// the stream itself (PyRandom(base seed)) places prompts that have no hash ids and tails.
inline constexpr std::string_view kCorpusStream = "dataset.prompt.corpus";

// AIPerf's HashIdRandomGenerator seed of a hash id: stable_hash("{base}:{scope}:{hash id}"),
// with the base seed and the hash id in decimal.
std::uint64_t hash_id_seed(std::uint64_t base_seed, std::string_view scope, std::uint64_t hash_id);

// How a request's input_length splits over its hash ids (AIPerf's _build_token_sequence):
// every block is `block_size` tokens except a partial last one, and when the blocks cover
// less than input_length the rest is a tail from the sequential stream ("prefix only").
struct BlockLayout {
  std::uint32_t last_block_size = 0;  // 0 when there are no hash ids
  std::uint64_t tail = 0;             // tokens after the blocks
  std::string problem;                // why the lengths do not fit; empty when they do

  bool ok() const { return problem.empty(); }
};

// The layout of `hash_id_count` blocks for `input_length` tokens. Without hash ids the
// whole prompt is the tail: max(1, input_length) tokens, as AIPerf's generate(stddev=0).
BlockLayout block_layout(std::int64_t input_length, std::size_t hash_id_count,
                         std::uint32_t block_size);

class BlockBuilder {
 public:
  // `corpus` must be non-empty and outlive the builder. `separator` starts every block
  // (the tokenizer's BOS, else EOS, else none). Throws UsageError on an empty corpus.
  BlockBuilder(std::span<const TokenId> corpus, std::optional<TokenId> separator,
               std::uint64_t seed, std::string scope);

  // The separator AIPerf uses for a tokenizer: BOS, else EOS, else none.
  static std::optional<TokenId> separator_of(const tokenizer::Tokenizer& tok);

  // derive_seed(seed, "dataset.prompt.corpus").
  std::uint64_t base_seed() const { return base_seed_; }
  // The seed of a hash id's generator under this builder's base seed and scope.
  std::uint64_t hash_id_seed(std::uint64_t hash_id) const {
    return prompt::hash_id_seed(base_seed_, scope_, hash_id);
  }
  // Where a hash id's block starts in the corpus: randrange(corpus size) of its generator.
  std::uint64_t block_start(std::uint64_t hash_id) const;
  // The sequential stream, PyRandom(base seed), positioned at its start.
  random::PyRandom sequential_stream() const { return random::PyRandom(base_seed_); }

  // Appends a block of `size` tokens starting at corpus offset `start`: the separator, then
  // size - 1 corpus tokens (size tokens without a separator).
  void append_block(std::uint64_t start, std::uint32_t size, std::vector<TokenId>& out) const;
  // Appends `n` corpus tokens from offset `start`, wrapping around the end of the corpus.
  void append_run(std::uint64_t start, std::uint64_t n, std::vector<TokenId>& out) const;
  // The tokens of a hash id's block of `size` tokens.
  std::vector<TokenId> block(std::uint64_t hash_id, std::uint32_t size) const;

  std::size_t corpus_size() const { return corpus_.size(); }

 private:
  std::span<const TokenId> corpus_;
  std::optional<TokenId> separator_;
  std::uint64_t base_seed_;
  std::string scope_;
};

}  // namespace kvtrace::prompt
