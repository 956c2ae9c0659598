// kvtrace mock-server end to end: the first stdout line names the port, requests are served
// over loopback, SIGTERM stops it with exit 0 and a summary, bad flags exit 64 before any
// tokenizer is loaded.

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <fmt/format.h>

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

#include "test_util.hpp"
#include "tokenizer/tokenizer_test_util.hpp"

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempFile;

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
std::optional<http::response<http::string_body>> post(std::uint16_t port, std::string target,
                                                      std::string body) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.body() = std::move(body);
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  bool read = false;
  http::async_read(socket, buffer, res,
                   [&](boost::system::error_code ec, std::size_t) { read = !ec; });
  io.run_for(std::chrono::seconds(20));
  if (!read) return std::nullopt;
  return res;
}

TEST(CliMockServer, ServesUntilSigterm) {
  const kvtrace::testing::TempDir dir;
  const std::string tokenizer =
      dir.write("tokenizer.json", kvtrace::testing::tiny_tokenizer_json());
  ServerProcess server({"--tokenizer", tokenizer, "--ttft-ms", "1", "--itl-ms", "1", "--error-rate",
                        "0.5", "--seed", "3"});
  const std::string line = server.first_line();
  ASSERT_EQ(line.rfind("listening on http://127.0.0.1:", 0), 0u) << line << server.err();
  const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  int ok = 0, errors = 0;
  for (int i = 0; i < 20; ++i) {
    const auto res = post(port, "/v1/chat/completions",
                          R"({"messages":[{"role":"user","content":"hello"}],"max_tokens":3,)"
                          R"("stream":true})");
    ASSERT_TRUE(res.has_value());
    if (res->result_int() == 200) {
      ++ok;
      EXPECT_NE(res->body().find("data: [DONE]\n\n"), std::string::npos);
    } else {
      ++errors;
      EXPECT_EQ(res->result_int(), 500u);
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(errors, 0);
  EXPECT_EQ(server.stop(SIGTERM), 0);
  const std::string err = server.err();
  EXPECT_NE(err.find("stopped by SIGTERM: 20 completion requests"), std::string::npos) << err;
  EXPECT_NE(err.find(fmt::format("injected {} errors", errors)), std::string::npos) << err;
}

TEST(CliMockServer, BadFlagsAreUsageErrors) {
  for (const char* args : {"--error-rate 2", "--itl-ms -1", "--cache-policy mru", "--port x",
                           "--tokenizer /nonexistent --stall-rate 1.5"}) {
    const auto r = run_kvtrace(std::string("mock-server ") + args);
    EXPECT_EQ(r.exit_code, 64) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
  }
}

TEST(CliMockServer, AnAddressItCannotBindIsAnIoError) {
  const kvtrace::testing::TempDir dir;
  const std::string tokenizer =
      dir.write("tokenizer.json", kvtrace::testing::tiny_tokenizer_json());
  // 192.0.2.1 is TEST-NET-1: no interface of this machine has it.
  const auto r = run_kvtrace("mock-server --host 192.0.2.1 --tokenizer " + tokenizer);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("cannot listen on 192.0.2.1:0"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
