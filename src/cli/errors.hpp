#pragma once
// How the CLI reports a failure: one line on stderr and the exit code of its cause
// (kvtrace::ExitCode, core/error.hpp).

#include <exception>
#include <string>
#include <string_view>

namespace kvtrace::cli {

// The flag that sets a library parameter: "--" + the name with '_' as '-', except where a
// flag's name differs from its parameter's.
std::string flag_for(std::string_view parameter);

// The message and exit code of an exception thrown by a subcommand's action.
struct Failure {
  std::string message;  // "kvtrace: error: ..." without the newline
  int exit_code;
};
Failure describe(std::exception_ptr error);

}  // namespace kvtrace::cli
