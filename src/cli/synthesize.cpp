// kvtrace synthesize: new traces from one, rewritten with AIPerf's knobs.

#include <fmt/format.h>

#include <limits>
#include <memory>
#include <optional>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/synthesis/fidelity.hpp"
#include "kvtrace/synthesis/synthesize.hpp"
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

int run_synthesize(const SynthesizeFlags& f) {
  const std::unique_ptr<trace::TraceReader> reader = f.reader.open(f.input);
  const synthesis::SynthesizeOptions options{f.params, f.mode == "sample", f.num_requests,
                                             f.aiperf_compat, f.report || !f.report_json.empty()};
  // Opened at the first request, as before the library call: a trace or a knob that fails
  // does so before the output is touched.
  std::optional<trace::TraceWriter> writer;
  const synthesis::SynthesizeResult result =
      synthesis::synthesize(*reader, options, [&](const trace::Request& r) {
        if (!writer) writer.emplace(f.output);
        writer->write(r);
      });
  if (!writer) writer.emplace(f.output);
  writer->close();
  fmt::print(stderr, "{}", result.summary);
  if (result.fidelity) {
    if (f.report) fmt::print(stderr, "{}", synthesis::render_fidelity_table(*result.fidelity));
    if (!f.report_json.empty()) {
      write_text(f.report_json, synthesis::render_fidelity_json(*result.fidelity));
    }
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
