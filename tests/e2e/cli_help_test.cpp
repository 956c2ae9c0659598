// kvtrace help end to end: --version, the top-level help and `help SUBCOMMAND`, the errors
// naming the nearest subcommand or flag, and help text wrapped to the terminal's width.

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/cli_help_util.hpp"

namespace {

using kvtrace::testing::kSubcommands;
using kvtrace::testing::lines_of;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::run_shell;

// "analyze, validate, ..., completion"
std::string all_subcommands() {
  std::string all;
  for (const std::string& sub : kSubcommands) all += (all.empty() ? "" : ", ") + sub;
  return all;
}

// Characters, not bytes: descriptions hold a few UTF-8 symbols.
std::size_t columns(const std::string& line) {
  std::size_t n = 0;
  for (const char c : line) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string widest_line(const std::string& text) {
  std::string widest;
  for (const std::string& line : lines_of(text)) {
    if (columns(line) > columns(widest)) widest = line;
  }
  return widest;
}

TEST(CliHelp, VersionIsTheProjectVersion) {
  const auto r = run_kvtrace("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "kvtrace " KVTRACE_VERSION "\n");
}

TEST(CliHelp, TopLevelHelpListsEverySubcommandOnOneLineAndTheExitCodes) {
  const auto r = run_kvtrace("help");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, run_kvtrace("--help").out);
  // The subcommand sections: "  name   summary" lines only, no continuation lines.
  std::vector<std::string> listed;
  bool in_section = false;
  for (const std::string& line : lines_of(r.out)) {
    if (line == "Subcommands:" || line == "Help and shell completion:") {
      in_section = true;
    } else if (line.empty()) {
      in_section = false;
    } else if (in_section) {
      std::smatch m;
      ASSERT_TRUE(std::regex_match(line, m, std::regex("  ([a-z-]+) +[A-Z].*"))) << line;
      listed.push_back(m[1]);
    }
  }
  EXPECT_EQ(listed, kSubcommands);
  EXPECT_NE(r.out.find("Exit codes:\n"), std::string::npos) << r.out;
  for (const char* code : {"0", "1", "2", "3", "4", "64", "130"}) {
    EXPECT_TRUE(std::regex_search(r.out, std::regex(std::string("\n  ") + code + " +[a-zA-Z]")))
        << code;
  }
  EXPECT_NE(r.out.find("  64   bad command-line arguments\n"), std::string::npos) << r.out;
}

TEST(CliHelp, HelpOfASubcommandIsItsHelpFlag) {
  for (const std::string& sub : kSubcommands) {
    const auto help = run_kvtrace("help " + sub);
    const auto flag = run_kvtrace(sub + " --help");
    EXPECT_EQ(help.exit_code, 0) << sub << help.err;
    EXPECT_EQ(flag.exit_code, 0) << sub << flag.err;
    EXPECT_EQ(help.out, flag.out) << sub;
    EXPECT_TRUE(help.out.find("Usage: kvtrace " + sub + " ") != std::string::npos) << help.out;
  }
}

TEST(CliHelp, UnknownSubcommandNamesTheNearestAndEveryKnownOne) {
  const auto r = run_kvtrace("analyse x");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err,
            "kvtrace: error: unknown subcommand 'analyse' (did you mean 'analyze'?); the "
            "subcommands are " +
                all_subcommands() + "\nRun 'kvtrace help' for the subcommands.\n");
  // Far from every name: no guess.
  const auto far = run_kvtrace("frobnicate x");
  EXPECT_EQ(far.exit_code, 64);
  EXPECT_NE(far.err.find("unknown subcommand 'frobnicate'; the subcommands are analyze"),
            std::string::npos)
      << far.err;
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
  // A truncated name.
  EXPECT_NE(run_kvtrace("mock --port 0").err.find("(did you mean 'mock-server'?)"),
            std::string::npos);
  // Before the subcommand's own flags are looked at.
  EXPECT_NE(run_kvtrace("simulat --help").err.find("(did you mean 'simulate'?)"),
            std::string::npos);
}

TEST(CliHelp, HelpOfAnUnknownSubcommandIsAUsageError) {
  const auto r = run_kvtrace("help nosuch");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err, "kvtrace: error: unknown subcommand 'nosuch'; the subcommands are " +
                       all_subcommands() + "\n");
  const auto near = run_kvtrace("help simulat");
  EXPECT_EQ(near.exit_code, 64);
  EXPECT_NE(near.err.find("unknown subcommand 'simulat' (did you mean 'simulate'?)"),
            std::string::npos)
      << near.err;
}

TEST(CliHelp, NoSubcommandListsThem) {
  const auto r = run_kvtrace("");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_EQ(r.err, "kvtrace: error: a subcommand is required: " + all_subcommands() +
                       "\nRun 'kvtrace help' for the subcommands.\n");
}

TEST(CliHelp, MisspelledFlagNamesTheNearestFlagOfTheSubcommand) {
  const std::string sample = kvtrace::testing::kSample;
  const auto r = run_kvtrace("analyze --formt json " + sample);
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_EQ(r.err,
            "kvtrace: error: analyze: unknown flag --formt (did you mean --format?)\n"
            "Run 'kvtrace help analyze' for its flags and examples.\n");
  EXPECT_NE(run_kvtrace("analyze " + sample + " --formt=json").err.find("(did you mean --format?)"),
            std::string::npos);
  EXPECT_NE(run_kvtrace("simulate --capasity 5 " + sample).err.find("(did you mean --capacity?)"),
            std::string::npos);
  EXPECT_NE(run_kvtrace("simulate --cap 5 " + sample).err.find("(did you mean --capacity?)"),
            std::string::npos);
  // Nearest among the subcommand's flags: simulate's --curve is nothing like analyze's.
  const auto other = run_kvtrace("analyze --curve " + sample);
  EXPECT_EQ(other.exit_code, 64);
  EXPECT_NE(other.err.find("analyze: unknown flag --curve\n"), std::string::npos) << other.err;
  const auto short_flag = run_kvtrace("validate -z " + sample);
  EXPECT_EQ(short_flag.exit_code, 64);
  EXPECT_NE(short_flag.err.find("validate: unknown flag -z\n"), std::string::npos)
      << short_flag.err;
  // Other parse errors keep CLI11's words, with the hint.
  const auto value = run_kvtrace("analyze --format yaml " + sample);
  EXPECT_EQ(value.exit_code, 64);
  EXPECT_NE(value.err.find("yaml not in {table,json,aiperf-json,csv}\n"
                           "Run 'kvtrace help analyze' for its flags and examples.\n"),
            std::string::npos)
      << value.err;
}

TEST(CliHelp, HelpIsWrappedToTheTerminalWidth) {
  auto help_at = [](const std::string& columns_env, const std::string& command) {
    return run_shell(columns_env + " " + std::string(KVTRACE_BINARY) + " " + command);
  };
  std::vector<std::string> commands = {"help"};
  for (const std::string& sub : kSubcommands) commands.push_back(sub + " --help");
  for (const std::string& command : commands) {
    for (const std::size_t width : {80, 120}) {
      const auto r = help_at("COLUMNS=" + std::to_string(width), command);
      ASSERT_EQ(r.exit_code, 0) << command;
      EXPECT_LE(columns(widest_line(r.out)), width) << command << ":\n" << widest_line(r.out);
    }
    // Not a terminal and no COLUMNS: 80.
    const auto r = help_at("env -u COLUMNS", command);
    ASSERT_EQ(r.exit_code, 0) << command;
    EXPECT_LE(columns(widest_line(r.out)), 80u) << command;
  }
  // The wrapping follows the width: the same words, on longer lines.
  const auto narrow = help_at("COLUMNS=80", "analyze --help");
  const auto wide = help_at("COLUMNS=120", "analyze --help");
  EXPECT_GT(columns(widest_line(wide.out)), 100u) << wide.out;
  auto words = [](const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    return w;
  };
  EXPECT_EQ(words(narrow.out), words(wide.out));
  EXPECT_LT(lines_of(wide.out).size(), lines_of(narrow.out).size());
}

}  // namespace

namespace {

// The renamed flags kept as hidden aliases (docs/cli.md) still set what their new names set.
TEST(CliHelp, RenamedFlagsStillWorkAsHiddenAliases) {
  using kvtrace::testing::run_kvtrace;
  using kvtrace::testing::TempFile;
  const TempFile requests("{\"body\":{\"prompt\":\"x\"}}\n");
  // --timing is --schedule: "rate" without --rate is the schedule's own error.
  auto r = run_kvtrace("replay --timing rate " + requests.path());
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_EQ(r.err, "kvtrace: error: --schedule rate needs --rate R\n");
  // --format is materialize's --prompt-format, with the same choices.
  r = run_kvtrace("materialize --format words " + requests.path());
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("words not in {text,tokens}"), std::string::npos) << r.err;
  // The mock server's old cache and prefill flags parse; the run then stops at the tokenizer.
  r = run_kvtrace(
      "mock-server --cache-blocks 5 --cache-policy fifo --prefill-tokens-per-s 7 "
      "--tokenizer /nonexistent/tokenizer.json");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // None of them is offered by --help.
  for (const char* alias : {"--cache-blocks", "--cache-policy", "--prefill-tokens-per-s"}) {
    EXPECT_EQ(run_kvtrace("mock-server --help").out.find(alias), std::string::npos) << alias;
  }
  EXPECT_EQ(run_kvtrace("replay --help").out.find("--timing"), std::string::npos);
}

}  // namespace
