#pragma once
// The kvtrace::Error family: what the library throws at its boundary. The CLI turns each
// kind into one line on stderr and a distinct exit code (docs/cli.md).

#include <cstdint>
#include <stdexcept>
#include <string>

namespace kvtrace {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad argument value or a call the API does not allow (e.g. block size 0).
class UsageError : public Error {
 public:
  using Error::Error;
};

// A file that cannot be opened, read or written.
class IoError : public Error {
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
