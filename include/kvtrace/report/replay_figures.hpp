#pragma once
// The "Replay" section, from a kvtrace replay --output-dir: the latency CDFs (TTFT, ITL,
// TPOT, E2E) with the run's SLO bounds marked, latency and throughput over time, the
// scheduler's lateness, and errors by kind over time; the replay's summary table above them.

#include "kvtrace/replay/results.hpp"
#include "kvtrace/report/figure.hpp"

namespace kvtrace::report {

Section replay_section(const replay::RunResults& run, const std::string& dir);

}  // namespace kvtrace::report
