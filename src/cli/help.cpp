// kvtrace help: `kvtrace help [SUBCOMMAND]`, and the summaries, examples and exit codes put
// into the help after every subcommand is registered.

#include "cli/help.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::cli {
namespace {

std::string render_examples(std::span<const Example> examples) {
  std::string out = "Examples:";
  for (const Example& e : examples) out += fmt::format("\n  # {}\n  {}", e.what, e.command);
  return out;
}

std::string top_level_footer(std::string_view name) {
  return fmt::format(
      "Exit codes:\n"
      "  {:<4} ok (validate: the trace is clean; replay: the run completed)\n"
      "  {:<4} invalid input data: a bad line, an empty trace; validate: problems found\n"
      "  {:<4} I/O error: a file or server cannot be opened, read, written or reached\n"
      "  {:<4} a size limit: the input is too large for a structure, or memory ran out\n"
      "  {:<4} bad command-line arguments\n"
      "  {:<4} internal error (a bug)\n"
      "  {:<4} replay stopped by Ctrl-C (the results so far are written)\n"
      "\n"
      "Run '{} help SUBCOMMAND' (or '{} SUBCOMMAND --help') for its flags and examples; "
      "docs/cli.md has more.",
      kOk, kInvalidInput, code(ExitCode::kIoFailure), code(ExitCode::kLimit),
      code(ExitCode::kUsage), code(ExitCode::kInternal), kInterrupted, name, name);
}

}  // namespace

const SubcommandDoc* find_doc(std::string_view name) {
  for (const SubcommandDoc& doc : subcommand_docs()) {
    if (doc.name == name) return &doc;
  }
  return nullptr;
}

std::vector<const CLI::App*> named_subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); });
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : named_subcommands(app)) names.push_back(sub->get_name());
  return names;
}

void add_help(CLI::App& app, Action& action) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "help",
      "The top-level help (the subcommands and the exit codes), or a subcommand's "
      "help: the same as 'kvtrace SUBCOMMAND --help'");
  cmd->group("Help and shell completion");
  // SUBCOMMAND: the completion completes subcommand names here.
  cmd->add_option("subcommand", *name, "The subcommand to explain")->type_name("SUBCOMMAND");
  cmd->callback([name, &app, &action] {
    action = [name, &app] {
      if (name->empty()) {
        write_text(
            "-", app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal));
        return kOk;
      }
      for (const CLI::App* sub : named_subcommands(app)) {
        if (sub->check_name(*name)) {
          write_text("-", sub->help(app.get_name()));
          return kOk;
        }
      }
      throw UsageError(unknown_subcommand_error(app, *name));
    };
  });
}

void finish_help(CLI::App& app) {
  const auto formatter = std::make_shared<HelpFormatter>(help_width());
  app.formatter(formatter);
  app.footer(top_level_footer(app.get_name()));
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return !s->get_name().empty(); })) {
    const SubcommandDoc* doc = find_doc(sub->get_name());
    if (doc == nullptr || doc->examples.size() < 2 || doc->examples.size() > 3) {
      throw std::logic_error("kvtrace " + sub->get_name() +
                             " needs a summary and 2-3 examples in src/cli/examples.cpp");
    }
    sub->formatter(formatter);
    sub->footer(render_examples(doc->examples));
  }
  const std::vector<std::string> names = subcommand_names(app);
  for (const SubcommandDoc& doc : subcommand_docs()) {
    if (std::find(names.begin(), names.end(), doc.name) == names.end()) {
      throw std::logic_error("src/cli/examples.cpp documents an unknown subcommand " +
                             std::string(doc.name));
    }
  }
}

}  // namespace kvtrace::cli
