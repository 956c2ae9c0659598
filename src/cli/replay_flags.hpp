#pragma once
// kvtrace replay's flags: where each one lands (replay_flags.cpp declares them, replay.cpp runs
// the replay they describe).

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kvtrace/replay/replay.hpp"

namespace kvtrace::cli {

struct ReplayFlags {
  std::string schedule;
  std::optional<double> rate;
  std::optional<std::uint32_t> concurrency;
  double request_timeout_s = 600;
  double drain_timeout_s = 10;
  std::string api_key_env = "OPENAI_API_KEY";
  std::vector<std::string> headers;
  bool no_usage = false;
  std::string tokenizer;
  std::string output_dir;
  std::string history = "none";
  std::string format;        // empty: table on a terminal, json otherwise
  replay::RunInfo info;      // file, --url, --slo
  replay::RunOptions run;    // --endpoint, --speedup-ratio, --seed, --max-connections, --insecure
  replay::LoadOptions load;  // --extra-body
};

// Declares replay's flags on `cmd`, each bound to its field of `f`.
void add_replay_flags(CLI::App& cmd, ReplayFlags& f);

}  // namespace kvtrace::cli
