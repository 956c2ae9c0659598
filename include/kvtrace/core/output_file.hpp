#pragma once
// The one way kvtrace opens what it writes. A path of "-" is standard output, named "<stdout>"
// in messages; any other path gets its parent folders created first.
//
// A regular file (or a new one) is staged: written as PATH.tmp.PID beside it and renamed over
// PATH by close(), so that a run that fails or is interrupted never leaves a file that could
// pass for a complete one (an existing PATH stays as it was; a PATH.tmp.PID left by a killed
// run says what it is). A symbolic link keeps pointing at the file it names. Stdout, pipes and
// devices are written as the run goes, and so is a file opened Staging::kStreamed (replay's
// records, read while they grow). Writes go straight to the file descriptor (no stdio
// buffer), so callers hand over large pieces; every failure is an IoError naming PATH.

#include <string>
#include <string_view>

namespace kvtrace::core {

inline constexpr std::string_view kStdoutName = "<stdout>";

enum class Staging {
  kStaged,    // a regular file appears whole at close(), or not at all
  kStreamed,  // written in place as the run goes
};

class OutputFile {
 public:
  explicit OutputFile(const std::string& path, Staging staging = Staging::kStaged);
  ~OutputFile();  // discard(): only close() puts a staged file in place
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // "<stdout>" or the path as given (as trace::LineReader names stdin "<stdin>").
  const std::string& name() const { return name_; }
  void write(std::string_view bytes);
  // Closes the file (stdout stays open) and puts a staged file in place; later calls do
  // nothing. On failure the staged file is removed.
  void close();
  // Closes the file and removes a staged one (what was streamed stays); never throws.
  void discard() noexcept;

 private:
  void remove_staged() noexcept;

  std::string name_;
  std::string final_path_;   // where a staged file goes
  std::string staged_path_;  // PATH.tmp.PID while staged, else empty
  int fd_ = -1;
  bool owned_ = false;
};

// Writes all of `text` to `path` ("-": stdout), as OutputFile does.
void write_text(const std::string& path, std::string_view text);

}  // namespace kvtrace::core
