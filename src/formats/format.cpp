#include "kvtrace/formats/format.hpp"

#include <array>

namespace kvtrace::formats {

namespace {

struct Entry {
  Format format;
  std::string_view name;
  std::string_view description;
};

constexpr std::array kEntries{
    Entry{Format::kAuto, "auto", "a trace of any format kvtrace reads"},
    Entry{Format::kMooncake, "mooncake", "a Mooncake JSONL trace"},
    Entry{Format::kDynamo, "dynamo", "a Dynamo request trace"},
    Entry{Format::kBailian, "bailian", "a Bailian (Qwen) trace"},
    Entry{Format::kBurstGpt, "burstgpt", "a BurstGPT CSV"},
    Entry{Format::kAzure, "azure", "an Azure LLM inference CSV"},
};

constexpr std::array kFormats{Format::kAuto,    Format::kMooncake, Format::kDynamo,
                              Format::kBailian, Format::kBurstGpt, Format::kAzure};

const Entry& entry(Format format) {
  for (const Entry& e : kEntries) {
    if (e.format == format) return e;
  }
  return kEntries.front();
}

}  // namespace

std::string_view flag_name(Format format) {
  return entry(format).name;
}

std::string_view description(Format format) {
  return entry(format).description;
}

std::span<const Format> all_formats() {
  return kFormats;
}

std::optional<Format> parse_format(std::string_view name) {
  for (const Entry& e : kEntries) {
    if (e.name == name) return e.format;
  }
  return std::nullopt;
}

}  // namespace kvtrace::formats
