#pragma once
// The RequestSource of BurstGPT CSVs (HPMLL/BurstGPT; docs/formats.md): Timestamp (seconds),
// Request tokens, Response tokens, Model and Log Type; rows with 0 Response tokens are failed
// requests, counted and not read.

#include <cstdint>
#include <memory>

#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::formats {

// Reads `input` (its header first). Each block of `block_size` tokens gets an id of its own.
std::unique_ptr<trace::RequestSource> burstgpt_source(std::unique_ptr<trace::LineReader> input,
                                                      std::uint32_t block_size);

}  // namespace kvtrace::formats
