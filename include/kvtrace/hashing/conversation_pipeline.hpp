#pragma once
// Conversations JSONL -> Mooncake trace (what `kvtrace hash` runs, docs/hash.md): each line's
// prompt (token ids, text or chat messages; trace/conversation_parser.hpp) becomes one request
// whose hash_ids are the dense ids of the Dynamo sequence hashes of its blocks
// (conversation_hasher.hpp); timestamp, session_id, delay and output_length are copied.
//
// Model: the input is cut into batches of whole lines (about 1 MiB). A regular file is read
// by byte range, each worker reading its own batch (trace::FileSlices); stdin and compressed
// files are read in order by one reader. Workers parse their batch, tokenize text and chat messages
// (rendered in `chat_format`) and hash whole prompts in parallel; then, batch by batch in input
// order, one thread at a time hands out the ids, hashes delta turns (which need their session's
// earlier turns) and writes the requests.
//
// Invariants:
// - Requests are written in input order: one per non-blank line, or one per user message
//   with split_turns. Ids are handed out in that order, so the output is the same bytes for
//   any thread count and batch cut.
// - A regular output file appears whole at the end or not at all (core::OutputFile stages it
//   as `<output>.tmp.<pid>`): a run that fails (or is killed) leaves the output as it was,
//   never a prefix that looks complete. Stdout, a pipe or a device is written as the run goes.
// - On bad input, that line's InputError is thrown with its line number in the input,
//   whichever thread met it and whatever errors later lines hold; the requests of every line
//   before it (the valid head) have then been written to stdout, a pipe or a device, never
//   any of the bad line. Other failures (IoError, a tokenizer's error) are rethrown likewise
//   after the batches before theirs.
// - An input without any conversation is an InputError; the output is not written.
// Memory: at most 4 batches per thread in flight, each its text (about 1 MiB) plus 4 bytes
// per token of its prompts until they are hashed, then 16 bytes per block (ids and sequence
// hashes). The ids take about 16 bytes per distinct block; with delta_turns each session
// keeps 16 bytes per complete block of its prompt and its partial block's tokens.
// Threads: `threads` workers in a task arena of their own; the tokenizer is called from all of
// them at once (Tokenizer::encode is thread-safe). on_progress is called from one thread at a
// time, in order.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "kvtrace/core/error.hpp"
#include "kvtrace/tokenizer/chat_format.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"
#include "kvtrace/trace/line_reader.hpp"

namespace kvtrace::hashing {

struct HashOptions {
  std::uint32_t block_size = 512;  // tokens per block (hash id)
  // Tokenizes text prompts and chat messages. Null: only token ids are taken, and a text or
  // messages line is a MissingTokenizerError.
  const tokenizer::Tokenizer* tokenizer = nullptr;
  tokenizer::ChatFormat chat_format = tokenizer::ChatFormat::kPlain;  // messages -> text
  // A messages line is a whole conversation: one request per user message, whose prompt is
  // the history up to it and whose output_length is the next assistant message's tokens, all
  // in the line's session (named "line-<n>" after its input line when it has none); only the
  // first request keeps the line's timestamp and delay.
  bool split_turns = false;
  // A line with a session_id holds only its turn's new tokens (or text), appended to the
  // session's earlier turns to make its prompt. Chat messages are an InputError then.
  // Excludes split_turns.
  bool delta_turns = false;
  std::string lora_name;        // salted into the hashes; empty: the base model
  std::string cache_namespace;  // salted into the hashes (Dynamo's cache_salt); empty: none
  // Also write each request's u64 sequence hashes, as "sequence_hashes": [...].
  bool emit_raw_hashes = false;
  unsigned threads = 0;  // 0: all cores
  // A longer line (without its line end) is an InputError, as in every trace reader.
  std::size_t max_line_bytes = trace::kDefaultMaxLineBytes;
};

struct HashStats {
  std::uint64_t requests = 0;
  std::uint64_t tokens = 0;           // of all prompts
  std::uint64_t blocks = 0;           // hash ids written
  std::uint64_t distinct_blocks = 0;  // distinct sequence hashes (= distinct ids)
  unsigned threads = 0;               // workers used
};

struct HashProgress {
  std::uint64_t bytes = 0;                   // of the input consumed (compressed bytes if so)
  std::optional<std::uint64_t> total_bytes;  // the input's size; none for stdin or a pipe
  std::uint64_t requests = 0;                // written
};

// Called once before reading (bytes 0) and after each batch is written.
using HashProgressFn = std::function<void(const HashProgress&)>;

// A text or messages line while HashOptions::tokenizer is null; its problem reads "text
// needs a tokenizer".
class MissingTokenizerError : public InputError {
 public:
  using InputError::InputError;
};

// Hashes the conversations of `input_path` ("-": stdin) into a Mooncake trace at
// `output_path` ("-": stdout). Throws IoError when a file cannot be opened, read or written,
// InputError for bad input (see above; the input's file name and line; a text whose
// tokenization hits the tokenizer regex's backtracking limit is one), UsageError for options
// that exclude each other or a block size of 0.
HashStats hash_conversations(const std::string& input_path, const std::string& output_path,
                             const HashOptions& options, const HashProgressFn& on_progress = {});

}  // namespace kvtrace::hashing
