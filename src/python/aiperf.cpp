// kvtrace.aiperf: the C++ calls under the drop-in for AIPerf's aiperf.dataset.synthesis
// (python/kvtrace/aiperf/, docs/python.md): its RollingHasher, the prefix analysis of a file
// or of trace dicts, the core of its Synthesizer, and the shape of a radix tree of paths.

#include <pybind11/stl.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kvtrace/analysis/analyze_trace.hpp"
#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/analysis/report.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/hashing/rolling_hasher.hpp"
#include "kvtrace/random/derive_seed.hpp"
#include "kvtrace/synthesis/radix_tree.hpp"
#include "kvtrace/synthesis/rewrite.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {
namespace {

std::uint32_t block_size_arg(std::int64_t block_size) {
  if (block_size < 1 || block_size > UINT32_MAX) {
    throw UsageError("block_size", "must be between 1 and 2^32-1");
  }
  return static_cast<std::uint32_t>(block_size);
}

// Requests with only what AIPerf's analyzer and synthesizer read: hash ids and lengths.
std::vector<trace::Request> to_requests(const std::vector<std::vector<std::uint64_t>>& ids,
                                        const std::vector<std::int64_t>& isls,
                                        const std::vector<std::int64_t>& osls) {
  if (ids.size() != isls.size() || (!osls.empty() && osls.size() != isls.size())) {
    throw UsageError("hash_ids", "one list of hash ids and one length per trace");
  }
  std::vector<trace::Request> out(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out[i].input_length = isls[i];
    if (!osls.empty()) out[i].output_length = osls[i];
    if (!ids[i].empty()) out[i].hash_ids = ids[i];
  }
  return out;
}

std::string aiperf_json(const analysis::AnalysisStats& stats, std::string source) {
  return analysis::render_json(stats, {std::move(source), {}}, analysis::JsonFields::kAiperf);
}

void bind_hasher(py::module_& m) {
  py::class_<hashing::RollingHasher>(m, "AiperfRollingHasher",
                                     "AIPerf's RollingHasher on kvtrace's (hashing/rolling_hasher)")
      .def(py::init([](std::int64_t block_size) {
             return hashing::RollingHasher(block_size_arg(block_size));
           }),
           py::arg("block_size") = 512)
      .def(
          "hash_blocks",
          [](hashing::RollingHasher& h, const std::vector<std::string>& blocks) {
            const std::vector<std::string_view> views(blocks.begin(), blocks.end());
            return h.hash_blocks(views);
          },
          py::arg("blocks"))
      .def(
          "hash_token_blocks",
          [](hashing::RollingHasher& h, const std::vector<std::vector<std::int64_t>>& blocks) {
            py::gil_scoped_release unlocked;
            return h.hash_token_blocks(blocks);
          },
          py::arg("blocks"))
      .def("reset", &hashing::RollingHasher::reset)
      .def("stats", [](const hashing::RollingHasher& h) {
        const hashing::RollingHasherStats s = h.stats();
        return py::make_tuple(s.total_hashes, s.max_id);
      });
  m.def(
      "aiperf_stable_hash", [](const std::string& text) { return hashing::stable_hash(text); },
      py::arg("text"),
      "AIPerf's _stable_hash of a str: big-endian u64 of SHA-256's first 8 bytes.");
  m.def(
      "derive_seed",
      [](std::uint64_t root, const std::string& identifier) {
        return random::derive_seed(root, identifier);
      },
      py::arg("root"), py::arg("identifier"),
      "AIPerf's child seed of `identifier` under root seed `root`.");
}

void bind_analyzer(py::module_& m) {
  m.def(
      "aiperf_analyze_file",
      [](const std::string& path, std::int64_t block_size) {
        OpenOptions o;
        o.block_size = py::int_(block_size_arg(block_size));
        o.format_in = "mooncake";
        o.hash_id_check = "ignore";  // AIPerf reads any hash_ids at any block size
        const ResolvedOpen opening = resolve(path, o);
        return run_interruptible([&](const std::atomic<bool>* stop) {
          const std::unique_ptr<trace::TraceReader> reader = open_resolved(opening, stop);
          return aiperf_json(analysis::analyze_trace(*reader), path);
        });
      },
      py::arg("path"), py::arg("block_size"),
      "AIPerf's AnalysisStats of a Mooncake JSONL file, as its model_dump_json(indent=2); "
      "Ctrl-C stops it (KeyboardInterrupt).");
  m.def(
      "aiperf_analyze_traces",
      [](const std::vector<std::vector<std::uint64_t>>& ids, const std::vector<std::int64_t>& isls,
         const std::vector<std::int64_t>& osls, std::int64_t block_size) {
        const std::uint32_t b = block_size_arg(block_size);
        py::gil_scoped_release unlocked;
        const std::vector<trace::Request> requests = to_requests(ids, isls, osls);
        analysis::PrefixAnalyzer analyzer(b);
        analyzer.add(requests);
        return aiperf_json(analyzer.finish(), "<traces>");
      },
      py::arg("hash_ids"), py::arg("input_lengths"), py::arg("output_lengths"),
      py::arg("block_size"),
      "AIPerf's AnalysisStats of traces given as columns, as its model_dump_json(indent=2).");
}

void bind_synthesizer(py::module_& m) {
  m.def(
      "aiperf_apply_multipliers",
      [](const std::vector<std::vector<std::uint64_t>>& ids, const std::vector<std::int64_t>& isls,
         double prefix_len_multiplier, double prompt_len_multiplier, std::int64_t block_size,
         const std::string& source, const std::vector<std::uint64_t>& lines) {
        synthesis::SynthesisParams p;
        p.prefix_len_multiplier = prefix_len_multiplier;
        p.prompt_len_multiplier = prompt_len_multiplier;
        p.block_size = block_size_arg(block_size);
        std::vector<trace::Request> requests;
        synthesis::MultipliedIds r;
        {
          py::gil_scoped_release unlocked;
          requests = to_requests(ids, isls, {});
          r = synthesis::apply_multipliers(requests, p, source, lines);
        }
        py::list new_ids(requests.size());
        for (std::size_t i = 0; i < requests.size(); ++i) {
          const auto& h = requests[i].hash_ids;
          new_ids[i] = h ? py::cast(*h) : py::list();
        }
        return py::make_tuple(new_ids, r.input_lengths, r.namespace_base, r.renumbered);
      },
      py::arg("hash_ids"), py::arg("input_lengths"), py::arg("prefix_len_multiplier"),
      py::arg("prompt_len_multiplier"), py::arg("block_size"), py::arg("source") = "",
      py::arg("lines") = std::vector<std::uint64_t>{},
      "AIPerf's Synthesizer._apply_multipliers without the root namespaces: (new hash ids, new "
      "input lengths, final max_id + 1, whether the shared ids were renumbered). Errors name "
      "a trace as source:line.");

  py::class_<synthesis::RadixTree>(
      m, "AiperfPathTree", "A radix tree of hash-id paths (synthesis/radix_tree): its shape")
      .def(py::init<>())
      .def(
          "add_paths",
          [](synthesis::RadixTree& t, const std::vector<std::vector<std::uint64_t>>& paths) {
            py::gil_scoped_release unlocked;
            for (const auto& p : paths) t.add_path(p);
          },
          py::arg("paths"))
      .def("shape", [](const synthesis::RadixTree& t) {
        const synthesis::RadixTreeStats s = t.get_stats();
        return py::make_tuple(s.num_nodes, s.max_depth);
      });
}

}  // namespace

void bind_aiperf(py::module_& m) {
  bind_hasher(m);
  bind_analyzer(m);
  bind_synthesizer(m);
}

}  // namespace kvtrace::python
