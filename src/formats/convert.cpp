#include "kvtrace/formats/convert.hpp"

#include <string>

#include "formats/distinct_ids.hpp"

#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/reblock.hpp"
#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::formats {

ConvertStats convert(trace::TraceReader& reader, trace::TraceWriter& writer,
                     const ConvertOptions& options) {
  ConvertStats st;
  st.block_size_in = reader.options().block_size;
  st.block_size_out = options.block_size_out.value_or(st.block_size_in);
  if (st.block_size_out % st.block_size_in != 0) {
    throw UsageError("--block-size-out " + std::to_string(st.block_size_out) +
                     " is not a multiple of the trace's block size " +
                     std::to_string(st.block_size_in) +
                     ": a new block would cut one of the trace's, whose tokens' sharing is "
                     "unknown");
  }
  const std::uint32_t factor = st.block_size_out / st.block_size_in;
  Reblocker reblocker(factor);
  DistinctIds ids;  // ids written, without re-blocking
  std::vector<std::uint64_t> reblocked;
  st.requests = trace::for_each_request(reader, "convert", [&](const trace::RequestBatch& batch) {
    for (trace::Request& r : batch.requests) {
      if (r.hash_ids && factor > 1) {
        reblocker.reblock(*r.hash_ids, reblocked);
        r.hash_ids->swap(reblocked);
      } else if (r.hash_ids) {
        ids.add(*r.hash_ids);
      }
      writer.write(r);
    }
  });
  writer.close();
  st.ids_out = factor > 1 ? reblocker.new_ids() : ids.count();
  return st;
}

}  // namespace kvtrace::formats
