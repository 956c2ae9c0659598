#include "kvtrace/report/export.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/output_file.hpp"
#include "kvtrace/report/page.hpp"

extern char** environ;

namespace kvtrace::report {
namespace {

namespace fs = std::filesystem;

// Runs `argv` (found on the PATH) and waits for it; throws IoError naming `why` when it
// cannot start or does not exit 0.
void run(const std::vector<std::string>& argv, std::string_view why) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int started = ::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (started != 0) {
    throw IoError(fmt::format("cannot run {} ({}): {}", argv[0], why, std::strerror(started)));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw IoError(fmt::format("waiting for {}: {}", argv[0], std::strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw IoError(fmt::format("{} ({}) failed with {} {}", argv[0], why,
                              WIFEXITED(status) ? "exit code" : "signal",
                              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status)));
  }
}

// A folder of our own under the temporary directory, removed when done.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "kvtrace-export-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw IoError(fmt::format("cannot create a temporary folder: {}", std::strerror(errno)));
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

std::vector<std::string> export_images(const Report& report, const std::string& dir,
                                       ImageFormat format) {
  require_chart_library();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError(fmt::format("cannot create {}: {}", dir, ec.message()));
  const ScratchDir scratch;
  const fs::path& tmp = scratch.path();
  core::write_text((tmp / "echarts.js").string(), chart_library_script());
  core::write_text((tmp / "report.js").string(), page_script());
  core::write_text((tmp / "export.js").string(), export_script());
  core::write_text((tmp / "data.json").string(), report_json(report));
  const fs::path svg_dir = format == ImageFormat::kSvg ? fs::path(dir) : tmp / "svg";
  fs::create_directories(svg_dir);
  run({"node", (tmp / "export.js").string(), (tmp / "data.json").string(), svg_dir.string()},
      "Node.js draws the figures; Debian package nodejs");
  std::vector<std::string> files;
  for (const Section& s : report.sections) {
    for (const Figure& f : s.figures) {
      const fs::path svg = svg_dir / (f.id + ".svg");
      if (format == ImageFormat::kSvg) {
        files.push_back(svg.string());
        continue;
      }
      const fs::path png = fs::path(dir) / (f.id + ".png");
      run({"rsvg-convert", "--zoom", "2", "--background-color", "white", "--output", png.string(),
           svg.string()},
          "it turns SVG into PNG; Debian package librsvg2-bin");
      files.push_back(png.string());
    }
  }
  return files;
}

}  // namespace kvtrace::report
