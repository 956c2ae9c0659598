#pragma once
// What the help, examples, completion and install tests share: the subcommands, reading
// --help output, running bash.

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace kvtrace::testing {

// Every subcommand, in the order the top-level help lists them.
inline const std::vector<std::string> kSubcommands = {
    "analyze",  "validate", "synthesize", "compare",     "convert", "materialize", "hash",
    "simulate", "report",   "replay",     "mock-server", "help",    "completion"};

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The flags a --help lists: "  -f,--format TEXT ..." gives -f and --format.
inline std::set<std::string> help_flags(const std::string& help) {
  std::set<std::string> flags;
  for (const std::string& line : lines_of(help)) {
    if (!line.starts_with("  -")) continue;
    std::istringstream names(line.substr(2, line.find(' ', 2) - 2));
    for (std::string name; std::getline(names, name, ',');) flags.insert(name);
  }
  return flags;
}

// `s` as one single-quoted shell word.
inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `script` with bash (no startup files).
inline RunResult run_bash(const std::string& script) {
  TempFile file(script, ".sh");
  return run_shell("bash --norc --noprofile " + file.path());
}

}  // namespace kvtrace::testing
