// kvtrace synthesize: new traces from one, rewritten with AIPerf's knobs.

#include <fmt/format.h>

#include "cli/common.hpp"
#include "kvtrace/error.hpp"
#include "kvtrace/synthesis/fidelity.hpp"
#include "kvtrace/synthesis/rewrite.hpp"
#include "kvtrace/trace/trace_writer.hpp"

namespace kvtrace::cli {
namespace {

struct SynthesizeFlags {
  std::string input;
  std::string output = "-";
  bool aiperf_compat = false;
  bool report = false;
  std::string report_json;
  synthesis::SynthesisParams params;
  ReaderFlags reader;
};

int run_synthesize(SynthesizeFlags& f) {
  f.params.block_size = f.reader.block_size;
  f.params.validate();
  trace::TraceReader reader(f.input, f.reader.options());
  std::vector<std::uint64_t> lines;
  std::vector<trace::Request> requests = read_requests(reader, &lines);
  std::optional<synthesis::TraceProfile> before;
  if (f.report || !f.report_json.empty()) {
    before = synthesis::profile_trace(requests, f.params.block_size);
  }

  const auto mode =
      f.aiperf_compat ? synthesis::RewriteMode::kAiperfCompat : synthesis::RewriteMode::kKvtrace;
  const synthesis::RewriteStats st =
      synthesis::rewrite_trace(requests, f.params, mode, reader.name(), lines);

  trace::TraceWriter writer(f.output);
  for (const trace::Request& r : requests) writer.write(r);
  writer.close();
  if (before) {
    const auto report = synthesis::compare_traces(
        std::move(*before), synthesis::profile_trace(requests, f.params.block_size), &f.params);
    if (f.report) fmt::print(stderr, "{}", synthesis::render_fidelity_table(report));
    if (!f.report_json.empty()) write_text(f.report_json, synthesis::render_fidelity_json(report));
  }

  fmt::print(stderr, "kvtrace: synthesized {} requests from {} (rewrite{}, seed {})\n",
             requests.size(), st.requests_in, f.aiperf_compat ? ", AIPerf-compatible" : "",
             f.params.seed);
  if (!st.rewritten) {
    fmt::print(stderr,
               "kvtrace: note: no multiplier differs from 1, so ids and lengths are unchanged "
               "(as in AIPerf); only the max ISL/OSL limits applied\n");
  }
  if (st.dropped_over_max_isl > 0) {
    fmt::print(stderr,
               "kvtrace: note: dropped {} requests whose input length exceeds --max-isl {}\n",
               st.dropped_over_max_isl, *f.params.max_isl);
  }
  if (st.partial_prefix > 0) {
    fmt::print(stderr,
               "kvtrace: note: {} requests have a shared prefix ending in a partial block "
               "(AIPerf stops with 'input_len < prefix_len' on them; see docs/synthesize.md)\n",
               st.partial_prefix);
  }
  if (st.capped_isl > 0) {
    fmt::print(stderr, "kvtrace: note: capped {} input lengths at --max-isl\n", st.capped_isl);
  }
  if (st.capped_osl > 0) {
    fmt::print(stderr, "kvtrace: note: capped {} output lengths at --max-osl\n", st.capped_osl);
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
  cmd->add_option("-o,--output", flags->output, "Output trace (JSONL), - for stdout")
      ->capture_default_str();
  cmd->add_option("--speedup-ratio", p.speedup_ratio, "Divide timestamps by this (> 0)")
      ->capture_default_str();
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
                  "Drop requests whose input length exceeds this, and cap synthesized ones");
  cmd->add_option("--max-osl", p.max_osl, "Cap output_length");
  cmd->add_option("--seed", p.seed, "Root seed of the random draws (the root multiplier's)")
      ->capture_default_str();
  cmd->add_flag("--aiperf-compat", flags->aiperf_compat,
                "Reproduce AIPerf's output exactly, its bugs and errors included");
  cmd->add_flag("--report", flags->report,
                "Print the fidelity report (input vs output, with the expected values) on stderr");
  cmd->add_option("--report-json", flags->report_json, "Write the fidelity report as JSON here");
  flags->reader.add_to(*cmd, true);
  cmd->callback([flags, &action] { action = [flags] { return run_synthesize(*flags); }; });
}

}  // namespace kvtrace::cli
