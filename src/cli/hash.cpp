// kvtrace hash: conversations (token ids, text or chat messages) -> a Mooncake trace whose
// hash_ids are the dense ids of Dynamo sequence hashes of the prompt's blocks
// (hashing::hash_conversations).

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/hashing/conversation_pipeline.hpp"
#include "kvtrace/tokenizer/chat_format.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::cli {
namespace {

struct HashFlags {
  std::string input;
  std::string output = "-";
  std::uint32_t block_size = 512;
  bool text_in = false;
  bool tokens_in = false;
  std::string tokenizer;
  std::string chat_format = "auto";
  std::string turns = "full";
  bool split_turns = false;
  std::string lora;
  std::string cache_namespace;
  bool emit_raw_hashes = false;
  unsigned threads = 0;
};

int run_hash(const HashFlags& f) {
  const auto started = std::chrono::steady_clock::now();
  if (f.text_in && f.tokens_in) throw UsageError("give --text-in or --tokens-in, not both");
  if (f.tokens_in && !f.tokenizer.empty()) {
    throw UsageError("--tokenizer is for --text-in: token ids are hashed as given");
  }
  const bool text = f.text_in || !f.tokenizer.empty();
  hashing::HashOptions options{.block_size = f.block_size,
                               .split_turns = f.split_turns,
                               .delta_turns = f.turns == "delta",
                               .lora_name = f.lora,
                               .cache_namespace = f.cache_namespace,
                               .emit_raw_hashes = f.emit_raw_hashes,
                               .threads = f.threads};
  if (options.delta_turns && options.split_turns)
    throw UsageError("--split-turns and --turns delta exclude each other");

  std::unique_ptr<tokenizer::Tokenizer> tok;
  if (text) {
    const std::string path =
        !f.tokenizer.empty() ? f.tokenizer : installed_default(kDefaultTokenizer, "--tokenizer");
    tok = tokenizer::load_tokenizer(path);
    options.tokenizer = tok.get();
    options.chat_format = f.chat_format == "auto" ? tokenizer::chat_format_for_tokenizer(path)
                                                  : tokenizer::parse_chat_format(f.chat_format);
  } else if (f.chat_format != "auto") {
    throw UsageError("--chat-format is for --text-in");
  }

  std::optional<Progress> progress;
  const auto on_progress = [&](const hashing::HashProgress& p) {
    if (!progress) progress.emplace("hash", p.total_bytes);
    progress->update(p.bytes, p.requests);
  };
  hashing::HashStats stats;
  try {
    stats = hashing::hash_conversations(f.input, f.output, options, on_progress);
  } catch (const hashing::MissingTokenizerError& e) {
    throw InputError(e.source(), e.line(), e.field(),
                     "text needs a tokenizer: run with --text-in (and --tokenizer)");
  }
  if (progress) progress->done();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print(stderr,
             "kvtrace: hashed {} requests, {} tokens into {} blocks of {} tokens ({} distinct) "
             "in {:.2f} s ({:.1f} M tokens/s) on {} thread{}\n",
             stats.requests, stats.tokens, stats.blocks, f.block_size, stats.distinct_blocks,
             seconds, static_cast<double>(stats.tokens) / seconds / 1e6, stats.threads,
             stats.threads == 1 ? "" : "s");
  return kOk;
}

}  // namespace

void add_hash(CLI::App& app, Action& action) {
  auto flags = std::make_shared<HashFlags>();
  CLI::App* cmd = app.add_subcommand(
      "hash",
      "Conversations (token ids, text or chat messages, JSONL) -> a Mooncake trace whose "
      "hash_ids are dense ids of Dynamo-compatible XXH3 sequence hashes of the prompt's "
      "blocks: identical prefixes share ids (docs/hash.md)");
  cmd->add_option("file", flags->input,
                  "Input JSONL: one request per line, {\"tokens\":[...]}, {\"prompt\":...} or "
                  "{\"messages\":[...]} (also inside \"body\"), with optional timestamp, "
                  "session_id, delay, output_length; - for stdin")
      ->required();
  flags::output(*cmd, flags->output, "Output Mooncake trace (JSONL)");
  flags::block_size(*cmd, flags->block_size);
  cmd->add_flag("--tokens-in", flags->tokens_in,
                "Prompts are token ids (the default): no tokenizer is loaded and a text line "
                "is an error");
  cmd->add_flag("--text-in", flags->text_in,
                "Prompts may be text or chat messages, tokenized with --tokenizer");
  flags::tokenizer(*cmd, flags->tokenizer, "for --text-in");
  cmd->add_option("--chat-format", flags->chat_format,
                  "How messages become text: chatml, llama3, plain, or auto (from the "
                  "tokenizer_config.json chat_template beside the tokenizer)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "chatml", "llama3", "plain"}));
  cmd->add_flag("--split-turns", flags->split_turns,
                "A messages line is a whole conversation: one request per user message, "
                "prompt = the history up to it, output_length = the next assistant reply's "
                "tokens, all in one session");
  cmd->add_option("--turns", flags->turns,
                  "full: each line holds its whole prompt; delta: a session's line holds only "
                  "its new tokens/text, appended to the session's earlier ones")
      ->capture_default_str()
      ->check(CLI::IsMember({"full", "delta"}));
  cmd->add_option("--lora", flags->lora, "LoRA adapter name salted into the hashes (Dynamo)");
  cmd->add_option("--cache-namespace", flags->cache_namespace,
                  "Cache namespace salted into the hashes (Dynamo's cache_salt)");
  cmd->add_flag("--emit-raw-hashes", flags->emit_raw_hashes,
                "Also write each request's u64 sequence hashes as \"sequence_hashes\"");
  flags::threads(*cmd, flags->threads);
  cmd->callback([flags, &action] { action = [flags] { return run_hash(*flags); }; });
}

}  // namespace kvtrace::cli
