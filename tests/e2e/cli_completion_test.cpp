// kvtrace completion end to end: the script the build writes is the binary's, and sourced in
// bash it completes subcommands, flags, flag values and files.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "e2e/cli_help_util.hpp"

namespace {

using kvtrace::testing::help_flags;
using kvtrace::testing::kSubcommands;
using kvtrace::testing::lines_of;
using kvtrace::testing::quote;
using kvtrace::testing::run_bash;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempFile;

const std::string kScript = KVTRACE_COMPLETION;

// What the completion offers for the words of a command line, the last being the word under
// the cursor: sources the script, finds kvtrace's function with `complete -p`, calls it as
// bash's programmable completion does.
std::vector<std::string> complete(const std::vector<std::string>& words,
                                  const std::string& cwd = kvtrace::testing::kSource) {
  std::string array;
  for (const std::string& w : words) {
    array += ' ';
    array += quote(w);
  }
  const auto r = run_bash(
      "set -e\ncd " + quote(cwd) + "\nsource " + quote(kScript) +
      "\nfunction=$(complete -p kvtrace | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p')\n"
      "COMP_WORDS=(" +
      array +
      ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
      "COMP_LINE=\"${COMP_WORDS[*]}\"\nCOMP_POINT=${#COMP_LINE}\nCOMPREPLY=()\n"
      "\"$function\" kvtrace \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "printf '%s\\n' \"${COMPREPLY[@]}\"\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> reply;
  for (const std::string& line : lines_of(r.out)) {
    if (!line.empty()) reply.push_back(line);
  }
  std::sort(reply.begin(), reply.end());
  return reply;
}

using Words = std::vector<std::string>;

TEST(CliCompletion, TheBuildWroteTheBinarysScript) {
  const auto r = run_kvtrace("completion bash");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(kvtrace::testing::read_file(kScript), r.out);
  TempFile out("", ".bash");
  EXPECT_EQ(run_kvtrace("completion bash -o " + out.path()).exit_code, 0);
  EXPECT_EQ(kvtrace::testing::read_file(out.path()), r.out);
  EXPECT_EQ(run_kvtrace("completion zsh").exit_code, 64);
}

TEST(CliCompletion, RegistersAFunctionForKvtrace) {
  const auto r = run_bash("source " + quote(kScript) + "\ncomplete -p kvtrace\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "complete -F _kvtrace kvtrace\n");
}

TEST(CliCompletion, CompletesSubcommands) {
  EXPECT_EQ(complete({"kvtrace", "ana"}), Words{"analyze"});
  EXPECT_EQ(complete({"kvtrace", "s"}), (Words{"simulate", "synthesize"}));
  Words all = kSubcommands;
  std::sort(all.begin(), all.end());
  EXPECT_EQ(complete({"kvtrace", ""}), all);
  EXPECT_EQ(complete({"kvtrace", "--version", ""}), all);
  EXPECT_EQ(complete({"kvtrace", "--"}), (Words{"--help", "--version"}));
  EXPECT_EQ(complete({"kvtrace", "help", "sim"}), Words{"simulate"});
  EXPECT_EQ(complete({"kvtrace", "completion", ""}), Words{"bash"});
}

TEST(CliCompletion, CompletesFlagsOfTheSubcommand) {
  EXPECT_EQ(complete({"kvtrace", "simulate", "--cap"}), (Words{"--capacity", "--capacity-sweep"}));
  EXPECT_EQ(complete({"kvtrace", "simulate", "trace.jsonl", "-w", "4", "--cur"}),
            (Words{"--curve", "--curve-points"}));
  EXPECT_EQ(complete({"kvtrace", "analyze", "--cap"}), Words{});
  // Every flag of every subcommand, exactly.
  for (const std::string& sub : kSubcommands) {
    const auto help = run_kvtrace(sub + " --help");
    const std::set<std::string> flags = help_flags(help.out);
    const Words offered = complete({"kvtrace", sub, "-"});
    EXPECT_EQ(std::set<std::string>(offered.begin(), offered.end()), flags) << sub;
  }
}

TEST(CliCompletion, CompletesTheValuesOfFlagsWithChoices) {
  EXPECT_EQ(complete({"kvtrace", "analyze", "--format", ""}),
            (Words{"aiperf-json", "csv", "json", "table"}));
  EXPECT_EQ(complete({"kvtrace", "analyze", "-f", "t"}), Words{"table"});
  EXPECT_EQ(complete({"kvtrace", "simulate", "--hash-id-check", "w"}), Words{"warn"});
  // bash splits --format=json at '='.
  EXPECT_EQ(complete({"kvtrace", "analyze", "--format", "=", "j"}), Words{"json"});
  EXPECT_EQ(complete({"kvtrace", "analyze", "--format", "="}),
            (Words{"aiperf-json", "csv", "json", "table"}));
  // A number: nothing to offer.
  EXPECT_EQ(complete({"kvtrace", "simulate", "-c", ""}), Words{});
}

TEST(CliCompletion, CompletesFilesForFileArguments) {
  EXPECT_EQ(complete({"kvtrace", "analyze", "READ"}), Words{"README.md"});
  EXPECT_EQ(complete({"kvtrace", "analyze", "-o", "READ"}), Words{"README.md"});
  EXPECT_EQ(complete({"kvtrace", "compare", "examples/fast25-conversation-1k.jsonl", "examples/f"}),
            Words{"examples/fast25-conversation-1k.jsonl"});
  // mock-server takes no file.
  EXPECT_EQ(complete({"kvtrace", "mock-server", "READ"}), Words{});
}

}  // namespace
