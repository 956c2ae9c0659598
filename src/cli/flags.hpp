#pragma once
// The flags several subcommands share, declared once so that each concept has one name, short
// form, range and default everywhere (docs/cli.md, "Flag vocabulary"). A renamed flag stays
// as a hidden alias where this repo's docs or scripts used it.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kvtrace::cli::flags {

inline constexpr std::uint32_t kDefaultBlockSize = 512;
inline constexpr std::uint32_t kMaxBlockSize = 1u << 30;
inline constexpr std::uint64_t kDefaultSeed = 42;
inline constexpr unsigned kMaxThreads = 4096;

// The check of an integer flag: a plain decimal integer in [min, max], else the flag's range
// error in the library's words ("--port: must be at most 65535, got 65536"). CLI11 alone reads
// 010 as octal, -1 as 2^64-1 for an unsigned flag, and says "Could not convert" or "At Most 1
// required" for a value past its type. A transform: the value reaches CLI11 in plain decimal.
// `describe`: show "UINT in [min - max]" in the help, as CLI::Range did.
CLI::Validator integer_range(std::uint64_t min, std::uint64_t max, bool describe = true);

// -b,--block-size N: tokens per KV-cache block (hash id); 1 .. 2^30, default 512.
CLI::Option* block_size(CLI::App& app, std::uint32_t& value,
                        const std::string& what = "Tokens per KV-cache block (hash id)");
// -b,--block-size N|auto for a trace read by a trace command: `auto` stores 0 (the size the
// trace's lines fit, ReaderOptions::block_size_auto).
CLI::Option* trace_block_size(CLI::App& app, std::uint32_t& value);
// --format-in NAME: the input trace's format (formats::Format), default auto.
CLI::Option* format_in(CLI::App& app, std::string& value);
// --seed N: root seed of the subcommand's random draws, default 42.
CLI::Option* seed(CLI::App& app, std::uint64_t& value, const std::string& what);
// --threads N: worker threads, 0 (the default) = one per core.
CLI::Option* threads(CLI::App& app, unsigned& value, const std::string& what = "Worker threads");
// -o,--output FILE: where the subcommand's main output goes; - (the default) is stdout.
CLI::Option* output(CLI::App& app, std::string& value, const std::string& what);
// --report-json FILE: also write the JSON report to FILE.
CLI::Option* report_json(CLI::App& app, std::string& value);
// -f,--format NAME: the report's format, one of `choices`; empty (the default) means table
// when the output is a terminal and json otherwise (resolve_format).
CLI::Option* format(CLI::App& app, std::string& value, const std::vector<std::string>& choices,
                    const std::string& what);
std::string resolve_format(const std::string& format, const std::string& output);
// --tokenizer FILE: tokenizer.json, tiktoken or SentencePiece file; default the installed Qwen3.
CLI::Option* tokenizer(CLI::App& app, std::string& value, const std::string& what);
// --speedup-ratio R: divide timestamps (and delays) by R (AIPerf's name).
CLI::Option* speedup_ratio(CLI::App& app, double& value, const std::string& what);
// -c,--capacity BLOCKS and -p,--policy lru|lineage|fifo: the KV cache of one worker.
CLI::Option* capacity(CLI::App& app, std::uint64_t& value, const std::string& what);
// The model's KV cache bytes per token: --kv-bytes-per-token B (at least 1), or
// --model-config FILE (a Hugging Face config.json, cache::model_kv_layout) with --kv-dtype
// NAME when the cache's dtype is not the model's.
struct KvMemory {
  std::optional<std::uint64_t> bytes_per_token;
  std::string model_config;
  std::string kv_dtype;
  // The bytes given, or worked out from the config (its working then goes to stderr); none
  // when neither flag is given. UsageError for both, or --kv-dtype without --model-config;
  // the config's InputError or IoError.
  std::optional<std::uint64_t> resolve() const;
};
void kv_memory(CLI::App& app, KvMemory& value, const std::string& what);
// --prefill-tps and --decode-tps: tokens/s of one request.
CLI::Option* prefill_tps(CLI::App& app, double& value, const std::string& what);

// A hidden alias: `name` sets the same value as the flag it was renamed to.
template <typename T>
CLI::Option* alias(CLI::App& app, const std::string& name, T& value) {
  return app.add_option(name, value)->group("");
}

}  // namespace kvtrace::cli::flags
