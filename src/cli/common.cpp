#include "cli/common.hpp"

#include "cli/flags.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/open_trace.hpp"
#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::cli {

void ReaderFlags::add_to(CLI::App& app, bool with_hash_id_check) {
  block_size_option = flags::trace_block_size(app, block_size);
  flags::format_in(app, format_in);
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
  o.block_size_auto = block_size == 0;
  o.block_size = o.block_size_auto ? flags::kDefaultBlockSize : block_size;
  o.block_size_given = block_size_option != nullptr && block_size_option->count() > 0;
  o.skip_invalid = skip_invalid;
  o.window.start_ms = start_ms;
  o.window.end_ms = end_ms;
  o.hash_id_check = hash_id_check == "ignore"  ? trace::HashIdCheck::kIgnore
                    : hash_id_check == "error" ? trace::HashIdCheck::kError
                                               : trace::HashIdCheck::kCount;
  return o;
}

std::unique_ptr<trace::TraceReader> ReaderFlags::open(const std::string& path) const {
  return formats::open_trace(path, options(), *formats::parse_format(format_in));
}

bool stdout_is_tty() {
  return ::isatty(STDOUT_FILENO) == 1;
}

Installed installed(std::string_view relative) {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / relative;
  return {path.string(), !ec && std::filesystem::exists(path)};
}

std::string installed_default(std::string_view relative, std::string_view flag) {
  const Installed file = installed(relative);
  if (!file.present) {
    throw UsageError(fmt::format(
        "give {}: its default, {}, is not installed (scripts/setup installs it)", flag, file.path));
  }
  return file.path;
}

}  // namespace kvtrace::cli
