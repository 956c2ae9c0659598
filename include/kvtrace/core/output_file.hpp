#pragma once
// The one way kvtrace opens what it writes. A path of "-" is standard output, named "<stdout>"
// in messages; any other path is created or truncated, its parent folders created first.
// Writes go straight to the file descriptor (no stdio buffer), so callers hand over large
// pieces; every failure is an IoError naming the file.

#include <string>
#include <string_view>

namespace kvtrace::core {

inline constexpr std::string_view kStdoutName = "<stdout>";

class OutputFile {
 public:
  explicit OutputFile(const std::string& path);
  ~OutputFile();  // closes; a failure there is lost, so callers that care call close()
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // "<stdout>" or the path as given (as trace::LineReader names stdin "<stdin>").
  const std::string& name() const { return name_; }
  void write(std::string_view bytes);
  // Closes the file (stdout stays open); later calls do nothing.
  void close();

 private:
  std::string name_;
  int fd_ = -1;
  bool owned_ = false;
};

// Writes all of `text` to `path` ("-": stdout), as OutputFile does.
void write_text(const std::string& path, std::string_view text);

}  // namespace kvtrace::core
