#pragma once
// What the bash completion offers for an option or a positional, read off the CLI11
// definitions (bash_completion.cpp writes the script from it). Every name and value must be a
// plain shell word, since the script pastes them unquoted.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace kvtrace::cli {

// What follows an option or fills a positional.
struct Completion {
  enum Kind { kNothing, kFiles, kWords } kind = kNothing;
  std::vector<std::string> words;
};

// `s` itself; throws std::logic_error when it is not a plain shell word (letters, digits and
// -_.,:/+=@), a bug in a flag definition.
const std::string& shell_word(const std::string& s);

// The names of the subcommands of `app`, checked as shell words.
std::vector<std::string> subcommand_words(const CLI::App& app);

// From the option's type name as CLI11 prints it: "TEXT:{table,json}" (IsMember) gives the
// words, SUBCOMMAND (kvtrace help's argument) the subcommands of `top`, other TEXT a file,
// numbers and comma-separated lists nothing.
Completion completion_of(const CLI::Option& opt, const CLI::App& top);

// `words` separated by spaces.
std::string join_words(const std::vector<std::string>& words);

// The option's names as typed: "-o --output".
std::string flag_names(const CLI::Option& opt);

}  // namespace kvtrace::cli
