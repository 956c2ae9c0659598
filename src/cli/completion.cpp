// kvtrace completion: the bash completion script, generated from the CLI11 definitions (the
// build writes it into build/completions/, so it never lags behind the flags).

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>
#include <vector>

#include "cli/help.hpp"

namespace kvtrace::cli {
namespace {

// What follows an option or fills a positional.
struct Completion {
  enum Kind { kNothing, kFiles, kWords } kind = kNothing;
  std::vector<std::string> words;
};

// Names and values are pasted into the script unquoted: they must be plain words.
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

// From the option's type name as CLI11 prints it: "TEXT:{table,json}" (IsMember) gives the
// words, SUBCOMMAND (kvtrace help's argument) the subcommands, other TEXT a file, numbers
// and comma-separated lists nothing.
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

std::string reply(const Completion& c) {
  switch (c.kind) {
    case Completion::kWords:
      return fmt::format("mapfile -t COMPREPLY < <(compgen -W \"{}\" -- \"$cur\")",
                         join_words(c.words));
    case Completion::kFiles:
      return "compopt -o filenames 2>/dev/null || true; mapfile -t COMPREPLY < <(compgen -f -- "
             "\"$cur\")";
    case Completion::kNothing:
      break;
  }
  return "COMPREPLY=()";
}

// The case branch of one app: the values of its options (by the word before the cursor),
// then its flags and what its positionals take.
std::string branch(const CLI::App& app, const CLI::App& top, std::string_view pattern,
                   const Completion& positional) {
  std::string values;
  std::vector<std::string> flags;
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->nonpositional()) continue;
    // A renamed flag's hidden alias still takes its values, but is not offered.
    if (!opt->get_group().empty()) flags.push_back(flag_names(*opt));
    if (opt->get_items_expected_max() == 0) continue;  // a flag: no value
    const std::string names = flag_names(*opt);
    std::string pattern_names = names;
    std::replace(pattern_names.begin(), pattern_names.end(), ' ', '|');
    values +=
        fmt::format("        {}) {}; return ;;\n", pattern_names, reply(completion_of(*opt, top)));
  }
  std::string out = fmt::format("    {})\n", pattern);
  if (!values.empty()) out += fmt::format("      case $prev in\n{}      esac\n", values);
  out += fmt::format(
      "      if [[ $cur == -* ]]; then\n"
      "        mapfile -t COMPREPLY < <(compgen -W \"{}\" -- \"$cur\")\n"
      "      else\n"
      "        {}\n"
      "      fi\n"
      "      ;;\n",
      join_words(flags), reply(positional));
  return out;
}

Completion positional_of(const CLI::App& app, const CLI::App& top) {
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->nonpositional()) return completion_of(*opt, top);
  }
  return {};
}

// The top level's options that take a value: the subcommand is the first word that is
// neither a flag nor such a value.
std::string top_level_values(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->nonpositional() && opt->get_items_expected_max() != 0)
      names.push_back(flag_names(*opt));
  }
  std::string joined = join_words(names);
  std::replace(joined.begin(), joined.end(), ' ', '|');
  return joined.empty() ? "" : fmt::format("      {}) ((i++)) ;;\n", joined);
}

}  // namespace

std::string bash_completion(const CLI::App& app) {
  const std::string name = shell_word(app.get_name());
  std::string branches =
      branch(app, app, "\"\"", Completion{Completion::kWords, subcommand_words(app)});
  for (const std::string& sub : subcommand_words(app)) {
    const CLI::App& cmd = *app.get_subcommand(sub);
    branches += branch(cmd, app, sub, positional_of(cmd, app));
  }
  return fmt::format(
      R"(# bash completion for {0}: subcommands, their flags, the values of flags with a fixed set
# of values, files for file arguments. Generated by `{0} completion bash` from {0}'s own
# command-line definitions: regenerate it rather than edit it.
_{1}() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=""
  ((COMP_CWORD > 0)) && prev=${{COMP_WORDS[COMP_CWORD - 1]}}
  # bash splits --flag=value at "=": complete the value of --flag.
  if [[ $cur == "=" ]]; then
    cur=""
  elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
    prev=${{COMP_WORDS[COMP_CWORD - 2]}}
  fi
  local cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${{COMP_WORDS[i]}} in
{2}      -* | "=") ;;
      *) cmd=${{COMP_WORDS[i]}}; break ;;
    esac
  done
  case $cmd in
{3}    *) COMPREPLY=() ;;
  esac
}}
complete -F _{1} {0}
)",
      name,
      [&] {
        std::string id = name;
        std::replace(id.begin(), id.end(), '-', '_');
        return id;
      }(),
      top_level_values(app), branches);
}

void add_completion(CLI::App& app, Action& action) {
  struct Flags {
    std::string shell;
    std::string output = "-";
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "completion",
      "Print the shell completion script of kvtrace (bash): subcommands, flags, the values of "
      "flags with a fixed set of values, and files. The build writes it to "
      "build/completions/kvtrace; cmake --install puts it where bash-completion finds it");
  cmd->group("Help and shell completion");
  cmd->add_option("shell", flags->shell, "The shell (bash)")
      ->required()
      ->check(CLI::IsMember({"bash"}));
  cmd->add_option("-o,--output", flags->output, "Write the script here, - for stdout")
      ->capture_default_str();
  cmd->callback([flags, &app, &action] {
    action = [flags, &app] {
      write_text(flags->output, bash_completion(app));
      return kOk;
    };
  });
}

}  // namespace kvtrace::cli
