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

// Called on the caller's thread for each batch, in file order; `position` is the input's byte
// offset just after the batch's last line (for progress and size estimates).
using BatchConsumer = std::function<void(std::span<const Request> batch, std::uint64_t position)>;

// Reads all of `reader` and hands it to `consume`. An exception from the reader (e.g. the
// InputError of a bad line) is rethrown here after the batches before it were consumed; an
// exception from `consume` stops the reader and is rethrown. The reader's counts are final
// when this returns.
void read_batched(TraceReader& reader, const BatchConsumer& consume, std::size_t batch_size = 256);

}  // namespace kvtrace::trace
