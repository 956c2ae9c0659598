// kvtrace convert: any trace kvtrace reads -> canonical Mooncake JSONL, optionally re-blocked.

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/text_table.hpp"
#include "kvtrace/formats/convert.hpp"
#include "kvtrace/formats/format.hpp"

namespace kvtrace::cli {
namespace {

struct ConvertFlags {
  std::string input;
  std::string output = "-";
  std::optional<std::uint32_t> block_size_out;
  ReaderFlags reader;
};

int run_convert(const ConvertFlags& f) {
  const std::unique_ptr<trace::TraceReader> reader = f.reader.open(f.input);
  trace::TraceWriter writer(f.output);
  const formats::ConvertStats st =
      formats::convert(*reader, writer, formats::ConvertOptions{f.block_size_out});
  fmt::print(stderr,
             "kvtrace: converted {} requests from {} ({}, block size {}) to Mooncake JSONL "
             "(block size {}, {} distinct hash ids)\n",
             core::grouped_int(st.requests), reader->name(), reader->source().format_name(),
             st.block_size_in, st.block_size_out, core::grouped_int(st.ids_out));
  return kOk;
}

}  // namespace

void add_convert(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ConvertFlags>();
  CLI::App* cmd = app.add_subcommand(
      "convert",
      "Write any trace kvtrace reads (Mooncake JSONL, a Dynamo request trace, a Bailian trace, "
      "a BurstGPT or Azure CSV; gzip or zstd) as canonical Mooncake JSONL, optionally "
      "re-blocked to a larger block size");
  cmd->add_option("input", flags->input, "The trace; - reads stdin")->required();
  flags::output(*cmd, flags->output, "Where the Mooncake JSONL goes");
  cmd->add_option("--block-size-out", flags->block_size_out,
                  "Tokens per block of the output, a multiple of the input's: each run of "
                  "blocks becomes one, with the same id exactly when the whole prefix is the "
                  "same (docs/formats.md)")
      ->transform(flags::integer_range(1, flags::kMaxBlockSize));
  flags->reader.add_to(*cmd, true);
  cmd->callback([flags, &action] { action = [flags] { return run_convert(*flags); }; });
}

}  // namespace kvtrace::cli
