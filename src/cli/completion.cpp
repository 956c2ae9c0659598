// kvtrace completion: prints the bash completion script (bash_completion.cpp).

#include <memory>

#include "cli/help.hpp"

namespace kvtrace::cli {

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
