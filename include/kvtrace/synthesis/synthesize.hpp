#pragma once
// kvtrace synthesize's one library call (docs/synthesize.md): a whole trace read into memory,
// then rewritten (AIPerf's per-request rewrite, or its byte-for-byte compatible variant) or
// learned and sampled, each resulting request handed to a sink in output order; with the
// fidelity report of input against output when asked.

#include <cstdint>
#include <optional>
#include <string>

#include "kvtrace/synthesis/fidelity.hpp"
#include "kvtrace/synthesis/sample_mode.hpp"
#include "kvtrace/synthesis/synthesis_params.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::synthesis {

struct SynthesizeOptions {
  SynthesisParams params;                     // its block_size is the reader's
  bool sample = false;                        // sample mode; else rewrite mode
  std::optional<std::uint64_t> num_requests;  // sample mode; none: as many as the input
  bool aiperf_compat = false;                 // rewrite mode only
  bool fidelity = false;                      // also compare the output with the input
};

struct SynthesizeResult {
  // What to tell the user once the output is written: the "kvtrace: ..." summary line, then
  // rewrite_notes' lines.
  std::string summary;
  std::optional<FidelityReport> fidelity;  // when SynthesizeOptions::fidelity
};

// Synthesizes from the trace of `reader` (progress, the reader's notes and the error for a
// trace without requests as trace::for_each_request), handing each request to `sink`.
// UsageError for bad params, num_requests in rewrite mode or aiperf_compat in sample mode,
// before the trace is read; InputError as rewrite_trace.
SynthesizeResult synthesize(trace::TraceReader& reader, const SynthesizeOptions& options,
                            const RequestSink& sink);

}  // namespace kvtrace::synthesis
