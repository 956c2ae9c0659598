// kvtrace mock-server end to end: the first stdout line names the port, requests are served
// over loopback, SIGTERM stops it with exit 0 and a summary, bad flags exit 64 before any
// tokenizer is loaded.

#include <gtest/gtest.h>
#include <signal.h>

#include <fmt/format.h>

#include <string>

#include "e2e/mock_server_process.hpp"
#include "test_util.hpp"
#include "tokenizer/tokenizer_test_util.hpp"

namespace {

using kvtrace::testing::post;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::ServerProcess;

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
