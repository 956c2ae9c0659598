// analyze: kvtrace analyze's report (docs/analyze.md) from Python.

#include <pybind11/stl.h>

#include "kvtrace/analysis/analyze_trace.hpp"
#include "kvtrace/analysis/report.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {

void bind_analysis(py::module_& m) {
  m.def(
      "analyze_json",
      [](const std::string& path, py::object block_size, std::string format_in, bool skip_invalid,
         std::optional<double> start_ms, std::optional<double> end_ms, std::string hash_id_check) {
        const ResolvedOpen opening = resolve(path, {block_size, std::move(format_in), skip_invalid,
                                                    start_ms, end_ms, std::move(hash_id_check)});
        return run_interruptible([&](const std::atomic<bool>* stop) {
          const std::unique_ptr<trace::TraceReader> reader = open_resolved(opening, stop);
          const analysis::AnalysisStats stats = analysis::analyze_trace(*reader);
          return analysis::render_json(stats, {path, reader->counts()});
        });
      },
      py::arg("path"), py::kw_only(), py::arg("block_size") = py::none(),
      py::arg("format_in") = "auto", py::arg("skip_invalid") = false,
      py::arg("start_ms") = py::none(), py::arg("end_ms") = py::none(),
      py::arg("hash_id_check") = "warn",
      (std::string("kvtrace analyze --format json of a trace, as text (kvtrace.analyze "
                   "parses it).") +
       kOpenOptionsDoc)
          .c_str());
}

}  // namespace kvtrace::python
