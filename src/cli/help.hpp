#pragma once
// Making the command line discoverable: `kvtrace help` (help.cpp), help text wrapped to the
// terminal (help_format.cpp, text_wrap.cpp), examples under every subcommand's --help
// (examples.cpp), "did you mean" errors (did_you_mean.cpp) and the bash completion
// (completion_words.cpp, bash_completion.cpp, completion.cpp).

#include <CLI/CLI.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/common.hpp"

namespace kvtrace::cli {

// One example of a subcommand's --help: what it does (one short line) and the command line.
struct Example {
  std::string_view what;
  std::string_view command;
};

// What the help says of a subcommand beyond its CLI11 definition (src/cli/examples.cpp).
struct SubcommandDoc {
  std::string_view name;
  std::string_view summary;  // its line in the top-level help
  std::span<const Example> examples;
};

// Every subcommand's doc, in one table so that a flag rename touches one file.
std::span<const SubcommandDoc> subcommand_docs();

// The doc of a subcommand, or nullptr.
const SubcommandDoc* find_doc(std::string_view name);

// The subcommands CLI11 dispatches to (not option groups, which are nameless apps).
std::vector<const CLI::App*> named_subcommands(const CLI::App& app);

// The names of the subcommands, in registration order.
std::vector<std::string> subcommand_names(const CLI::App& app);

// Columns of the help text: $COLUMNS, else the terminal's width when stdout is one, else 80.
std::size_t help_width();

// CLI11's formatter with every description wrapped to `width` columns, the subcommands of
// the top-level help on one line each (their summaries) and the examples in the footers.
class HelpFormatter final : public CLI::Formatter {
 public:
  explicit HelpFormatter(std::size_t width);

  std::string make_option(const CLI::Option* opt, bool is_positional) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
  std::string make_description(const CLI::App* app) const override;
  std::string make_footer(const CLI::App* app) const override;

 private:
  std::size_t width_;
};

// `kvtrace help [SUBCOMMAND]`: the top-level help, or the subcommand's --help.
void add_help(CLI::App& app, Action& action);

// `kvtrace completion bash [-o FILE]`: the bash completion script.
void add_completion(CLI::App& app, Action& action);

// The bash completion script of `app`, generated from its definitions.
std::string bash_completion(const CLI::App& app);

// After every subcommand is registered: the formatter, the summaries and the examples.
// Throws std::logic_error when the examples table and the subcommands disagree.
void finish_help(CLI::App& app);

// Optimal-string-alignment edit distance (an adjacent transposition counts as one edit).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, when it is near enough to be what was meant.
std::optional<std::string> nearest(std::string_view word, std::span<const std::string> candidates);

// "unknown subcommand 'x' (did you mean 'y'?); the subcommands are ..."
std::string unknown_subcommand_error(const CLI::App& app, std::string_view name);

// The error for a command line whose first word is not a subcommand, or nullopt.
std::optional<std::string> check_subcommand(const CLI::App& app, std::span<const char* const> args);

// The error (and what to run for help) for a CLI11 parse error: the nearest flag for an
// unknown one, the subcommands when none is given.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e,
                                std::span<const char* const> args);

}  // namespace kvtrace::cli
