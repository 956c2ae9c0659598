// kvtrace materialize: a trace's requests as request bodies with real prompts
// (docs/materialize.md).

#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/output_file.hpp"
#include "kvtrace/prompt/corpus.hpp"
#include "kvtrace/prompt/materializer.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::cli {
namespace {

// Where scripts/setup installs the corpus, relative to the kvtrace binary (build/).
constexpr std::string_view kDefaultCorpus = "corpus/kjv.txt";

struct MaterializeFlags {
  std::string input;
  std::string output = "-";
  std::string tokenizer;
  std::string corpus;
  std::optional<std::string> scope;
  std::string api;
  std::string format = "text";
  std::string shard = "0/1";
  std::string cache_dir = prompt::default_cache_dir();
  bool no_cache = false;
  unsigned threads = 0;
  prompt::MaterializeOptions options;
  ReaderFlags reader;
};

int run_materialize(MaterializeFlags& f) {
  const auto started = std::chrono::steady_clock::now();
  auto& o = f.options;
  o.shard = prompt::Shard::parse(f.shard);
  o.format = f.format == "tokens" ? prompt::PromptFormat::kTokens : prompt::PromptFormat::kText;
  // Token ids go to the completions API unless chat is asked for (which is then an error).
  const std::string api = !f.api.empty()                              ? f.api
                          : o.format == prompt::PromptFormat::kTokens ? "completions"
                                                                      : "chat";
  o.api = api == "chat" ? prompt::Api::kChat : prompt::Api::kCompletions;
  if (f.scope) {
    o.scope = *f.scope;
  } else if (f.input == "-") {
    throw UsageError(
        "give --scope when reading stdin: the default scope is the trace file's "
        "SHA-256 prefix");
  } else {
    o.scope = prompt::trace_scope(f.input);
  }
  const std::string tokenizer_path =
      !f.tokenizer.empty() ? f.tokenizer : installed_default(kDefaultTokenizer, "--tokenizer");
  const std::string corpus_path =
      !f.corpus.empty() ? f.corpus : installed_default(kDefaultCorpus, "--corpus");

  // The whole trace is checked before the tokenizer and corpus are loaded: a bad trace fails
  // in a second, not after tokenizing the corpus.
  const std::unique_ptr<trace::TraceReader> opened = f.reader.open(f.input);
  trace::TraceReader& reader = *opened;
  o.block_size = reader.options().block_size;
  std::vector<std::uint64_t> lines;
  const std::vector<trace::Request> requests = read_requests(reader, "materialize", &lines);
  const prompt::Materializer materializer(requests, lines, reader.name(), o);

  const std::unique_ptr<tokenizer::Tokenizer> tok = tokenizer::load_tokenizer(tokenizer_path);
  core::OutputFile out(f.output);
  const prompt::MaterializeResult m =
      prompt::materialize(materializer, *tok, corpus_path, f.no_cache ? "" : f.cache_dir, f.threads,
                          [&](std::string_view text) { out.write(text); });
  out.close();
  if (!m.cache_warning.empty()) {
    fmt::print(stderr, "kvtrace: warning: corpus cache not used: {}\n", m.cache_warning);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const prompt::MaterializeStats& st = m.stats;
  fmt::print(stderr,
             "kvtrace: materialized {} of {} requests{} ({} prompts built from {} blocks, {} "
             "tokens; {} passed through) with seed {}, scope \"{}\", corpus {} ({} tokens{}) in "
             "{:.1f} s on {} thread{}\n",
             st.requests, requests.size(),
             o.shard.count > 1 ? fmt::format(" (shard {}/{})", o.shard.index, o.shard.count) : "",
             st.synthesized, st.blocks, st.prompt_tokens, st.passthrough, o.seed, o.scope,
             corpus_path, m.corpus_tokens, m.corpus_from_cache ? ", cached" : "", seconds,
             m.threads, m.threads == 1 ? "" : "s");
  if (o.verify) fmt::print(stderr, "{}", prompt::verify_report(st));
  return kOk;
}

}  // namespace

void add_materialize(CLI::App& app, Action& action) {
  auto flags = std::make_shared<MaterializeFlags>();
  flags->reader.hash_id_check = "ignore";  // the block layout check covers hash id counts
  CLI::App* cmd = app.add_subcommand(
      "materialize",
      "Request bodies with real prompts for a Mooncake trace: corpus text for every hash id "
      "block, the same text for the same id, byte-identical across threads and shards "
      "(docs/materialize.md)");
  cmd->add_option("file", flags->input, "Input Mooncake JSONL trace, - for stdin")->required();
  flags::output(*cmd, flags->output, "Output requests (JSONL)");
  flags::tokenizer(*cmd, flags->tokenizer, "that the prompts are decoded with");
  cmd->add_option("--corpus", flags->corpus,
                  "UTF-8 text the prompts are cut from (default: the King James Bible text "
                  "scripts/setup builds)");
  flags::seed(*cmd, flags->options.seed, "Root seed (AIPerf's --random-seed)");
  cmd->add_option("--scope", flags->scope,
                  "Namespace of the block content (default: the first 16 hex digits of the "
                  "trace file's SHA-256, as AIPerf)");
  cmd->add_option("--model", flags->options.model, "The body's \"model\" (default: none)");
  cmd->add_option("--api", flags->api,
                  "chat (messages) or completions (prompt); default chat, completions with "
                  "--prompt-format tokens")
      ->check(CLI::IsMember({"chat", "completions"}));
  cmd->add_option("--prompt-format", flags->format, "Prompts as text or as token ids (tokens)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "tokens"}));
  flags::alias(*cmd, "--format", flags->format)->check(CLI::IsMember({"text", "tokens"}));
  cmd->add_option("--shard", flags->shard,
                  "i/N: only sessions i, i+N, ... (0-based); merge shards by \"index\"")
      ->capture_default_str();
  flags::threads(*cmd, flags->threads);
  cmd->add_flag("--verify", flags->options.verify,
                "Re-tokenize every built prompt and report how many change length");
  cmd->add_option("--cache-dir", flags->cache_dir, "Where tokenized corpora are cached")
      ->capture_default_str();
  cmd->add_flag("--no-cache", flags->no_cache, "Neither read nor write the corpus cache");
  flags->reader.add_to(*cmd, false);
  cmd->callback([flags, &action] { action = [flags] { return run_materialize(*flags); }; });
}

}  // namespace kvtrace::cli
