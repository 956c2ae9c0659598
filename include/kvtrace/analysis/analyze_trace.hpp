#pragma once
// kvtrace analyze as one library call: every request of a trace through a PrefixAnalyzer, with
// the pass that every tool makes (trace::for_each_request: progress, the reader's notes, the
// error for a trace without requests). The command line and the Python package call it.

#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::analysis {

// The statistics of the trace of `reader`, at the reader's block size. The analyzer's arrays
// are sized once, from the first requests and the file size.
AnalysisStats analyze_trace(trace::TraceReader& reader);

}  // namespace kvtrace::analysis
