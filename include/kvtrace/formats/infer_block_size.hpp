#pragma once
// `--block-size auto` for Mooncake JSONL: the block sizes that the requests at the start of
// a trace fit (trace::BlockSizeFit), read before the trace itself is, so that a streaming
// pass can use the size from its first request. The reader still checks every request
// against the size chosen (TraceReader).

#include <cstddef>
#include <string_view>

#include "kvtrace/trace/block_size_fit.hpp"

namespace kvtrace::formats {

// How much of a trace's start auto looks at.
inline constexpr std::size_t kInferBlockSizeBytes = std::size_t{2} << 20;

// The fit of the requests in `head`, the first bytes of a Mooncake JSONL input (its last
// line is left out when `cut` says the head stops inside the input). Lines that do not
// parse, or lack input_length or hash_ids, are passed over: the reader reports them.
trace::BlockSizeFit fit_of_head(std::string_view head, bool cut);

}  // namespace kvtrace::formats
