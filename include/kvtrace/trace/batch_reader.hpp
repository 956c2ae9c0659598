#pragma once
// Parses a trace on a background thread while the caller works on the requests already
// parsed: reading and JSON parsing overlap with the caller's analysis. Requests reach the
// caller in file order, in batches whose storage is reused (no allocation per request once
// the batches have grown).

#include <cstdint>
#include <functional>
#include <span>

#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::trace {

// What the consumer gets for each batch, in file order. It may move the requests out: the
// reader refills moved-from requests on its own thread.
struct RequestBatch {
  std::span<Request> requests;
  std::span<const std::uint64_t> lines;  // the 1-based line of each request
  // Input byte offset just after the batch's last line (TraceReader::input_position(): in
  // compressed bytes for compressed input), for progress and extrapolation from total_bytes().
  std::uint64_t position = 0;
};

using BatchConsumer = std::function<void(const RequestBatch& batch)>;

// Reads all of `reader` and hands it to `consume`. An exception from the reader (e.g. the
// InputError of a bad line) is rethrown here after the batches before it were consumed; an
// exception from `consume` stops the reader and is rethrown. The reader's counts are final
// when this returns.
void read_batched(TraceReader& reader, const BatchConsumer& consume, std::size_t batch_size = 256);

}  // namespace kvtrace::trace
