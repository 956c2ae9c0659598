#include "cli/common.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/batch_reader.hpp"

namespace kvtrace::cli {
namespace {

constexpr std::uint64_t kProgressMinBytes = std::uint64_t{50} << 20;

}  // namespace

void ReaderFlags::add_to(CLI::App& app, bool with_hash_id_check) {
  app.add_option("-b,--block-size", block_size, "Tokens per KV-cache block (hash id)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 30));
  app.add_flag("--skip-invalid", skip_invalid,
               "Skip bad lines and report how many were skipped, instead of stopping at the "
               "first one (exit code 2)");
  app.add_option("--start-ms", start_ms,
                 "Leave out requests with a timestamp before this (ms); counted");
  app.add_option("--end-ms", end_ms,
                 "Leave out requests with a timestamp after this (ms); counted");
  if (with_hash_id_check) {
    app.add_option("--hash-id-check", hash_id_check,
                   "When len(hash_ids) != ceil(input_length / block size): ignore, warn "
                   "(count and report) or error (a bad line)")
        ->capture_default_str()
        ->check(CLI::IsMember({"ignore", "warn", "error"}));
  }
}

trace::ReaderOptions ReaderFlags::options() const {
  trace::ReaderOptions o;
  o.block_size = block_size;
  o.skip_invalid = skip_invalid;
  o.window.start_ms = start_ms;
  o.window.end_ms = end_ms;
  o.hash_id_check = hash_id_check == "ignore"  ? trace::HashIdCheck::kIgnore
                    : hash_id_check == "error" ? trace::HashIdCheck::kError
                                               : trace::HashIdCheck::kCount;
  return o;
}

void report_reader_counts(const trace::TraceReader& reader) {
  const auto& c = reader.counts();
  if (c.skipped_invalid > 0) {
    fmt::print(stderr, "kvtrace: warning: skipped {} invalid line{} (first: {})\n",
               c.skipped_invalid, c.skipped_invalid == 1 ? "" : "s", c.first_skipped);
  }
  if (c.outside_window > 0) {
    fmt::print(stderr, "kvtrace: note: left out {} request{} outside the time window\n",
               c.outside_window, c.outside_window == 1 ? "" : "s");
  }
  if (c.hash_id_mismatches > 0) {
    fmt::print(stderr,
               "kvtrace: warning: {} request{} with a hash_ids count other than "
               "ceil(input_length / block size), used as given (first: {})\n",
               c.hash_id_mismatches, c.hash_id_mismatches == 1 ? "" : "s", c.first_mismatch);
  }
}

Progress::Progress(std::string label, std::optional<std::uint64_t> total_bytes)
    : label_(std::move(label)), total_(total_bytes) {
  enabled_ = ::isatty(STDERR_FILENO) == 1 && total_ && *total_ >= kProgressMinBytes;
  start_ = last_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
  done();
}

void Progress::draw(std::uint64_t bytes, std::uint64_t items) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double mb = static_cast<double>(bytes) / 1e6;
  fmt::print(stderr, "\r{}: {:5.1f}% ({:.0f} of {:.0f} MB, {} requests, {:.0f} MB/s)   ", label_,
             100.0 * static_cast<double>(bytes) / static_cast<double>(*total_), mb,
             static_cast<double>(*total_) / 1e6, items, seconds > 0 ? mb / seconds : 0.0);
  drawn_ = true;
}

void Progress::done() {
  if (drawn_) fmt::print(stderr, "\r\033[K");
  drawn_ = false;
  enabled_ = false;
}

std::vector<trace::Request> read_requests(trace::TraceReader& reader,
                                          std::vector<std::uint64_t>* lines) {
  // Requests read before the arrays are sized from the file size.
  constexpr std::size_t kSampleRequests = 4096;
  std::vector<trace::Request> requests;
  Progress progress("read", reader.total_bytes());
  trace::read_batched(reader, [&](const trace::RequestBatch& batch) {
    for (trace::Request& r : batch.requests) requests.push_back(std::move(r));
    if (lines != nullptr) lines->insert(lines->end(), batch.lines.begin(), batch.lines.end());
    progress.update(batch.position, requests.size());
    if (requests.size() >= kSampleRequests && requests.capacity() < 2 * kSampleRequests) {
      // Size the arrays for the whole file once: no copies while they grow.
      const std::uint64_t total = extrapolate(reader, requests.size(), batch.position);
      requests.reserve(total);
      if (lines != nullptr) lines->reserve(total);
    }
  });
  progress.done();
  report_reader_counts(reader);
  if (requests.empty()) throw InputError(reader.name(), 0, "", "no requests in the trace");
  return requests;
}

std::uint64_t extrapolate(const trace::TraceReader& reader, std::uint64_t items,
                          std::uint64_t position) {
  if (!reader.total_bytes() || position == 0) return items;
  const double scale =
      1.1 * static_cast<double>(*reader.total_bytes()) / static_cast<double>(position);
  return static_cast<std::uint64_t>(scale * static_cast<double>(items));
}

bool stdout_is_tty() {
  return ::isatty(STDOUT_FILENO) == 1;
}

std::string installed_default(std::string_view relative, std::string_view flag) {
  std::error_code ec;
  const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  const auto path = exe_dir / relative;
  if (ec || !std::filesystem::exists(path)) {
    throw UsageError(
        fmt::format("give {}: its default, {}, is not installed (scripts/setup "
                    "installs it)",
                    flag, path.string()));
  }
  return path.string();
}

}  // namespace kvtrace::cli
