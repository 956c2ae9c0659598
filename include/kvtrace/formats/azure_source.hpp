#pragma once
// The RequestSource of the Azure LLM inference traces (Azure/AzurePublicDataset, 2023 and
// 2024; docs/formats.md): TIMESTAMP (a datetime), ContextTokens, GeneratedTokens.

#include <cstdint>
#include <memory>

#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::formats {

// Reads `input` (its header first). Each block of `block_size` tokens gets an id of its own.
std::unique_ptr<trace::RequestSource> azure_source(std::unique_ptr<trace::LineReader> input,
                                                   std::uint32_t block_size);

}  // namespace kvtrace::formats
