// kvtrace materialize: a trace's requests as request bodies with real prompts
// (docs/materialize.md).

#include <fmt/format.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

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

// The re-encoding check: how many prompts change length, and by how much.
void print_verify(const prompt::MaterializeStats& st) {
  std::uint64_t checked = 0;
  std::int64_t sum = 0;
  for (const auto& [diff, n] : st.reencode_diff) {
    checked += n;
    sum += diff * static_cast<std::int64_t>(n);
  }
  if (checked == 0) {
    fmt::print(stderr, "kvtrace: verify: no prompt was built from the corpus\n");
    return;
  }
  const auto zero = st.reencode_diff.find(0);
  const std::uint64_t exact = zero == st.reencode_diff.end() ? 0 : zero->second;
  // The median of the differences, from the sorted histogram.
  std::int64_t median = 0;
  std::uint64_t seen = 0;
  for (const auto& [diff, n] : st.reencode_diff) {
    seen += n;
    if (2 * seen >= checked) {
      median = diff;
      break;
    }
  }
  fmt::print(stderr,
             "kvtrace: verify: {} of {} built prompts re-tokenize to another length than the "
             "tokens they were decoded from; re-encoded minus built tokens: min {}, median {}, "
             "mean {:.2f}, max {}; in all {:+} of {} tokens ({:+.4f}%)\n",
             checked - exact, checked, st.reencode_diff.begin()->first, median,
             static_cast<double>(sum) / static_cast<double>(checked),
             st.reencode_diff.rbegin()->first, sum, st.prompt_tokens,
             100.0 * static_cast<double>(sum) / static_cast<double>(st.prompt_tokens));
  std::string dist;
  for (const auto& [diff, n] : st.reencode_diff) {
    dist += fmt::format("{}{:+}: {}", dist.empty() ? "" : ", ", diff, n);
  }
  fmt::print(stderr, "kvtrace: verify: prompts by difference: {}\n", dist);
}

int run_materialize(MaterializeFlags& f) {
  const auto started = std::chrono::steady_clock::now();
  auto& o = f.options;
  o.block_size = f.reader.block_size;
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
  trace::TraceReader reader(f.input, f.reader.options());
  std::vector<std::uint64_t> lines;
  const std::vector<trace::Request> requests = read_requests(reader, "materialize", &lines);
  const prompt::Materializer materializer(requests, lines, reader.name(), o);

  const std::unique_ptr<tokenizer::Tokenizer> tok = tokenizer::load_tokenizer(tokenizer_path);
  const int threads =
      f.threads > 0 ? static_cast<int>(f.threads) : tbb::info::default_concurrency();
  tbb::task_arena arena(threads);
  core::OutputFile out(f.output);
  prompt::MaterializeStats st;
  std::optional<prompt::Corpus> corpus;
  arena.execute([&] {
    corpus = prompt::Corpus::load(corpus_path, *tok, f.no_cache ? "" : f.cache_dir);
    st = materializer.run(*tok, corpus->tokens(), [&](std::string_view text) { out.write(text); });
  });
  out.close();
  if (!corpus->cache_warning().empty()) {
    fmt::print(stderr, "kvtrace: warning: corpus cache not used: {}\n", corpus->cache_warning());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print(stderr,
             "kvtrace: materialized {} of {} requests{} ({} prompts built from {} blocks, {} "
             "tokens; {} passed through) with seed {}, scope \"{}\", corpus {} ({} tokens{}) in "
             "{:.1f} s on {} thread{}\n",
             st.requests, requests.size(),
             o.shard.count > 1 ? fmt::format(" (shard {}/{})", o.shard.index, o.shard.count) : "",
             st.synthesized, st.blocks, st.prompt_tokens, st.passthrough, o.seed, o.scope,
             corpus_path, corpus->size(), corpus->from_cache() ? ", cached" : "", seconds, threads,
             threads == 1 ? "" : "s");
  if (o.verify) print_verify(st);
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
