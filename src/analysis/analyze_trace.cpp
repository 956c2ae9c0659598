#include "kvtrace/analysis/analyze_trace.hpp"

#include <future>

#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::analysis {
namespace {

// Requests read before the analyzer's arrays are sized from the file size.
constexpr std::uint64_t kSampleRequests = 4096;

}  // namespace

AnalysisStats analyze_trace(trace::TraceReader& reader) {
  PrefixAnalyzer analyzer(reader.options().block_size);
  WorkloadStats workload;
  bool reserved = false;
  trace::for_each_request(reader, "analyze", [&](const trace::RequestBatch& batch) {
    analyzer.add(batch.requests);
    for (const trace::Request& r : batch.requests) workload.add(r);
    if (!reserved && analyzer.requests() >= kSampleRequests) {
      reserved = true;
      workload.reserve(trace::extrapolate(reader, analyzer.requests(), batch.position));
      analyzer.reserve(trace::extrapolate(reader, analyzer.requests(), batch.position),
                       trace::extrapolate(reader, analyzer.blocks(), batch.position));
    }
  });
  // The workload's sorts beside the analyzer's own two halves.
  auto workload_done = std::async(std::launch::async, [&] { return workload.finish(); });
  AnalysisStats stats = analyzer.finish();
  stats.workload = workload_done.get();
  return stats;
}

}  // namespace kvtrace::analysis
