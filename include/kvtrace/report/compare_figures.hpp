#pragma once
// The "Compare" section: two traces' distributions overlaid, with the KS statistic and
// Wasserstein-1 distance of `kvtrace compare` beside them: the picture that tells whether a
// synthetic trace is faithful to its source.

#include "kvtrace/report/figure.hpp"
#include "kvtrace/report/trace_figures.hpp"

namespace kvtrace::report {

Section compare_section(const TraceData& a, const TraceData& b);

}  // namespace kvtrace::report
