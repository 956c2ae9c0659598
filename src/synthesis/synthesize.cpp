#include "kvtrace/synthesis/synthesize.hpp"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/synthesis/rewrite.hpp"
#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::synthesis {

SynthesizeResult synthesize(trace::TraceReader& reader, const SynthesizeOptions& o,
                            const RequestSink& sink) {
  SynthesisParams params = o.params;
  params.block_size = reader.options().block_size;
  params.validate();
  if (o.sample && o.aiperf_compat) {
    throw UsageError("--aiperf-compat applies to rewrite mode only (AIPerf has no sample mode)");
  }
  if (!o.sample && o.num_requests) {
    throw UsageError("--num-requests needs --mode sample (rewrite keeps the input's requests)");
  }
  std::vector<std::uint64_t> lines;
  std::vector<trace::Request> requests = trace::read_requests(reader, "synthesize", &lines);
  std::optional<TraceProfile> before;
  if (o.fidelity) before = profile_trace(requests, params.block_size);

  SynthesizeResult result;
  std::vector<trace::Request> generated;  // kept only for the report
  std::optional<std::uint64_t> asked;
  if (o.sample) {
    const std::uint64_t n = o.num_requests.value_or(requests.size());
    asked = n;
    const SampleStats st = sample_trace(requests, params, n, [&](const trace::Request& r) {
      sink(r);
      if (o.fidelity) generated.push_back(r);
    });
    result.summary = fmt::format(
        "kvtrace: generated {} requests from {} (sample mode: {} shared prefix blocks learned, "
        "{} pass{} over the input's sessions, seed {})\n",
        st.generated, st.learned_requests, st.core_nodes, st.epochs, st.epochs == 1 ? "" : "es",
        params.seed);
  } else {
    const auto mode = o.aiperf_compat ? RewriteMode::kAiperfCompat : RewriteMode::kKvtrace;
    const RewriteStats st = rewrite_trace(requests, params, mode, reader.name(), lines);
    for (const trace::Request& r : requests) sink(r);
    result.summary = fmt::format("kvtrace: synthesized {} requests from {} (rewrite{}, seed {})\n",
                                 requests.size(), st.requests_in,
                                 o.aiperf_compat ? ", AIPerf-compatible" : "", params.seed) +
                     rewrite_notes(st, params);
    if (o.fidelity) generated = std::move(requests);
  }
  if (before) {
    result.fidelity = compare_traces(std::move(*before),
                                     profile_trace(generated, params.block_size), &params, asked);
  }
  return result;
}

}  // namespace kvtrace::synthesis
