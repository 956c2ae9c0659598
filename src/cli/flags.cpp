#include "cli/flags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "cli/common.hpp"
#include "kvtrace/cache/model_memory.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/format.hpp"

namespace kvtrace::cli::flags {

CLI::Validator integer_range(std::uint64_t min, std::uint64_t max, bool describe) {
  CLI::Validator v(
      [min, max](std::string& text) -> std::string {
        const bool negative = !text.empty() && text.front() == '-';
        const std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
        if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                           [](char c) { return c >= '0' && c <= '9'; })) {
          return fmt::format("expected an integer, got {}", text);
        }
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        const bool below = negative && (value != 0 || ec != std::errc());
        if (!below && (ec != std::errc() || value > max)) {
          return fmt::format("must be at most {}, got {}", max, text);
        }
        if (below || value < min) return fmt::format("must be at least {}, got {}", min, text);
        text = std::to_string(value);
        return std::string();
      },
      describe ? fmt::format("UINT in [{} - {}]", min, max) : std::string());
  return v;
}

CLI::Option* block_size(CLI::App& app, std::uint32_t& value, const std::string& what) {
  return app.add_option("-b,--block-size", value, what)
      ->capture_default_str()
      ->transform(integer_range(1, kMaxBlockSize));
}

CLI::Option* trace_block_size(CLI::App& app, std::uint32_t& value) {
  CLI::Validator range = integer_range(1, kMaxBlockSize, false);
  const CLI::Validator auto_or_range(
      [range](std::string& text) mutable -> std::string {
        if (text == "auto") {
          text = "0";
          return {};
        }
        return range(text);
      },
      fmt::format("UINT in [1 - {}] or auto", kMaxBlockSize));
  return app
      .add_option("-b,--block-size", value,
                  "Tokens per KV-cache block (hash id); auto: the size the trace's hash_ids fit "
                  "(a format that records its size uses it unless this is given)")
      ->default_str(std::to_string(kDefaultBlockSize))
      ->transform(auto_or_range);
}

CLI::Option* format_in(CLI::App& app, std::string& value) {
  std::vector<std::string> names;
  for (const formats::Format f : formats::all_formats()) {
    names.emplace_back(formats::flag_name(f));
  }
  return app
      .add_option("--format-in", value,
                  "The input's format; auto tells Mooncake JSONL, Dynamo request traces, Bailian "
                  "traces and BurstGPT or Azure CSVs apart by their first line")
      ->capture_default_str()
      ->check(CLI::IsMember(names));
}

CLI::Option* seed(CLI::App& app, std::uint64_t& value, const std::string& what) {
  return app.add_option("--seed", value, what)
      ->capture_default_str()
      ->transform(integer_range(0, std::numeric_limits<std::uint64_t>::max(), false));
}

CLI::Option* threads(CLI::App& app, unsigned& value, const std::string& what) {
  return app.add_option("--threads", value, what + " (0: one per core)")
      ->capture_default_str()
      ->transform(integer_range(0, kMaxThreads));
}

CLI::Option* output(CLI::App& app, std::string& value, const std::string& what) {
  return app.add_option("-o,--output", value, what + "; - for stdout (parent folders are created)")
      ->capture_default_str();
}

CLI::Option* report_json(CLI::App& app, std::string& value) {
  return app.add_option("--report-json", value,
                        "Also write the JSON report to this file (parent folders are created)");
}

CLI::Option* format(CLI::App& app, std::string& value, const std::vector<std::string>& choices,
                    const std::string& what) {
  std::string names;
  for (const std::string& c : choices) names += (names.empty() ? "" : ", ") + c;
  return app
      .add_option("-f,--format", value,
                  names + ": " + what + ". Default: table on a terminal, json otherwise")
      ->check(CLI::IsMember(choices));
}

std::string resolve_format(const std::string& format, const std::string& output) {
  if (!format.empty()) return format;
  return output == "-" && stdout_is_tty() ? "table" : "json";
}

CLI::Option* tokenizer(CLI::App& app, std::string& value, const std::string& what) {
  return app.add_option("--tokenizer", value,
                        "tokenizer.json, tiktoken or SentencePiece file " + what +
                            " (default: the Qwen3 tokenizer scripts/setup installs)");
}

CLI::Option* speedup_ratio(CLI::App& app, double& value, const std::string& what) {
  return app.add_option("--speedup-ratio", value, what)->capture_default_str();
}

CLI::Option* capacity(CLI::App& app, std::uint64_t& value, const std::string& what) {
  return app.add_option("-c,--capacity", value, what)
      ->transform(integer_range(0, std::numeric_limits<std::uint64_t>::max(), false));
}

void kv_memory(CLI::App& app, KvMemory& value, const std::string& what) {
  app.add_option("--kv-bytes-per-token", value.bytes_per_token,
                 what + ": 2 * layers * kv_heads * head_dim * bytes per value")
      ->transform(integer_range(1, std::numeric_limits<std::uint64_t>::max(), false));
  app.add_option("--model-config", value.model_config,
                 what +
                     " from a Hugging Face config.json (GQA/MQA/MHA and MLA; "
                     "docs/simulate.md)");
  app.add_option("--kv-dtype", value.kv_dtype,
                 "With --model-config: the KV cache's dtype when it is not the model's "
                 "(fp8, bf16, fp16, fp32, int8)");
}

std::optional<std::uint64_t> KvMemory::resolve() const {
  if (!kv_dtype.empty() && model_config.empty()) {
    throw UsageError("--kv-dtype goes with --model-config");
  }
  if (model_config.empty()) return bytes_per_token;
  if (bytes_per_token) {
    throw UsageError("--kv-bytes-per-token and --model-config are alternatives: give one");
  }
  std::optional<cache::KvDtype> dtype;
  if (!kv_dtype.empty()) dtype = cache::parse_kv_dtype(kv_dtype);
  const cache::ModelKvLayout layout = cache::model_kv_layout_of_file(model_config, dtype);
  fmt::print(stderr, "kvtrace: KV bytes per token from {}: {}\n", model_config, layout.note);
  return layout.kv_bytes_per_token;
}

CLI::Option* prefill_tps(CLI::App& app, double& value, const std::string& what) {
  return app.add_option("--prefill-tps", value, what)->capture_default_str();
}

}  // namespace kvtrace::cli::flags
