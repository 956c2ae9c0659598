#pragma once
// Materialization: a trace's requests turned into request bodies with real prompt text, in
// parallel, byte-identical for any thread count and for any union of shards (docs/materialize.md).
//
// A request's prompt is, in order: one block per hash id (BlockBuilder: content fixed by
// seed, scope and hash id), then a tail; a request without hash ids is all tail. Tails are
// corpus runs placed by the sequential stream, drawn once per tail in session order (AIPerf's
// order), so every shard draws the whole trace's tails and keeps its own. Prompts are decoded
// from their whole token sequence, never block by block.

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/prompt/block_builder.hpp"
#include "kvtrace/prompt/request_writer.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::prompt {

enum class PromptFormat {
  kText,    // prompts as text (decoded)
  kTokens,  // prompts as token ids (completions API)
};

// Shard `index` of `count` holds sessions index, index + count, ... in session order.
struct Shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1;

  // Parses "i/N" with 0 <= i < N; throws UsageError.
  static Shard parse(std::string_view text);
};

// The most prompt tokens a request may ask for (input_length): 2^24 = 16,777,216, far above
// any model's context. A larger input_length is an InputError of the first pass, before any
// prompt is allocated (a typo of 1e10 would otherwise ask for 40 GB).
inline constexpr std::int64_t kMaxPromptTokens = std::int64_t{1} << 24;

struct MaterializeOptions {
  std::uint64_t seed = 42;
  std::string scope;  // namespace of block content (AIPerf's trace id)
  std::uint32_t block_size = 512;
  Api api = Api::kChat;
  PromptFormat format = PromptFormat::kText;
  std::string model;  // the body's "model"; empty: left out
  Shard shard;
  bool verify = false;  // re-tokenize each built prompt and count length differences
};

struct MaterializeStats {
  std::uint64_t requests = 0;          // lines written
  std::uint64_t synthesized = 0;       // prompts built from the corpus
  std::uint64_t passthrough = 0;       // text_input, messages and payload requests
  std::uint64_t prompt_tokens = 0;     // tokens of the built prompts
  std::uint64_t blocks = 0;            // distinct hash ids built
  std::uint64_t sequential_draws = 0;  // sequential-stream draws, all shards' included
  // With verify: len(encode(prompt text)) - tokens built -> number of prompts.
  std::map<std::int64_t, std::uint64_t> reencode_diff;
};

// Receives the output in input order, a batch of whole lines at a time.
using LineSink = std::function<void(std::string_view lines)>;

class Materializer {
 public:
  // The first pass over the whole trace, before any prompt is built (no corpus needed):
  // checks each request's block layout, that no hash id is used at two block sizes anywhere
  // in the trace (an InputError naming both lines), and that the prompt sources suit the
  // options, and that no input_length is over kMaxPromptTokens; groups sessions and picks the
  // shard's. `requests` must outlive the object;
  // `lines` holds their 1-based line numbers (empty: position + 1). Throws InputError,
  // UsageError.
  Materializer(std::span<const trace::Request> requests, std::span<const std::uint64_t> lines,
               std::string source, MaterializeOptions options);

  // Builds the shard's prompts and hands their lines to `sink` in input order. Runs in
  // parallel on the calling thread's TBB arena.
  MaterializeStats run(const tokenizer::Tokenizer& tok, std::span<const TokenId> corpus,
                       const LineSink& sink) const;

 private:
  std::span<const trace::Request> requests_;
  MaterializeOptions options_;
  std::vector<std::size_t> order_;        // session order
  std::vector<std::size_t> todo_;         // this shard's requests, file order
  std::vector<std::uint64_t> anonymous_;  // N of "session_N" for requests without session_id
};

// What a whole materialization did: its stats, and the corpus and threads it ran with.
struct MaterializeResult {
  MaterializeStats stats;
  std::size_t corpus_tokens = 0;
  bool corpus_from_cache = false;
  std::string cache_warning;  // why the corpus cache was not used (Corpus::cache_warning)
  int threads = 0;            // the worker threads it ran on
};

// kvtrace materialize's work once the trace is checked (docs/materialize.md): on a TBB arena
// of `threads` worker threads (0: one per core), loads the corpus file at `corpus_path`
// tokenized with `tok` (Corpus::load, its tokens cached in `cache_dir`; empty: no cache) and
// runs `materializer` with it, handing the lines to `sink`. Throws as Corpus::load and
// Materializer::run.
MaterializeResult materialize(const Materializer& materializer, const tokenizer::Tokenizer& tok,
                              const std::string& corpus_path, const std::string& cache_dir,
                              unsigned threads, const LineSink& sink);

// The re-encoding check of a run with `verify`, for people: how many built prompts
// re-tokenize to another length and by how much (min, median, mean, max, the sum against the
// prompt tokens), then the prompts by difference; two "kvtrace: verify: ..." lines (with
// their newlines), or one saying that no prompt was built from the corpus.
std::string verify_report(const MaterializeStats& stats);

// The default scope of a trace file, as AIPerf sets its trace id: the first 16 hex digits of
// the SHA-256 of the file's bytes. Throws IoError; Interrupted when `stop` is given and set.
std::string trace_scope(const std::string& path, const std::atomic<bool>* stop = nullptr);

// AIPerf's texts_to_hashes with a tokenizer: each text is tokenized and its blocks of
// `block_size` tokens (the last partial one included) hashed as one chain; one RollingHasher
// for all texts.
std::vector<std::vector<std::uint64_t>> texts_to_hashes(const tokenizer::Tokenizer& tok,
                                                        std::span<const std::string_view> texts,
                                                        std::uint32_t block_size);

// AIPerf's hashes_to_texts: the prompt text of each (hash ids, input length), built as
// materialize builds it, with one sequential stream drawn in list order. As AIPerf, throws
// UsageError "Constraint violation: ..." when hash ids cover fewer tokens than the input
// length, and when a hash id comes at two sizes.
std::vector<std::string> hashes_to_texts(const BlockBuilder& builder,
                                         const tokenizer::Tokenizer& tok,
                                         std::span<const std::vector<std::uint64_t>> hash_ids,
                                         std::span<const std::int64_t> input_lengths,
                                         std::uint32_t block_size);

}  // namespace kvtrace::prompt
