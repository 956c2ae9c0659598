#pragma once
// What the subcommands share: exit codes, reader options, progress on stderr, output files.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/output_file.hpp"
#include "kvtrace/core/progress.hpp"
#include "kvtrace/prompt/materialize_trace.hpp"
#include "kvtrace/trace/for_each_request.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::cli {

// The exit codes (kvtrace::ExitCode, docs/cli.md) as the int a subcommand's action returns.
constexpr int code(ExitCode c) {
  return static_cast<int>(c);
}
inline constexpr int kOk = code(ExitCode::kOk);
inline constexpr int kInvalidInput = code(ExitCode::kInvalidInput);
inline constexpr int kInterrupted = code(ExitCode::kInterrupted);

// A subcommand's action, chosen by the parser.
using Action = std::function<int()>;

// The trace-reading flags shared by subcommands that read a trace.
struct ReaderFlags {
  std::uint32_t block_size = 512;  // flags::kDefaultBlockSize
  bool skip_invalid = false;
  std::optional<double> start_ms;
  std::optional<double> end_ms;
  std::string hash_id_check = "warn";
  std::string format_in = "auto";
  CLI::Option* block_size_option = nullptr;  // to tell a given --block-size from the default

  void add_to(CLI::App& app, bool with_hash_id_check);
  trace::ReaderOptions options() const;
  // Opens `path` as --format-in says (formats::open_trace).
  std::unique_ptr<trace::TraceReader> open(const std::string& path) const;
};

// The progress line of the passes over an input (validate, hash).
using core::Progress;

using trace::read_requests;

using core::write_text;

bool stdout_is_tty();

// Where scripts/setup installs the default tokenizer, relative to the kvtrace binary (build/).
inline constexpr std::string_view kDefaultTokenizer = prompt::kInstalledTokenizer;

// A file that scripts/setup installs next to the kvtrace binary: its path there, and whether
// it is there.
struct Installed {
  std::string path;
  bool present = false;
};
Installed installed(std::string_view relative);

// A file installed next to the kvtrace binary by scripts/setup, or a UsageError telling to
// give `flag` instead.
std::string installed_default(std::string_view relative, std::string_view flag);

void add_analyze(CLI::App& app, Action& action);
void add_validate(CLI::App& app, Action& action);
void add_synthesize(CLI::App& app, Action& action);
void add_compare(CLI::App& app, Action& action);
void add_convert(CLI::App& app, Action& action);
void add_materialize(CLI::App& app, Action& action);
void add_hash(CLI::App& app, Action& action);
void add_simulate(CLI::App& app, Action& action);
void add_report(CLI::App& app, Action& action);
void add_replay(CLI::App& app, Action& action);
void add_mock_server(CLI::App& app, Action& action);

}  // namespace kvtrace::cli
