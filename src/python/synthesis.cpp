// synthesize from Python: kvtrace synthesize's library call (docs/synthesize.md), writing a
// file and/or giving the trace as columns.

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <cstdio>
#include <optional>
#include <string>

#include "kvtrace/core/error.hpp"
#include "kvtrace/synthesis/synthesize.hpp"
#include "kvtrace/trace/trace_writer.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {
namespace {

// (read_trace's dict of the output or None, the fidelity report's JSON or None).
py::tuple synthesize(const std::string& path, const OpenOptions& open,
                     const synthesis::SynthesizeOptions& options,
                     const std::optional<std::string>& output, bool keep) {
  const ResolvedOpen opening = resolve(path, open);
  TraceColumns columns;
  std::uint64_t written = 0;
  std::uint32_t block_size = 0;
  std::optional<std::string> fidelity;
  run_interruptible([&](const std::atomic<bool>* stop) {
    const std::unique_ptr<trace::TraceReader> reader = open_resolved(opening, stop);
    block_size = reader->options().block_size;
    std::optional<trace::TraceWriter> writer;  // opened at the first request, as the CLI's
    const synthesis::SynthesizeResult result =
        synthesis::synthesize(*reader, options, [&](const trace::Request& r) {
          if (*stop) throw Interrupted("synthesize: stopped");
          if (output) {
            if (!writer) writer.emplace(*output);
            writer->write(r);
          }
          if (keep) columns.add(r, ++written);
        });
    if (output) {
      if (!writer) writer.emplace(*output);
      writer->close();
    }
    fmt::print(stderr, "{}", result.summary);
    if (result.fidelity) fidelity = synthesis::render_fidelity_json(*result.fidelity);
    return 0;
  });
  py::object trace = py::none();
  if (keep) trace = std::move(columns).to_dict(block_size, "Mooncake JSONL");
  return py::make_tuple(trace, fidelity);
}

}  // namespace

void bind_synthesis(py::module_& m) {
  m.def(
      "synthesize",
      [](const std::string& path, std::optional<std::string> output, bool keep,
         const std::string& mode, std::optional<std::uint64_t> num_requests, double speedup_ratio,
         double prefix_len_multiplier, std::int64_t prefix_root_multiplier,
         double prompt_len_multiplier, double output_len_multiplier,
         std::optional<std::int64_t> max_isl, std::optional<std::int64_t> max_osl,
         std::uint64_t seed, bool aiperf_compat, bool report, py::object block_size,
         std::string format_in, bool skip_invalid, std::optional<double> start_ms,
         std::optional<double> end_ms, std::string hash_id_check) {
        if (mode != "rewrite" && mode != "sample") {
          throw UsageError("mode", "expected \"rewrite\" or \"sample\"");
        }
        if (num_requests && *num_requests == 0) {
          throw UsageError("num_requests", "must be at least 1");
        }
        synthesis::SynthesizeOptions o;
        o.params.speedup_ratio = speedup_ratio;
        o.params.prefix_len_multiplier = prefix_len_multiplier;
        o.params.prefix_root_multiplier = prefix_root_multiplier;
        o.params.prompt_len_multiplier = prompt_len_multiplier;
        o.params.output_len_multiplier = output_len_multiplier;
        o.params.max_isl = max_isl;
        o.params.max_osl = max_osl;
        o.params.seed = seed;
        o.sample = mode == "sample";
        o.num_requests = num_requests;
        o.aiperf_compat = aiperf_compat;
        o.fidelity = report;
        return synthesize(path,
                          {block_size, std::move(format_in), skip_invalid, start_ms, end_ms,
                           std::move(hash_id_check)},
                          o, output, keep);
      },
      py::arg("path"), py::kw_only(), py::arg("output") = py::none(), py::arg("keep") = true,
      py::arg("mode") = "rewrite", py::arg("num_requests") = py::none(),
      py::arg("speedup_ratio") = 1.0, py::arg("prefix_len_multiplier") = 1.0,
      py::arg("prefix_root_multiplier") = 1, py::arg("prompt_len_multiplier") = 1.0,
      py::arg("output_len_multiplier") = 1.0, py::arg("max_isl") = py::none(),
      py::arg("max_osl") = py::none(), py::arg("seed") = 42, py::arg("aiperf_compat") = false,
      py::arg("report") = false, py::arg("block_size") = py::none(), py::arg("format_in") = "auto",
      py::arg("skip_invalid") = false, py::arg("start_ms") = py::none(),
      py::arg("end_ms") = py::none(), py::arg("hash_id_check") = "warn",
      (std::string("kvtrace synthesize: (the output's columns or None, the fidelity report's "
                   "JSON or None); see kvtrace.synthesize.") +
       kOpenOptionsDoc)
          .c_str());
}

}  // namespace kvtrace::python
