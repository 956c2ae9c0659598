// analyze: kvtrace analyze's report (docs/analyze.md) from Python.

#include <pybind11/stl.h>

#include "kvtrace/analysis/analyze_trace.hpp"
#include "kvtrace/analysis/report.hpp"
#include "kvtrace/analysis/shard_analysis.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {
namespace {

// The reader counts a shard carries to the merge (the ones the report and its notes use).
py::dict counts_to_dict(const trace::ReaderCounts& c) {
  py::dict d;
  d["lines"] = c.lines;
  d["blank_lines"] = c.blank_lines;
  d["requests"] = c.requests;
  d["skipped_invalid"] = c.skipped_invalid;
  d["outside_window"] = c.outside_window;
  d["hash_id_checked"] = c.hash_id_checked;
  d["hash_id_mismatches"] = c.hash_id_mismatches;
  d["timestamps_backwards"] = c.timestamps_backwards;
  d["first_skipped"] = c.first_skipped;
  d["first_mismatch"] = c.first_mismatch;
  d["first_backwards"] = c.first_backwards;
  d["source_notes"] = c.source_notes;
  d["first_timestamp"] = c.first_timestamp;
  d["last_timestamp"] = c.last_timestamp;
  d["first_timestamp_at"] = c.first_timestamp_at;
  return d;
}

trace::ReaderCounts counts_from_dict(const py::dict& d) {
  trace::ReaderCounts c;
  c.lines = d["lines"].cast<std::uint64_t>();
  c.blank_lines = d["blank_lines"].cast<std::uint64_t>();
  c.requests = d["requests"].cast<std::uint64_t>();
  c.skipped_invalid = d["skipped_invalid"].cast<std::uint64_t>();
  c.outside_window = d["outside_window"].cast<std::uint64_t>();
  c.hash_id_checked = d["hash_id_checked"].cast<std::uint64_t>();
  c.hash_id_mismatches = d["hash_id_mismatches"].cast<std::uint64_t>();
  c.timestamps_backwards = d["timestamps_backwards"].cast<std::uint64_t>();
  c.first_skipped = d["first_skipped"].cast<std::string>();
  c.first_mismatch = d["first_mismatch"].cast<std::string>();
  c.first_backwards = d["first_backwards"].cast<std::string>();
  c.source_notes = d["source_notes"].cast<std::vector<std::string>>();
  c.first_timestamp = d["first_timestamp"].cast<std::optional<double>>();
  c.last_timestamp = d["last_timestamp"].cast<std::optional<double>>();
  c.first_timestamp_at = d["first_timestamp_at"].cast<std::string>();
  return c;
}

py::dict shard_to_dict(analysis::ShardColumns&& c) {
  py::dict d;
  d["block_size"] = c.block_size;
  d["input_lengths"] = to_numpy(std::move(c.input_lengths));
  d["output_lengths"] = to_numpy(std::move(c.output_lengths));
  d["id_end"] = to_numpy(std::move(c.id_end));
  d["local_ids"] = to_numpy(std::move(c.local_ids));
  d["distinct_ids"] = to_numpy(std::move(c.distinct_ids));
  d["cached_tokens"] = to_numpy(std::move(c.cached_tokens));
  d["cached_state"] = to_numpy(std::move(c.cached_state));
  d["timestamps"] = to_numpy(std::move(c.timestamps));
  d["delays"] = to_numpy(std::move(c.delays));
  d["sessions"] = to_numpy(std::move(c.sessions));
  d["session_names"] = c.session_names;
  d["counts"] = counts_to_dict(c.counts);
  return d;
}

// A shard's arrays, kept alive while the merge reads them through `view`.
struct HeldShard {
  template <typename T>
  using Array = py::array_t<T, py::array::c_style | py::array::forcecast>;

  explicit HeldShard(const py::dict& d)
      : input_lengths(column<std::int64_t>(d, "input_lengths")),
        output_lengths(column<std::int64_t>(d, "output_lengths")),
        id_end(column<std::uint64_t>(d, "id_end")),
        local_ids(column<std::uint32_t>(d, "local_ids")),
        distinct_ids(column<std::uint64_t>(d, "distinct_ids")),
        cached_tokens(column<std::uint64_t>(d, "cached_tokens")),
        cached_state(column<std::uint8_t>(d, "cached_state")),
        timestamps(column<double>(d, "timestamps")),
        delays(column<double>(d, "delays")),
        sessions(column<std::uint32_t>(d, "sessions")),
        session_names(d["session_names"].cast<std::vector<std::string>>()),
        counts(counts_from_dict(d["counts"].cast<py::dict>())) {
    view = {d["block_size"].cast<std::uint32_t>(),
            span(input_lengths),
            span(output_lengths),
            span(id_end),
            span(local_ids),
            span(distinct_ids),
            span(cached_tokens),
            span(cached_state),
            span(timestamps),
            span(delays),
            span(sessions),
            session_names};
  }

  template <typename T>
  static std::span<const T> span(const Array<T>& a) {
    return {a.data(), static_cast<std::size_t>(a.size())};
  }

  Array<std::int64_t> input_lengths, output_lengths;
  Array<std::uint64_t> id_end;
  Array<std::uint32_t> local_ids;
  Array<std::uint64_t> distinct_ids, cached_tokens;
  Array<std::uint8_t> cached_state;
  Array<double> timestamps, delays;
  Array<std::uint32_t> sessions;
  std::vector<std::string> session_names;
  trace::ReaderCounts counts;
  analysis::ShardView view;
};

}  // namespace

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

  m.def(
      "read_shard",
      [](const std::string& path, py::object block_size, std::string format_in, bool skip_invalid,
         std::optional<double> start_ms, std::optional<double> end_ms, std::string hash_id_check) {
        const ResolvedOpen opening = resolve(path, {block_size, std::move(format_in), skip_invalid,
                                                    start_ms, end_ms, std::move(hash_id_check)});
        analysis::ShardColumns shard = run_interruptible([&](const std::atomic<bool>* stop) {
          const std::unique_ptr<trace::TraceReader> reader = open_resolved(opening, stop);
          return analysis::read_shard(*reader);
        });
        return shard_to_dict(std::move(shard));
      },
      py::arg("path"), py::kw_only(), py::arg("block_size") = py::none(),
      py::arg("format_in") = "auto", py::arg("skip_invalid") = false,
      py::arg("start_ms") = py::none(), py::arg("end_ms") = py::none(),
      py::arg("hash_id_check") = "warn",
      (std::string("Phase 1 of a sharded analyze: one shard of a trace (a file) as a dict of "
                   "NumPy arrays (docs/scale-out.md).") +
       kOpenOptionsDoc)
          .c_str());

  m.def(
      "merge_shards_json",
      [](const py::list& shards, const std::string& source) {
        std::vector<std::unique_ptr<HeldShard>> held;
        for (const py::handle shard : shards) {
          held.push_back(std::make_unique<HeldShard>(shard.cast<py::dict>()));
        }
        std::vector<analysis::ShardView> views;
        std::vector<trace::ReaderCounts> counts;
        for (const auto& h : held) {
          views.push_back(h->view);
          counts.push_back(h->counts);
        }
        return run_interruptible([&](const std::atomic<bool>* stop) {
          const analysis::AnalysisStats stats = analysis::merge_shards(views, stop);
          return analysis::render_json(stats, {source, analysis::merge_counts(counts)});
        });
      },
      py::arg("shards"), py::arg("source"),
      "Phase 2 of a sharded analyze: read_shard's dicts in trace order, merged into kvtrace "
      "analyze --format json of the whole trace, as text.");
}

}  // namespace kvtrace::python
