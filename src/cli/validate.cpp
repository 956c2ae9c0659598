// kvtrace validate: every problem of a trace, one per line, and an exit code for scripts.

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request_parser.hpp"
#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::cli {
namespace {

struct ValidateFlags {
  std::string input;
  std::uint32_t block_size = 512;
  bool quiet = false;
};

int run_validate(const ValidateFlags& f) {
  trace::LineReader lines(f.input);
  trace::RequestParser parser;
  trace::Request request;
  std::vector<trace::FieldProblem> problems;
  std::uint64_t requests = 0;
  std::uint64_t bad_lines = 0;
  std::uint64_t problem_count = 0;
  std::string out;
  auto report = [&](std::uint64_t line, const trace::FieldProblem& p) {
    ++problem_count;
    if (f.quiet) return;
    out += InputError::format(lines.name(), line, p.field, p.problem);
    out += '\n';
    if (out.size() > (1u << 16)) {
      write_text("-", out);
      out.clear();
    }
  };
  Progress progress("validate", lines.total_bytes());
  trace::Line line;
  while (lines.next(line)) {
    progress.tick(lines.input_position(), line.number);
    if (const auto p = trace::unread_line_problem(line, lines)) {
      ++bad_lines;
      report(line.number, *p);
      continue;
    }
    if (trace::is_blank(line.text)) continue;
    problems.clear();
    if (parser.parse(line, request, problems)) {
      if (auto p = trace::check_hash_id_count(request, f.block_size)) problems.push_back(*p);
    }
    if (problems.empty()) {
      ++requests;
      continue;
    }
    ++bad_lines;
    for (const auto& p : problems) report(line.number, p);
  }
  progress.done();
  if (requests == 0 && bad_lines == 0) {
    report(0, {"", line.number == 0 ? "the file is empty: no requests"
                                    : "no requests (only blank lines)"});
  }
  write_text("-", out);
  const bool clean = problem_count == 0;
  fmt::print(stderr, "{}: {} valid request{}, {} problem{} on {} line{}{}\n", lines.name(),
             requests, requests == 1 ? "" : "s", problem_count, problem_count == 1 ? "" : "s",
             bad_lines, bad_lines == 1 ? "" : "s", clean ? " (clean)" : "");
  return clean ? kOk : kInvalidInput;
}

}  // namespace

void add_validate(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ValidateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check every line of a Mooncake trace and report every problem as file:line: field: "
      "problem. Exit code 0 only when the file is clean, 2 otherwise");
  cmd->add_option("file", flags->input, "Mooncake JSONL trace, - for stdin")->required();
  flags::block_size(*cmd, flags->block_size,
                    "Tokens per block: len(hash_ids) must be ceil(input_length / block size)");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the summary line");
  cmd->callback([flags, &action] { action = [flags] { return run_validate(*flags); }; });
}

}  // namespace kvtrace::cli
