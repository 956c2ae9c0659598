// What the bash completion offers, read off the CLI11 definitions.

#include "cli/completion_words.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>

#include "cli/help.hpp"

namespace kvtrace::cli {

const std::string& shell_word(const std::string& s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-_.,:/+=@").find(c) != std::string_view::npos;
  });
  if (!plain) throw std::logic_error("kvtrace completion: not a plain shell word: " + s);
  return s;
}

std::vector<std::string> subcommand_words(const CLI::App& app) {
  std::vector<std::string> names = subcommand_names(app);
  for (const std::string& name : names) shell_word(name);
  return names;
}

Completion completion_of(const CLI::Option& opt, const CLI::App& top) {
  const std::string type = opt.get_type_name();
  if (const std::size_t open = type.find(":{"); open != std::string::npos) {
    const std::size_t close = type.find('}', open);
    Completion c{Completion::kWords, {}};
    const std::string list = type.substr(open + 2, close - open - 2);
    for (std::size_t start = 0; start <= list.size();) {
      const std::size_t end = std::min(list.find(',', start), list.size());
      c.words.push_back(shell_word(list.substr(start, end - start)));
      start = end + 1;
    }
    return c;
  }
  if (type == "SUBCOMMAND") return {Completion::kWords, subcommand_words(top)};
  const bool list = opt.get_items_expected_max() > 1 && opt.nonpositional();
  if (type.starts_with("TEXT") && !list) return {Completion::kFiles, {}};
  return {};
}

std::string join_words(const std::vector<std::string>& words) {
  return fmt::format("{}", fmt::join(words, " "));
}

std::string flag_names(const CLI::Option& opt) {
  std::vector<std::string> names;
  for (const std::string& s : opt.get_snames()) names.push_back("-" + shell_word(s));
  for (const std::string& l : opt.get_lnames()) names.push_back("--" + shell_word(l));
  return join_words(names);
}

}  // namespace kvtrace::cli
