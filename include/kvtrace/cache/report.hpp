#pragma once
// The reports of kvtrace simulate (docs/simulate.md): a sweep's runs (sweep.hpp) as a table
// for people, JSON with every field (each worker too) or CSV with one row per run; lru's hit
// curve the same three ways at a few capacities; and one run's requests as CSV. `source`
// names the trace the runs read. Each renderer returns the whole text, newline-terminated.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/cache/cluster_sim.hpp"
#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/cache/sweep.hpp"
#include "kvtrace/cache/target.hpp"
#include "kvtrace/cache/tiers.hpp"

namespace kvtrace::cache {

// A header of the trace and the settings the runs share (the first run's), then a row per
// run; UsageError when `runs` is empty (as for the other runs_* renderers). Runs with their
// ideal (Run::ideal) also show each rate's share of it ("of ideal"); with
// `kv_bytes_per_token`, each capacity also in GiB per worker and in all.
std::string runs_table(std::string_view source, std::span<const Run> runs,
                       std::optional<std::uint64_t> kv_bytes_per_token = std::nullopt);
std::string runs_json(std::string_view source, std::span<const Run> runs,
                      std::optional<std::uint64_t> kv_bytes_per_token = std::nullopt);
std::string runs_csv(std::span<const Run> runs,
                     std::optional<std::uint64_t> kv_bytes_per_token = std::nullopt);

// A sweep's runs in `format`: "table" (runs_table), "json" (runs_json) or "csv" (runs_csv);
// UsageError for another format.
std::string render_runs(std::string_view format, std::string_view source, std::span<const Run> runs,
                        std::optional<std::uint64_t> kv_bytes_per_token = std::nullopt);

// GiB of KV memory that `blocks` blocks of `block_size` tokens take at `kv_bytes_per_token`.
double gib_of_blocks(std::uint64_t blocks, std::uint32_t block_size,
                     std::uint64_t kv_bytes_per_token);

// What to know before a sweep whose router weighs the workers' load where nothing is ever in
// flight (several workers, no timing model, a least-loaded or kv-aware router): one
// "kvtrace: note: ..." line with its newline; empty for other sweeps.
std::string load_term_note(const SweepOptions& options);

// The capacities a curve shows: `points` of them spaced evenly on a log scale from 1 to
// `distinct` (the distinct blocks, where the curve ends), or every capacity 1..distinct
// when points is 0 or at least distinct; {0} for a trace without blocks.
std::vector<std::uint64_t> curve_capacities(std::uint64_t distinct, std::uint32_t points);

// What a curve covers: lru on one worker, or on each of `workers` behind `router` (then
// capacities are per worker and the hits the cluster's: ClusterCurve::total).
struct CurveScope {
  std::uint32_t workers = 1;
  RouterKind router = RouterKind::kRoundRobin;
  // lru, or lineage when the curve's ids all name their prefix (HitCurve::other_parent_uses
  // is 0: then lineage evicts as lru does).
  Policy policy = Policy::kLru;
};

// The curve at curve_capacities(curve.distinct_blocks, points).
std::string curve_table(std::string_view source, const HitCurve& curve, std::uint32_t points,
                        const CurveScope& scope = {});
std::string curve_json(std::string_view source, const HitCurve& curve, std::uint32_t points,
                       const CurveScope& scope = {});
std::string curve_csv(const HitCurve& curve, std::uint32_t points);
// The curve in `format`, as render_runs.
std::string render_curve(std::string_view format, std::string_view source, const HitCurve& curve,
                         std::uint32_t points, const CurveScope& scope = {});

// Memory tiers' hits (tiers_from_curve on `curve`): a row per tier and one for all, with each
// tier's capacity in GiB (with `kv_bytes_per_token`) and the prefill time it saves. The table
// says when the split between tiers is not exact (HitCurve::other_parent_uses).
std::string render_tiers(std::string_view format, std::string_view source,
                         std::span<const TierSpec> specs, const TiersAnswer& answer,
                         const HitCurve& curve, const CurveScope& scope,
                         std::optional<std::uint64_t> kv_bytes_per_token,
                         std::optional<double> prefill_tokens_per_s);

// One run's requests, a row each: line, worker, blocks, hits, tokens, and with timing when
// each started and ended.
class PerRequestCsv {
 public:
  explicit PerRequestCsv(bool timing);
  void add(std::uint64_t line, const RequestResult& r);
  // add() as run_sweep's per-request sink; the sink refers to this object.
  RequestSink sink() {
    return [this](std::uint64_t line, const RequestResult& r) { add(line, r); };
  }
  const std::string& text() const { return text_; }

 private:
  bool timing_;
  std::string text_;
};

}  // namespace kvtrace::cache
