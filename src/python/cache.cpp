// Cache simulation from Python: lru's hit curve as NumPy arrays and kvtrace simulate's runs
// (docs/python.md, docs/simulate.md).

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/cache/report.hpp"
#include "kvtrace/cache/sweep.hpp"
#include "kvtrace/core/error.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {
namespace {

// The curve at every capacity 0..distinct_blocks as arrays, and the CLI's JSON of it at
// `points` capacities.
py::dict curve_dict(const cache::HitCurve& c, const std::string& source, std::uint32_t points) {
  const std::size_t n = c.distinct_blocks + 1;
  std::vector<std::uint64_t> capacities(n);
  std::vector<double> block_rate(n);
  std::vector<double> token_rate(n);
  for (std::size_t i = 0; i < n; ++i) {
    capacities[i] = i;
    block_rate[i] = c.block_hit_rate(i);
    token_rate[i] = c.token_hit_rate(i);
  }
  py::dict d;
  d["json"] = cache::curve_json(source, c, points);
  d["capacities"] = to_numpy(std::move(capacities));
  d["hit_blocks"] = to_numpy(std::vector<std::uint64_t>(c.hit_blocks));
  d["hit_tokens"] = to_numpy(std::vector<std::uint64_t>(c.hit_tokens));
  d["block_hit_rate"] = to_numpy(std::move(block_rate));
  d["token_hit_rate"] = to_numpy(std::move(token_rate));
  return d;
}

py::dict lru_curve_of_file(const std::string& path, const OpenOptions& o, std::uint32_t points) {
  const ResolvedOpen opening = resolve(path, o);
  const cache::HitCurve c = run_interruptible([&](const std::atomic<bool>* stop) {
    const std::unique_ptr<trace::TraceReader> reader = open_resolved(opening, stop);
    return cache::run_curve(*reader, reader->options().block_size);
  });
  return curve_dict(c, path, points);
}

// The curve of a trace already in columns (kvtrace.Trace): its hash ids and input lengths.
py::dict lru_curve_of_columns(
    const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& offsets,
    const py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>& ids,
    const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& input_length,
    std::uint32_t block_size, const std::string& source, std::uint32_t points) {
  const py::ssize_t n = input_length.size();
  if (offsets.size() != n + 1) {
    throw UsageError("offsets", "needs one value more than input_length");
  }
  if (block_size == 0) throw UsageError("block_size", "must be at least 1");
  cache::HitCurve c;
  {
    py::gil_scoped_release unlocked;
    cache::LruCurve curve(block_size);
    const std::span<const std::uint64_t> all_ids(ids.data(), static_cast<std::size_t>(ids.size()));
    for (py::ssize_t i = 0; i < n; ++i) {
      const std::int64_t isl = input_length.data()[i];
      curve.add(csr_row(offsets.data(), all_ids, i), isl < 0 ? 0 : isl);
    }
    c = curve.finish();
  }
  return curve_dict(c, source, points);
}

struct SimulateArgs {
  std::vector<std::uint64_t> capacities;
  std::optional<double> gpu_mem_gib;
  std::optional<std::uint64_t> kv_bytes_per_token;
  std::vector<std::string> policies;
  std::vector<std::string> routers;
  std::uint32_t workers = 1;
  double overlap_weight = 1.0;
  std::uint64_t seed = 42;
  bool timing = false;
  std::uint32_t concurrency = 0;
  double prefill_tps = 10000;
  double decode_tps = 50;
  bool cache_output = false;
  bool per_request = false;
};

// kvtrace simulate's runs as its JSON, and with per_request the one run's requests as its
// --per-request CSV.
py::tuple simulate(const std::string& path, const OpenOptions& o, const SimulateArgs& a) {
  if (a.capacities.empty() == !a.gpu_mem_gib.has_value()) {
    throw UsageError("capacity",
                     "give the cache size: capacity (blocks, one or a list) or "
                     "gpu_mem_gib with kv_bytes_per_token, not both");
  }
  if (a.gpu_mem_gib.has_value() != a.kv_bytes_per_token.has_value()) {
    throw UsageError("gpu_mem_gib", "goes with kv_bytes_per_token");
  }
  cache::SweepSpec spec;
  spec.base.workers = a.workers;
  spec.base.router.overlap_score_weight = a.overlap_weight;
  spec.base.router.seed = a.seed;
  spec.base.timing.concurrency = a.concurrency;
  spec.base.timing.prefill_tokens_per_s = a.prefill_tps;
  spec.base.timing.decode_tokens_per_s = a.decode_tps;
  spec.base.cache_output = a.cache_output;
  spec.capacities = a.capacities;
  if (a.gpu_mem_gib) spec.gpu_mem_gib = {*a.gpu_mem_gib};
  spec.kv_bytes_per_token = a.kv_bytes_per_token;
  spec.policies = a.policies;
  spec.routers = a.routers;
  spec.timestamps = a.timing;
  const ResolvedOpen opening = resolve(path, o);
  std::string json;
  std::optional<std::string> csv;
  run_interruptible([&](const std::atomic<bool>* stop) {
    const std::unique_ptr<trace::TraceReader> reader = open_resolved(opening, stop);
    const cache::SweepOptions options = cache::sweep_options(spec, reader->options().block_size);
    const std::vector<cache::SimConfig> configs = cache::sweep_configs(options);
    if (a.per_request && configs.size() != 1) {
      throw UsageError("per_request",
                       "needs a single simulation (one capacity, policy and router)");
    }
    fmt::print(stderr, "{}", cache::load_term_note(options));
    cache::PerRequestCsv per_request(options.base.timing.enabled);
    const std::vector<cache::Run> runs = cache::run_sweep(
        *reader, configs, a.per_request ? per_request.sink() : cache::RequestSink{}, 0, true);
    json = cache::runs_json(path, runs, spec.kv_bytes_per_token);
    if (a.per_request) csv = per_request.text();
    return 0;
  });
  return py::make_tuple(json, csv);
}

}  // namespace

void bind_cache(py::module_& m) {
  m.def(
      "lru_curve_file",
      [](const std::string& path, std::uint32_t points, py::object block_size,
         std::string format_in, bool skip_invalid, std::optional<double> start_ms,
         std::optional<double> end_ms, std::string hash_id_check) {
        return lru_curve_of_file(path,
                                 {block_size, std::move(format_in), skip_invalid, start_ms, end_ms,
                                  std::move(hash_id_check)},
                                 points);
      },
      py::arg("path"), py::kw_only(), py::arg("points") = 32, py::arg("block_size") = py::none(),
      py::arg("format_in") = "auto", py::arg("skip_invalid") = false,
      py::arg("start_ms") = py::none(), py::arg("end_ms") = py::none(),
      py::arg("hash_id_check") = "warn",
      (std::string("lru's hit curve of a trace file: arrays by capacity 0..distinct blocks and "
                   "kvtrace simulate --curve's JSON at `points` capacities.") +
       kOpenOptionsDoc)
          .c_str());
  m.def("lru_curve_columns", &lru_curve_of_columns, py::arg("offsets"), py::arg("ids"),
        py::arg("input_length"), py::kw_only(), py::arg("block_size"), py::arg("source"),
        py::arg("points") = 32,
        "lru's hit curve of a trace in columns (CSR hash ids and input lengths).");
  m.def(
      "simulate_json",
      [](const std::string& path, std::vector<std::uint64_t> capacities,
         std::optional<double> gpu_mem_gib, std::optional<std::uint64_t> kv_bytes_per_token,
         std::vector<std::string> policies, std::vector<std::string> routers, std::uint32_t workers,
         double overlap_weight, std::uint64_t seed, bool timing, std::uint32_t concurrency,
         double prefill_tps, double decode_tps, bool cache_output, bool per_request,
         py::object block_size, std::string format_in, bool skip_invalid,
         std::optional<double> start_ms, std::optional<double> end_ms, std::string hash_id_check) {
        const SimulateArgs a{std::move(capacities),
                             gpu_mem_gib,
                             kv_bytes_per_token,
                             std::move(policies),
                             std::move(routers),
                             workers,
                             overlap_weight,
                             seed,
                             timing,
                             concurrency,
                             prefill_tps,
                             decode_tps,
                             cache_output,
                             per_request};
        return simulate(path,
                        {block_size, std::move(format_in), skip_invalid, start_ms, end_ms,
                         std::move(hash_id_check)},
                        a);
      },
      py::arg("path"), py::kw_only(), py::arg("capacities") = std::vector<std::uint64_t>{},
      py::arg("gpu_mem_gib") = py::none(), py::arg("kv_bytes_per_token") = py::none(),
      py::arg("policies") = std::vector<std::string>{"lru"},
      py::arg("routers") = std::vector<std::string>{"round-robin"}, py::arg("workers") = 1,
      py::arg("overlap_weight") = 1.0, py::arg("seed") = 42, py::arg("timing") = false,
      py::arg("concurrency") = 0, py::arg("prefill_tps") = 10000.0, py::arg("decode_tps") = 50.0,
      py::arg("cache_output") = false, py::arg("per_request") = false,
      py::arg("block_size") = py::none(), py::arg("format_in") = "auto",
      py::arg("skip_invalid") = false, py::arg("start_ms") = py::none(),
      py::arg("end_ms") = py::none(), py::arg("hash_id_check") = "warn",
      (std::string("kvtrace simulate -f json of a trace, as text, and with per_request the "
                   "--per-request CSV (kvtrace.simulate parses them).") +
       kOpenOptionsDoc)
          .c_str());
}

}  // namespace kvtrace::python
