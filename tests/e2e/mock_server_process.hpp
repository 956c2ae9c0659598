#pragma once
// `kvtrace mock-server` run as a process for the e2e tests, and one request to it.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

// GCC 12 with sanitizers reports a false maybe-uninitialized (a boost::optional) inside
// Beast's parser.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "test_util.hpp"

extern char** environ;

namespace kvtrace::testing {

namespace mock_http = boost::beast::http;

// `kvtrace mock-server ARGS` in the background, stdout on a pipe, stderr to a file.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> args) : err_("", ".err") {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.path().c_str(),
                                     O_WRONLY | O_TRUNC, 0644);
    args.insert(args.begin(), {KVTRACE_BINARY, "mock-server"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, KVTRACE_BINARY, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_) std::fclose(out_);
  }

  // The first stdout line (blocks until the server prints it or exits).
  std::string first_line() {
    char line[256] = {};
    if (std::fgets(line, sizeof line, out_) == nullptr) return "";
    return line;
  }

  // Sends `sig` and returns the exit code.
  int stop(int sig) {
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string err() const { return read_file(err_.path()); }

 private:
  TempFile err_;
  pid_t pid_ = -1;
  std::FILE* out_ = nullptr;
};

// One request on a new connection; nothing when no whole response comes within 20 s.
inline std::optional<mock_http::response<mock_http::string_body>> post(std::uint16_t port,
                                                                       std::string target,
                                                                       std::string body) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  mock_http::request<mock_http::string_body> req{mock_http::verb::post, target, 11};
  req.set(mock_http::field::host, "127.0.0.1");
  req.body() = std::move(body);
  req.prepare_payload();
  mock_http::write(socket, req);
  boost::beast::flat_buffer buffer;
  mock_http::response<mock_http::string_body> res;
  bool read = false;
  mock_http::async_read(socket, buffer, res,
                        [&](boost::system::error_code ec, std::size_t) { read = !ec; });
  io.run_for(std::chrono::seconds(20));
  if (!read) return std::nullopt;
  return res;
}

}  // namespace kvtrace::testing
