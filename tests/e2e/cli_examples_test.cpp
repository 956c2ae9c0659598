// The examples at the end of every subcommand's --help (src/cli/examples.cpp): two or three
// of them, every flag they use is one of their subcommand's, and those that need no server run.

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/cli_help_util.hpp"

namespace {

using kvtrace::testing::help_flags;
using kvtrace::testing::kSubcommands;
using kvtrace::testing::lines_of;
using kvtrace::testing::quote;
using kvtrace::testing::run_bash;
using kvtrace::testing::run_shell;

// A subcommand's help, unwrapped.
std::string help_of(const std::string& sub) {
  const auto r = run_shell("COLUMNS=1000 " + std::string(KVTRACE_BINARY) + " " + sub + " --help");
  EXPECT_EQ(r.exit_code, 0) << sub << r.err;
  return r.out;
}

struct Examples {
  std::vector<std::string> commands;
  bool well_formed = true;  // "  # what" then "  command", to the end of the help
};

Examples examples_of(const std::string& help) {
  Examples e;
  const std::vector<std::string> lines = lines_of(help);
  auto it = std::find(lines.begin(), lines.end(), "Examples:");
  if (it == lines.end()) return {{}, false};
  for (++it; it != lines.end(); ++it) {
    if (!it->starts_with("  # ") || std::next(it) == lines.end() ||
        !std::next(it)->starts_with("  ") || std::next(it)->starts_with("  #")) {
      e.well_formed = false;
      break;
    }
    ++it;
    e.commands.push_back(it->substr(2));
  }
  return e;
}

struct Invocation {
  std::string sub;
  std::vector<std::string> args;
};

// The kvtrace invocations in a shell command line:
// "zcat t.gz | kvtrace analyze -o r.json -" gives {analyze, {-o, r.json, -}}.
std::vector<Invocation> invocations(const std::string& command) {
  std::istringstream in(command);
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) tokens.push_back(t);
  std::vector<Invocation> found;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (!tokens[i].ends_with("kvtrace")) continue;  // also "<(kvtrace"
    Invocation inv{tokens[++i], {}};
    static const std::set<std::string> kEnds = {"|", "||", "&&", ";", "&", ">", ">>", "2>"};
    for (++i; i < tokens.size() && kEnds.count(tokens[i]) == 0; ++i) {
      const std::size_t paren = tokens[i].find(')');
      if (paren != std::string::npos) {
        if (paren > 0) inv.args.push_back(tokens[i].substr(0, paren));
        break;
      }
      inv.args.push_back(tokens[i]);
    }
    found.push_back(std::move(inv));
  }
  return found;
}

bool is_number(const std::string& s) {
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size();
}

// The flags of `inv` that are not among `known`.
std::vector<std::string> unknown_flags(const Invocation& inv, const std::set<std::string>& known) {
  std::vector<std::string> unknown;
  for (const std::string& arg : inv.args) {
    if (arg.size() < 2 || arg[0] != '-' || is_number(arg)) continue;
    const std::string flag = arg.substr(0, arg.find('='));
    if (known.count(flag) == 0) unknown.push_back(flag);
  }
  return unknown;
}

TEST(CliExamples, EveryHelpEndsWithTwoOrThreeExamplesOfItsSubcommand) {
  for (const std::string& sub : kSubcommands) {
    const std::string help = help_of(sub);
    const Examples e = examples_of(help);
    EXPECT_TRUE(e.well_formed) << sub << ":\n" << help;
    EXPECT_GE(e.commands.size(), 2u) << sub;
    EXPECT_LE(e.commands.size(), 3u) << sub;
    for (const std::string& command : e.commands) {
      bool runs_sub = false;
      for (const Invocation& inv : invocations(command)) runs_sub = runs_sub || inv.sub == sub;
      EXPECT_TRUE(runs_sub) << sub << ": " << command;
    }
  }
}

TEST(CliExamples, TheFlagCheckFindsAMisspelledFlag) {
  const std::vector<Invocation> invs = invocations(
      "zcat t.gz | kvtrace analyze --formt json -o r.json - | kvtrace simulate --curve=1 -");
  ASSERT_EQ(invs.size(), 2u);
  EXPECT_EQ(invs[0].sub, "analyze");
  EXPECT_EQ(unknown_flags(invs[0], help_flags(help_of("analyze"))),
            std::vector<std::string>{"--formt"});
  EXPECT_EQ(invs[1].sub, "simulate");
  EXPECT_TRUE(unknown_flags(invs[1], help_flags(help_of("simulate"))).empty());
  const std::vector<Invocation> sourced = invocations("source <(kvtrace completion bash)");
  ASSERT_EQ(sourced.size(), 1u);
  EXPECT_EQ(sourced[0].sub, "completion");
  EXPECT_EQ(sourced[0].args, std::vector<std::string>{"bash"});
}

TEST(CliExamples, ExampleFlagsAreFlagsOfTheirSubcommand) {
  const std::set<std::string> subs(kSubcommands.begin(), kSubcommands.end());
  for (const std::string& sub : kSubcommands) {
    for (const std::string& command : examples_of(help_of(sub)).commands) {
      for (const Invocation& inv : invocations(command)) {
        ASSERT_EQ(subs.count(inv.sub), 1u) << command;
        EXPECT_EQ(unknown_flags(inv, help_flags(help_of(inv.sub))), std::vector<std::string>{})
            << command;
      }
    }
  }
}

// Runs every example that needs no server (replay's need one, mock-server's run until
// stopped) in a fresh directory holding the files the examples read.
TEST(CliExamples, ExamplesRun) {
  const std::string setup =
      "set -eo pipefail\n"
      "mkdir examples\n"
      "cp " +
      quote(kvtrace::testing::kSample) +
      " examples/\n"
      "cp examples/*.jsonl trace.jsonl\n"
      "cp trace.jsonl fast.jsonl\n"
      "gzip -c trace.jsonl > trace.jsonl.gz\n"
      // A model's Hugging Face config.json (Llama-3.1-8B's KV fields).
      "printf '%s\\n' '{\"num_hidden_layers\":32,\"num_attention_heads\":32,"
      "\"num_key_value_heads\":8,\"hidden_size\":4096,\"torch_dtype\":\"bfloat16\"}' "
      "> config.json\n"
      "printf '%s\\n' "
      "'{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"},"
      "{\"role\":\"assistant\",\"content\":\"Hi, how can I help?\"},"
      "{\"role\":\"user\",\"content\":\"Tell me a story.\"}]}' > chats.jsonl\n"
      "printf '%s\\n' '{\"tokens\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}' "
      "'{\"tokens\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,99]}' > tokens.jsonl\n"
      // A replay's output directory (kvtrace replay --output-dir) of one request.
      "mkdir results\n"
      "printf '%s\\n' '{\"run\":{\"input\":\"requests.jsonl\",\"url\":\"http://127.0.0.1:8000\","
      "\"mode\":\"trace\",\"speedup\":1.0,\"slo\":null,\"interrupted\":false},\"requests\":1}' "
      "> results/summary.json\n"
      "printf '%s\\n' '{\"index\":0,\"session_id\":\"\",\"ok\":true,\"status\":200,"
      "\"error_kind\":null,\"error\":null,\"intended_ms\":0.0,\"start_ms\":0.5,"
      "\"first_token_ms\":20.0,\"end_ms\":30.0,\"lateness_ms\":0.5,\"ttft_ms\":19.5,"
      "\"tpot_ms\":5.0,\"e2e_ms\":29.5,\"input_tokens\":8,\"output_tokens\":3,"
      "\"token_source\":\"usage\",\"max_tokens\":3,\"chunks\":3,\"malformed_events\":0,"
      "\"done\":true,\"new_connection\":true,\"chunk_ms\":[20.0,25.0,30.0]}' "
      "> results/records.jsonl\n"
      // The corpus cache stays where it is; the rest of HOME is the directory's.
      "export XDG_CACHE_HOME=\"${XDG_CACHE_HOME:-$HOME/.cache}\" HOME=$PWD\n"
      "kvtrace() { " +
      quote(KVTRACE_BINARY) + " \"$@\"; }\n";
  int ran = 0;
  for (const std::string& sub : kSubcommands) {
    if (sub == "replay" || sub == "mock-server") continue;
    for (const std::string& command : examples_of(help_of(sub)).commands) {
      const auto dir =
          std::filesystem::temp_directory_path() /
          ("kvtrace-example-" + std::to_string(::getpid()) + "-" + std::to_string(ran));
      std::filesystem::create_directories(dir);
      const auto r = run_bash("cd " + quote(dir.string()) + "\n" + setup + command + "\n");
      std::filesystem::remove_all(dir);
      ++ran;
      // Any exit code: in a pipeline the last command's is the one bash reports.
      if (r.exit_code != 0 &&
          r.err.find("is not installed (scripts/setup installs it)") != std::string::npos) {
        std::cout << "not run, the default tokenizer or corpus is not installed: " << command
                  << "\n";
        continue;
      }
      EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
    }
  }
  EXPECT_GE(ran, 20);
}

}  // namespace
