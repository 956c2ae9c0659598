#pragma once
// `kvtrace convert`: any trace kvtrace reads -> canonical Mooncake JSONL (trace::TraceWriter),
// optionally re-blocked to a larger block size (Reblocker).

#include <cstdint>
#include <optional>

#include "kvtrace/trace/trace_reader.hpp"
#include "kvtrace/trace/trace_writer.hpp"

namespace kvtrace::formats {

struct ConvertOptions {
  // Tokens per block of the output; a multiple of the input's (UsageError otherwise).
  std::optional<std::uint32_t> block_size_out;
};

struct ConvertStats {
  std::uint64_t requests = 0;
  std::uint32_t block_size_in = 0;
  std::uint32_t block_size_out = 0;
  std::uint64_t ids_out = 0;  // distinct hash ids written (after re-blocking, when asked)
};

// Reads every request of `reader` (trace::for_each_request: progress, the reader's notes,
// an error for a trace without requests) and writes it to `writer`, which it closes.
ConvertStats convert(trace::TraceReader& reader, trace::TraceWriter& writer,
                     const ConvertOptions& options);

}  // namespace kvtrace::formats
