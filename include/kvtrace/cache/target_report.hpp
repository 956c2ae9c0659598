#pragma once
// A capacity answer in words (table), as JSON or as CSV (docs/simulate.md, "Capacity for a
// target"): from the one-pass curve (solve_on_curve) or from simulations (solve_by_sweep).
// Both give the capacity per worker in blocks, tokens and, with KV bytes per token, GiB per
// worker and in all; the rate it reaches and its share of the ideal. The CSV is a header and
// one row, one value per column; the sweep's JSON also lists every probe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvtrace/cache/cluster_sim.hpp"
#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/cache/report.hpp"
#include "kvtrace/cache/sweep_target.hpp"
#include "kvtrace/cache/target.hpp"

namespace kvtrace::cache {

// The answer on `curve` (lru, one worker or `scope.workers` behind a cache-independent
// router). UsageError for an unknown format.
std::string render_target(std::string_view format, std::string_view source,
                          const TargetAnswer& answer, const HitCurve& curve,
                          const CurveScope& scope, std::optional<std::uint64_t> kv_bytes_per_token);

// The answer of solve_by_sweep for the settings `base`, with what the search did: how close
// the answer is (the largest probe below it misses), the seeds' spread, where the rate fell
// as capacity grew, and (table and JSON) the probes.
std::string render_sweep_target(std::string_view format, std::string_view source,
                                const SweepTargetAnswer& answer, const SimConfig& base,
                                std::optional<std::uint64_t> kv_bytes_per_token);

}  // namespace kvtrace::cache
