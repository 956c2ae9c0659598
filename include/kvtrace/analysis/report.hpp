#pragma once
// Renders AnalysisStats: the human table (AIPerf's rows and columns, plus kvtrace's extras)
// and JSON (AIPerf's `model_dump_json(indent=2)` layout and field names, then kvtrace's
// fields and the input accounting).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/core/json_writer.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::analysis {

struct ReportInput {
  std::string source;          // file name as given
  trace::ReaderCounts counts;  // what the reader saw, skipped and filtered
};

enum class JsonFields {
  kAll,     // AIPerf's fields, kvtrace's fields, and an "input" object
  kAiperf,  // exactly AIPerf's AnalysisStats fields, for byte-for-byte comparison
};

std::string render_json(const AnalysisStats& s, const ReportInput& input,
                        JsonFields fields = JsonFields::kAll);
std::string render_table(const AnalysisStats& s, const ReportInput& input);

// The server's measured cache hits beside kvtrace's prediction, as lines of the table ("" when
// no request carries cached_tokens).
std::string server_measured_line(const trace::MeasuredCache& m);

// Which percentiles a MetricStats member carries: AIPerf's quartiles, or kvtrace's p90 and
// p99 after them too.
enum class Percentiles { kQuartiles, kWithTails };

// A MetricStats member ({mean, std_dev, min, p25, median, p75, max[, p90, p99]}, or null).
void write_metric_stats(json::ObjectWriter& o, std::string_view key,
                        const std::optional<stats::MetricStats>& m,
                        Percentiles percentiles = Percentiles::kQuartiles);

// The JSON report (all fields) as CSV: one `statistic,value` row per number, the statistic
// named by its JSON path (`isl_stats.p90`, `arrivals.peak_1s`); null values left empty.
std::string render_csv(const AnalysisStats& s, const ReportInput& input);

}  // namespace kvtrace::analysis
