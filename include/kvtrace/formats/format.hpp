#pragma once
// The trace formats kvtrace reads (docs/formats.md) and their names on the command line
// (`--format-in`).

#include <optional>
#include <span>
#include <string_view>

namespace kvtrace::formats {

enum class Format {
  kAuto,      // chosen from the input's first line (detect_input)
  kMooncake,  // Mooncake JSONL, kvtrace's own
  kDynamo,    // Dynamo request trace (schema dynamo.request.trace.v1)
  kBailian,   // Alibaba Bailian / Qwen trace (qwen_traceA/B)
  kBurstGpt,  // BurstGPT CSV
  kAzure,     // Azure LLM inference trace CSV
};

// The command-line name: "auto", "mooncake", "dynamo", "bailian", "burstgpt", "azure".
std::string_view flag_name(Format format);
// What the format is called in messages, e.g. "a Dynamo request trace".
std::string_view description(Format format);
// Every format, kAuto first, in the order of the names above.
std::span<const Format> all_formats();
// The format named `name` (a flag_name), or nullopt.
std::optional<Format> parse_format(std::string_view name);

}  // namespace kvtrace::formats
