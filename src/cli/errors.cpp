#include "cli/errors.hpp"

#include <new>
#include <stdexcept>
#include <utility>

#include "cli/common.hpp"
#include "kvtrace/core/error.hpp"

namespace kvtrace::cli {
namespace {

// Parameters whose flag is not their name with dashes.
constexpr std::pair<std::string_view, std::string_view> kFlagOf[] = {
    {"capacity_blocks", "--capacity"},
    {"gpu_mem_gib", "--gpu-mem"},
    {"overlap_score_weight", "--overlap-weight"},
    {"prefill_tokens_per_s", "--prefill-tps"},
    {"decode_tokens_per_s", "--decode-tps"},
    {"speedup", "--speedup-ratio"},
};

}  // namespace

std::string flag_for(std::string_view parameter) {
  for (const auto& [name, flag] : kFlagOf) {
    if (name == parameter) return std::string(flag);
  }
  std::string flag = "--";
  for (const char c : parameter) flag.push_back(c == '_' ? '-' : c);
  return flag;
}

Failure describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const InputError& e) {
    return {std::string("kvtrace: error: ") + e.what(), kInvalidInput};
  } catch (const IoError& e) {
    return {std::string("kvtrace: error: ") + e.what(), code(ExitCode::kIoFailure)};
  } catch (const UsageError& e) {
    const std::string what =
        e.parameter().empty() ? e.what() : flag_for(e.parameter()) + ": " + e.problem();
    return {"kvtrace: error: " + what, code(ExitCode::kUsage)};
  } catch (const LimitError& e) {
    return {std::string("kvtrace: error: ") + e.what(), code(ExitCode::kLimit)};
  } catch (const Interrupted& e) {
    return {std::string("kvtrace: ") + e.what(), code(ExitCode::kInterrupted)};
  } catch (const std::bad_alloc&) {
    return {"kvtrace: error: out of memory", code(ExitCode::kLimit)};
  } catch (const std::logic_error& e) {
    return {std::string("kvtrace: internal error (a bug, please report it): ") + e.what(),
            code(ExitCode::kInternal)};
  } catch (const std::exception& e) {
    return {std::string("kvtrace: internal error: ") + e.what(), code(ExitCode::kInternal)};
  }
}

}  // namespace kvtrace::cli
