// kvtrace synthesize: new traces from one, rewritten with AIPerf's knobs.

#include <fmt/format.h>

#include <limits>
#include <optional>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/synthesis/fidelity.hpp"
#include "kvtrace/synthesis/rewrite.hpp"
#include "kvtrace/synthesis/sample_mode.hpp"
#include "kvtrace/trace/trace_writer.hpp"

namespace kvtrace::cli {
namespace {

struct SynthesizeFlags {
  std::string input;
  std::string output = "-";
  std::string mode = "rewrite";
  std::optional<std::uint64_t> num_requests;
  bool aiperf_compat = false;
  bool report = false;
  std::string report_json;
  synthesis::SynthesisParams params;
  ReaderFlags reader;
};

int run_synthesize(SynthesizeFlags& f) {
  const std::unique_ptr<trace::TraceReader> opened = f.reader.open(f.input);
  trace::TraceReader& reader = *opened;
  f.params.block_size = reader.options().block_size;
  f.params.validate();
  const bool sample = f.mode == "sample";
  if (sample && f.aiperf_compat) {
    throw UsageError("--aiperf-compat applies to rewrite mode only (AIPerf has no sample mode)");
  }
  if (!sample && f.num_requests) {
    throw UsageError("--num-requests needs --mode sample (rewrite keeps the input's requests)");
  }
  std::vector<std::uint64_t> lines;
  std::vector<trace::Request> requests = read_requests(reader, "synthesize", &lines);
  const bool report = f.report || !f.report_json.empty();
  std::optional<synthesis::TraceProfile> before;
  if (report) before = synthesis::profile_trace(requests, f.params.block_size);

  trace::TraceWriter writer(f.output);
  std::vector<trace::Request> generated;  // kept only for the report
  std::optional<std::uint64_t> asked;
  if (sample) {
    const std::uint64_t n = f.num_requests.value_or(requests.size());
    asked = n;
    const synthesis::SampleStats st =
        synthesis::sample_trace(requests, f.params, n, [&](const trace::Request& r) {
          writer.write(r);
          if (report) generated.push_back(r);
        });
    writer.close();
    fmt::print(stderr,
               "kvtrace: generated {} requests from {} (sample mode: {} shared prefix blocks "
               "learned, {} pass{} over the input's sessions, seed {})\n",
               st.generated, st.learned_requests, st.core_nodes, st.epochs,
               st.epochs == 1 ? "" : "es", f.params.seed);
  } else {
    const auto mode =
        f.aiperf_compat ? synthesis::RewriteMode::kAiperfCompat : synthesis::RewriteMode::kKvtrace;
    const synthesis::RewriteStats st =
        synthesis::rewrite_trace(requests, f.params, mode, reader.name(), lines);
    for (const trace::Request& r : requests) writer.write(r);
    writer.close();
    fmt::print(stderr, "kvtrace: synthesized {} requests from {} (rewrite{}, seed {})\n",
               requests.size(), st.requests_in, f.aiperf_compat ? ", AIPerf-compatible" : "",
               f.params.seed);
    fmt::print(stderr, "{}", synthesis::rewrite_notes(st, f.params));
    if (report) generated = std::move(requests);
  }
  if (before) {
    const auto rep = synthesis::compare_traces(
        std::move(*before), synthesis::profile_trace(generated, f.params.block_size), &f.params,
        asked);
    if (f.report) fmt::print(stderr, "{}", synthesis::render_fidelity_table(rep));
    if (!f.report_json.empty()) write_text(f.report_json, synthesis::render_fidelity_json(rep));
  }
  return kOk;
}

}  // namespace

void add_synthesize(CLI::App& app, Action& action) {
  auto flags = std::make_shared<SynthesizeFlags>();
  auto& p = flags->params;
  CLI::App* cmd = app.add_subcommand(
      "synthesize",
      "A new trace from a Mooncake trace: faster, longer shared prefixes, more prefix roots, "
      "longer prompts, capped lengths (AIPerf's synthesis knobs; docs/synthesize.md)");
  cmd->add_option("file", flags->input, "Input Mooncake JSONL trace, - for stdin")->required();
  flags::output(*cmd, flags->output, "Output trace (JSONL)");
  cmd->add_option("--mode", flags->mode,
                  "rewrite: AIPerf's per-request rewrite of the input; sample: learn the prefix "
                  "tree and distributions and generate --num-requests new requests")
      ->capture_default_str()
      ->check(CLI::IsMember({"rewrite", "sample"}));
  cmd->add_option("-n,--num-requests", flags->num_requests,
                  "Requests to generate in sample mode (default: as many as the input)")
      ->transform(flags::integer_range(1, std::numeric_limits<std::uint64_t>::max()));
  flags::speedup_ratio(*cmd, p.speedup_ratio, "Divide timestamps by this (> 0)");
  cmd->add_option("--prefix-len-multiplier", p.prefix_len_multiplier,
                  "Stretch (> 1) or squeeze (< 1) each request's shared leading blocks")
      ->capture_default_str();
  cmd->add_option("--prefix-root-multiplier", p.prefix_root_multiplier,
                  "Spread requests at random over this many disjoint prefix trees (>= 1)")
      ->capture_default_str();
  cmd->add_option("--prompt-len-multiplier", p.prompt_len_multiplier,
                  "Scale the tokens after the shared prefix (> 0)")
      ->capture_default_str();
  cmd->add_option("--output-len-multiplier", p.output_len_multiplier,
                  "Scale output_length, rounded half to even (>= 0)")
      ->capture_default_str();
  cmd->add_option("--max-isl", p.max_isl,
                  "Drop requests whose input length exceeds this, and cap synthesized ones")
      ->transform(flags::integer_range(0, INT64_MAX, false));
  cmd->add_option("--max-osl", p.max_osl, "Cap output_length")
      ->transform(flags::integer_range(0, INT64_MAX, false));
  flags::seed(*cmd, p.seed, "Root seed of the random draws (the root multiplier's)");
  cmd->add_flag("--aiperf-compat", flags->aiperf_compat,
                "Reproduce AIPerf's output exactly, its bugs and errors included");
  cmd->add_flag("--report", flags->report,
                "Print the fidelity report (input vs output, with the expected values) on stderr");
  flags::report_json(*cmd, flags->report_json);
  flags->reader.add_to(*cmd, true);
  cmd->callback([flags, &action] { action = [flags] { return run_synthesize(*flags); }; });
}

}  // namespace kvtrace::cli
