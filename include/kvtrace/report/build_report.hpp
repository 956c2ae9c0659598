#pragma once
// kvtrace report as one library call: the trace read once (its statistics, distributions,
// arrivals, sharing and, when asked, its lru curve), a second trace to compare with and a
// replay's results, turned into the report's sections. render_page() makes the HTML of it,
// export_images() its figures as files.

#include <optional>
#include <string>

#include "kvtrace/formats/format.hpp"
#include "kvtrace/report/figure.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::report {

struct ReportOptions {
  std::string trace;                   // any format kvtrace reads; "-" is stdin
  std::optional<std::string> compare;  // a second trace, e.g. a synthetic one
  std::optional<std::string> replay;   // a kvtrace replay --output-dir
  bool simulate_curve = false;         // the "Cache" section (lru hit rate of every capacity)
  std::optional<std::uint64_t> kv_bytes_per_token;  // capacity in GiB as well as in blocks
  std::string title;                                // default: "kvtrace report: <trace>"
  trace::ReaderOptions reader;                      // for both traces
  formats::Format format = formats::Format::kAuto;
};

// Throws what reading the inputs throws (IoError, InputError), UsageError for bad options.
Report build_report(const ReportOptions& options);

}  // namespace kvtrace::report
