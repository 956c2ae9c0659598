// kvtrace validate: every problem of a trace, one per line, and an exit code for scripts.

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/open_trace.hpp"
#include "kvtrace/trace/request_parser.hpp"
#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::cli {
namespace {

struct ValidateFlags {
  std::string input;
  std::uint32_t block_size = flags::kDefaultBlockSize;  // 0: auto
  CLI::Option* block_size_option = nullptr;
  std::string format_in = "auto";
  bool quiet = false;
};

int run_validate(const ValidateFlags& f) {
  trace::ReaderOptions options;
  options.block_size_auto = f.block_size == 0;
  options.block_size = options.block_size_auto ? flags::kDefaultBlockSize : f.block_size;
  options.block_size_given = f.block_size_option->count() > 0;
  formats::OpenedSource opened =
      formats::open_trace_source(f.input, options, *formats::parse_format(f.format_in));
  trace::RequestSource& source = *opened.source;
  const std::uint32_t block_size = opened.options.block_size;
  const std::string name = source.input().name();
  if (!opened.note.empty()) fmt::print(stderr, "kvtrace: note: {}\n", opened.note);

  trace::Request request;
  std::vector<trace::FieldProblem> problems;
  std::uint64_t requests = 0;
  std::uint64_t bad_records = 0;
  std::uint64_t problem_count = 0;
  std::string out;
  auto report = [&](std::uint64_t line, const trace::FieldProblem& p) {
    ++problem_count;
    if (f.quiet) return;
    out += InputError::format(name, line, p.field, p.problem);
    out += '\n';
    if (out.size() > (1u << 16)) {
      write_text("-", out);
      out.clear();
    }
  };
  Progress progress("validate", source.input().total_bytes());
  std::uint64_t line = 0;
  for (;;) {
    problems.clear();
    const trace::SourceResult result = source.next(request, line, problems);
    if (result == trace::SourceResult::kEnd) break;
    progress.tick(source.input().input_position(), line);
    if (result == trace::SourceResult::kRequest) {
      if (auto p = trace::check_hash_id_count(request, block_size)) problems.push_back(*p);
    }
    if (problems.empty()) {
      ++requests;
      continue;
    }
    ++bad_records;
    for (const auto& p : problems) report(line, p);
  }
  progress.done();
  if (requests == 0 && bad_records == 0) {
    report(0, {"", source.lines() == 0 ? "the file is empty: no requests"
                                       : "no requests (only blank lines)"});
  }
  write_text("-", out);
  for (const std::string& note : source.notes()) fmt::print(stderr, "kvtrace: note: {}\n", note);
  const bool clean = problem_count == 0;
  const std::string format =
      source.format_name() == "Mooncake JSONL" ? "" : fmt::format(" ({})", source.format_name());
  fmt::print(stderr, "{}{}: {} valid request{}, {} problem{} on {} line{}{}\n", name, format,
             requests, requests == 1 ? "" : "s", problem_count, problem_count == 1 ? "" : "s",
             bad_records, bad_records == 1 ? "" : "s", clean ? " (clean)" : "");
  return clean ? kOk : kInvalidInput;
}

}  // namespace

void add_validate(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ValidateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check every record of a trace (any format kvtrace reads) and report every problem as "
      "file:line: field: problem. Exit code 0 only when the file is clean, 2 otherwise");
  cmd->add_option("file", flags->input, "Trace (docs/formats.md), - for stdin")->required();
  flags->block_size_option = flags::trace_block_size(*cmd, flags->block_size);
  flags::format_in(*cmd, flags->format_in);
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the summary line");
  cmd->callback([flags, &action] { action = [flags] { return run_validate(*flags); }; });
}

}  // namespace kvtrace::cli
