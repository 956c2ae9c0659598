#pragma once
// The kvtrace::Error family: what the library throws at its boundary, one class per cause,
// and the exit code the CLI gives each (docs/cli.md):
//
//   cause                                   thrown as                      exit code
//   bad argument values                     UsageError                     64 kUsage
//   bad input data (file:line: field: ...)  InputError                     2  kInvalidInput
//   a file or connection that fails         IoError                        3  kIoFailure
//   input beyond a size limit, no memory    LimitError, std::bad_alloc     4  kLimit
//   a bug (broken invariant, misuse)        std::logic_error               1  kInternal
//   stopped by Ctrl-C                       a result flag (replay), or     130 kInterrupted
//                                           Interrupted (a caller's stop flag)
//
// Library messages name the parameter at fault (UsageError::parameter()), never a CLI flag:
// the CLI maps parameters to its flag names.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace kvtrace {

enum class ExitCode : int {
  kOk = 0,
  kInternal = 1,
  kInvalidInput = 2,  // also `validate` finding problems
  kIoFailure = 3,
  kLimit = 4,
  kUsage = 64,
  kInterrupted = 130,  // 128 + SIGINT, what shells report for Ctrl-C
};

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad argument value (e.g. block size 0). With a parameter, what() is "parameter: problem"
// and the CLI shows the parameter's flag instead.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message) {}
  UsageError(std::string parameter, const std::string& problem)
      : Error(parameter + ": " + problem), parameter_(std::move(parameter)), problem_(problem) {}

  // Empty when the message names no single parameter.
  const std::string& parameter() const { return parameter_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string parameter_;
  std::string problem_;
};

// A file, pipe or network peer that cannot be opened, read, written or reached.
class IoError : public Error {
 public:
  using Error::Error;
};

// A long call stopped because its caller asked it to (a stop flag set on Ctrl-C, e.g. by the
// Python package: docs/python.md).
class Interrupted : public Error {
 public:
  using Error::Error;
};

// Valid input that exceeds a fixed limit of a data structure (e.g. 2^31 distinct hash ids).
class LimitError : public Error {
 public:
  using Error::Error;
};

// Bad input data: names the source, the 1-based line (0 when not line-bound), the field
// (empty when the whole line is at fault) and the problem.
class InputError : public Error {
 public:
  InputError(std::string source, std::uint64_t line, std::string field, std::string problem)
      : Error(format(source, line, field, problem)),
        source_(std::move(source)),
        line_(line),
        field_(std::move(field)),
        problem_(std::move(problem)) {}

  const std::string& source() const { return source_; }
  std::uint64_t line() const { return line_; }
  const std::string& field() const { return field_; }
  const std::string& problem() const { return problem_; }

  // "file:line: field: problem", leaving out the parts that are empty or zero.
  static std::string format(const std::string& source, std::uint64_t line, const std::string& field,
                            const std::string& problem) {
    std::string out = source;
    if (line != 0) out.append(":").append(std::to_string(line));
    out.append(": ");
    if (!field.empty()) out.append(field).append(": ");
    out.append(problem);
    return out;
  }

 private:
  std::string source_;
  std::uint64_t line_;
  std::string field_;
  std::string problem_;
};

}  // namespace kvtrace
