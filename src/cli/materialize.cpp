// kvtrace materialize: a trace's requests as request bodies with real prompts
// (docs/materialize.md).

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/output_file.hpp"
#include "kvtrace/prompt/corpus.hpp"
#include "kvtrace/prompt/materialize_trace.hpp"

namespace kvtrace::cli {
namespace {

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

int run_materialize(const MaterializeFlags& f) {
  prompt::MaterializeTraceOptions o;
  o.options = f.options;
  o.options.shard = prompt::Shard::parse(f.shard);
  o.options.format =
      f.format == "tokens" ? prompt::PromptFormat::kTokens : prompt::PromptFormat::kText;
  if (!f.api.empty()) o.api = f.api == "chat" ? prompt::Api::kChat : prompt::Api::kCompletions;
  if (f.scope) {
    o.options.scope = *f.scope;
  } else if (f.input == "-") {
    throw UsageError(
        "give --scope when reading stdin: the default scope is the trace file's "
        "SHA-256 prefix");
  } else {
    o.options.scope = prompt::trace_scope(f.input);
  }
  o.tokenizer_path =
      !f.tokenizer.empty() ? f.tokenizer : installed_default(kDefaultTokenizer, "--tokenizer");
  o.corpus_path =
      !f.corpus.empty() ? f.corpus : installed_default(prompt::kInstalledCorpus, "--corpus");
  o.cache_dir = f.no_cache ? "" : f.cache_dir;
  o.threads = f.threads;

  std::optional<core::OutputFile> out;
  o.on_checked = [&] { out.emplace(f.output); };
  const std::unique_ptr<trace::TraceReader> reader = f.reader.open(f.input);
  const prompt::MaterializeTraceResult m =
      prompt::materialize_trace(*reader, o, [&](std::string_view text) { out->write(text); });
  out->close();
  fmt::print(stderr, "{}", m.summary);
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
