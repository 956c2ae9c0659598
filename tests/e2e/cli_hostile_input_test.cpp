// Hostile input end to end, through the real binary: deep nesting, huge numbers, duplicate
// keys, a byte order mark, CRLF, invalid UTF-8, a line over the 100 MiB limit, trailing
// text, a closed or full output, SIGINT and out-of-range flags. Each gets the exit code of
// core/error.hpp (2 bad input, 3 I/O, 4 limit, 64 usage) and a message naming the fault.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "e2e/mock_server_process.hpp"
#include "test_util.hpp"
#include "tokenizer/tokenizer_test_util.hpp"

namespace {

using kvtrace::testing::post;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::ServerProcess;
using kvtrace::testing::TempFile;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every subcommand that reads a Mooncake trace, on `path`; materialize reads the whole trace
// before it loads its tokenizer and corpus, which need not exist for a bad trace.
std::vector<std::string> readers(const std::string& path) {
  return {
      "analyze -f json " + path,
      "validate " + path,
      "synthesize -o /dev/null " + path,
      "compare -f json " + path + " " + path,
      "simulate -f json -c 100 " + path,
      "materialize --tokenizer /nonexistent --corpus /nonexistent --scope s -o /dev/null " + path};
}

// The process's end as a shell reports it: the exit code, or 128 + the signal.
int shell_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// `kvtrace ARGS` with stdin and stdout on the given descriptors (-1: inherited), stderr
// discarded; returns its pid.
pid_t spawn_kvtrace(std::vector<std::string> args, int in, int out) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in >= 0) posix_spawn_file_actions_adddup2(&actions, in, STDIN_FILENO);
  if (out >= 0) posix_spawn_file_actions_adddup2(&actions, out, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  args.insert(args.begin(), KVTRACE_BINARY);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, KVTRACE_BINARY, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return shell_status(status);
}

// 200,000 nested arrays in an unknown field (400 KB): the validation's recursion overflowed
// the stack, a SIGSEGV in every reader, --skip-invalid or not.
TEST(CliHostileInput, DeepNestingIsABadLineInEveryReader) {
  const std::size_t deep = 200'000;
  TempFile trace(R"({"input_length": 1, "x": )" + std::string(deep, '[') + std::string(deep, ']') +
                 "}\n{\"input_length\": 2, \"hash_ids\": [1]}\n");
  const std::string message =
      trace.path() + ":1: x: nesting deeper than 256 levels of arrays and objects";
  for (const std::string& args : readers(trace.path())) {
    const auto r = run_kvtrace(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_TRUE(has(r.out + r.err, message)) << args << "\n" << r.out << r.err;
  }
  const auto skipped = run_kvtrace("analyze -f json --skip-invalid " + trace.path());
  EXPECT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_TRUE(has(skipped.err, "skipped 1 invalid line (first: " + message + ")")) << skipped.err;
  // `hash` skips unknown fields without recursion.
  TempFile conversation(R"({"x": )" + std::string(deep, '[') + std::string(deep, ']') +
                        R"(, "tokens": [1, 2]})" + "\n");
  const auto hashed = run_kvtrace("hash --threads 1 -o /dev/null " + conversation.path());
  EXPECT_EQ(hashed.exit_code, 0) << hashed.err;
}

// Two input lengths of 2^63-1 summed to a negative avg_isl (signed overflow), exit 0.
TEST(CliHostileInput, HugeNumbers) {
  TempFile two(
      "{\"input_length\": 9223372036854775807, \"output_length\": 1}\n"
      "{\"input_length\": 9223372036854775807, \"output_length\": 1}\n");
  const auto r = run_kvtrace("analyze -f json " + two.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, R"("avg_isl": 9.223372036854776e+18)")) << r.out;
  EXPECT_TRUE(has(r.out, R"("total_input_tokens": 18446744073709551614)")) << r.out;
  TempFile three(
      "{\"input_length\": 9223372036854775807}\n"
      "{\"input_length\": 9223372036854775807}\n"
      "{\"input_length\": 9223372036854775807}\n");
  const auto over = run_kvtrace("analyze -f json " + three.path());
  EXPECT_EQ(over.exit_code, 4) << over.err;
  EXPECT_TRUE(has(over.err, "kvtrace: error: the input lengths add up to more than 2^64-1 tokens"))
      << over.err;

  TempFile past(R"({"input_length": 18446744073709551616})"
                "\n");
  const auto p = run_kvtrace("validate " + past.path());
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_TRUE(has(p.out, past.path() + ":1: input_length: out of range")) << p.out;

  // materialize allocated input_length tokens: 1e10 reached 9.9 GB.
  TempFile big(R"({"input_length": 1e10})"
               "\n");
  const auto m = run_kvtrace(
      "materialize --tokenizer /nonexistent --corpus /nonexistent --scope "
      "s -o /dev/null " +
      big.path());
  EXPECT_EQ(m.exit_code, 2) << m.err;
  EXPECT_TRUE(has(m.err, big.path() + ":1: input_length: over the limit of 16777216 tokens, got "
                                      "10000000000"))
      << m.err;
}

TEST(CliHostileInput, DuplicateKeysInATraceLine) {
  TempFile trace(R"({"input_length": 5, "input_length": 6})"
                 "\n");
  for (const std::string& args : readers(trace.path())) {
    const auto r = run_kvtrace(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_TRUE(has(r.out + r.err, trace.path() + ":1: input_length: duplicate field"))
        << args << "\n"
        << r.out << r.err;
  }
}

// A UTF-8 byte order mark was "improper structure"; CRLF line ends were already fine.
TEST(CliHostileInput, ByteOrderMarkAndCrlfAreAccepted) {
  TempFile bom("\xEF\xBB\xBF{\"input_length\": 5}\n{\"input_length\": 7}\n");
  TempFile crlf("{\"input_length\": 5}\r\n{\"input_length\": 7}\r\n");
  for (const TempFile* f : {&bom, &crlf}) {
    const auto v = run_kvtrace("validate " + f->path());
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    EXPECT_TRUE(has(v.err, ": 2 valid requests, 0 problems")) << v.err;
    const auto a = run_kvtrace("analyze -f json " + f->path());
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_TRUE(has(a.out, R"("avg_isl": 6.0)")) << a.out;
  }
  // hash reads a file by byte ranges and stdin by runs of lines: both drop it.
  TempFile conversation("\xEF\xBB\xBF{\"tokens\": [1, 2]}\n{\"tokens\": [3]}\n");
  for (const std::string& input : {conversation.path(), "- < " + conversation.path()}) {
    const auto h = run_kvtrace("hash --threads 2 -o /dev/null " + input);
    EXPECT_EQ(h.exit_code, 0) << input << "\n" << h.err;
  }
  // Only at the start of the file.
  TempFile later("{\"input_length\": 5}\n\xEF\xBB\xBF{\"input_length\": 7}\n");
  const auto v = run_kvtrace("validate " + later.path());
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_TRUE(has(v.out, later.path() + ":2: invalid JSON")) << v.out;
}

TEST(CliHostileInput, InvalidUtf8IsABadLine) {
  TempFile trace("{\"input_length\": 5, \"x\": \"\xff\"}\n");
  const auto r = run_kvtrace("analyze -f json " + trace.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, trace.path() + ":1: invalid JSON: The input is not valid UTF-8")) << r.err;
}

// It said "ended early in the middle of an object or array".
TEST(CliHostileInput, TextAfterTheObjectIsNamed) {
  TempFile trace(R"({"input_length": 5} x)"
                 "\n");
  const auto r = run_kvtrace("analyze -f json " + trace.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(
      has(r.err, trace.path() + ":1: invalid JSON: trailing characters after the JSON object"))
      << r.err;
}

// A sparse file: the 101 MiB line costs no disk. One run (about a second): --skip-invalid
// is tested above.
TEST(CliHostileInput, ALineOverTheLimitIsABadLine) {
  TempFile trace("{\"input_length\": 5}\n");
  std::filesystem::resize_file(trace.path(), 20 + (std::uintmax_t{101} << 20));
  std::ofstream(trace.path(), std::ios::app) << "\n{\"input_length\": 7}\n";
  const auto r = run_kvtrace("analyze -f json " + trace.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, trace.path() + ":2: line longer than the limit of 104857600 bytes"))
      << r.err;
}

TEST(CliHostileInput, AClosedOrFullOutputIsAnIoError) {
  const std::string sample = kvtrace::testing::kSample;
  // In a subshell: run_kvtrace's own redirection would reopen the stdout closed here.
  const auto closed = kvtrace::testing::run_shell(std::string("(") + KVTRACE_BINARY +
                                                  " analyze -f json " + sample + " >&-)");
  EXPECT_EQ(closed.exit_code, 3);
  EXPECT_TRUE(has(closed.err, "kvtrace: error: cannot write <stdout>: Bad file descriptor"))
      << closed.err;
  for (const std::string& args :
       {"analyze -f json -o /dev/full " + sample, "synthesize -o /dev/full " + sample,
        "simulate -f json -c 100 -o /dev/full " + sample}) {
    const auto full = run_kvtrace(args);
    EXPECT_EQ(full.exit_code, 3) << args;
    EXPECT_TRUE(has(full.err, "kvtrace: error: cannot write /dev/full: No space left on device"))
        << args << "\n"
        << full.err;
  }
  // A reader that went away (`| head -c0`): SIGPIPE ends the process, as it does cat.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  const pid_t pid = spawn_kvtrace({"analyze", "-f", "json", sample}, -1, fds[1]);
  ::close(fds[1]);
  EXPECT_EQ(wait_for(pid), 128 + SIGPIPE);
}

// Ctrl-C while a reader waits for input ends it as the signal does (a shell reports 130);
// mock-server stops cleanly.
TEST(CliHostileInput, SigintMidRun) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = spawn_kvtrace({"analyze", "-f", "json", "-"}, fds[0], -1);
  ::close(fds[0]);
  const std::string line = "{\"input_length\": 5}\n";
  ASSERT_EQ(::write(fds[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
  ::kill(pid, SIGINT);
  EXPECT_EQ(wait_for(pid), 130);
  ::close(fds[1]);

  const kvtrace::testing::TempDir dir;
  ServerProcess server(
      {"--tokenizer", dir.write("tokenizer.json", kvtrace::testing::tiny_tokenizer_json())});
  ASSERT_EQ(server.first_line().rfind("listening on", 0), 0u) << server.err();
  EXPECT_EQ(server.stop(SIGINT), 0);
  EXPECT_TRUE(has(server.err(), "stopped by SIGINT")) << server.err();
}

// CLI11 said "Could not convert" (or "At Most 1 required but received 2") for a value past
// the flag's type, and took -1 as 2^64-1 for an unsigned flag.
TEST(CliHostileInput, OutOfRangeFlagsNameTheFlagAndTheRange) {
  const std::pair<std::string, std::string> cases[] = {
      {"mock-server --port 65536", "kvtrace: error: --port: must be at most 65535, got 65536"},
      {"mock-server --port -1", "kvtrace: error: --port: must be at least 0, got -1"},
      {"mock-server --ttft-ms 1e300",
       "kvtrace: error: --ttft-ms: must be at most 3600000 (one hour), got 1e+300"},
      {"mock-server --itl-ms 1e10", "kvtrace: error: --itl-ms: must be at most 3600000"},
      {"mock-server --stall-ms 1e19", "kvtrace: error: --stall-ms: must be at most 3600000"},
      {"mock-server --read-timeout-ms 0", "kvtrace: error: --read-timeout-ms: must be more than 0"},
      {"mock-server --idle-timeout-ms 1e300",
       "kvtrace: error: --idle-timeout-ms: must be more than 0 and at most 3600000"},
      {"mock-server --max-body-bytes 0", "kvtrace: error: --max-body-bytes: must be at least 1"},
      {"mock-server --max-tokens 99999999999999999999",
       "kvtrace: error: --max-tokens: must be at most 1000000, got 99999999999999999999"},
      {"mock-server --threads 5000", "kvtrace: error: --threads: must be at most 4096, got 5000"},
      {"analyze -b 0 x", "kvtrace: error: --block-size: must be at least 1, got 0"},
      {"analyze -b 010x x", "kvtrace: error: --block-size: expected an integer, got 010x"},
      {"simulate -c -1 x", "kvtrace: error: --capacity: must be at least 0, got -1"},
      {"simulate -w 0 -c 1 x", "kvtrace: error: --workers: must be at least 1, got 0"},
      {"synthesize --seed -1 x", "kvtrace: error: --seed: must be at least 0, got -1"},
      {"synthesize -n 18446744073709551616 x",
       "kvtrace: error: --num-requests: must be at most 18446744073709551615, got "
       "18446744073709551616"},
  };
  for (const auto& [args, message] : cases) {
    // mock-server must fail on the flag, not on the tokenizer (nor start and serve).
    const bool mock = args.rfind("mock-server", 0) == 0;
    const auto r = run_kvtrace(args + (mock ? " --tokenizer /nonexistent" : ""));
    EXPECT_EQ(r.exit_code, 64) << args << "\n" << r.err;
    EXPECT_TRUE(has(r.err, message)) << args << "\n" << r.err;
  }
}

// {"prompt":[1,2,3],"prompt":"hello world"} was served with prompt_tokens 0.
TEST(CliHostileInput, MockServerRefusesDuplicateKeys) {
  const kvtrace::testing::TempDir dir;
  ServerProcess server({"--tokenizer",
                        dir.write("tokenizer.json", kvtrace::testing::tiny_tokenizer_json()),
                        "--ttft-ms", "0", "--itl-ms", "0"});
  const std::string line = server.first_line();
  ASSERT_EQ(line.rfind("listening on http://127.0.0.1:", 0), 0u) << line << server.err();
  const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  const auto res = post(port, "/v1/completions", R"({"prompt":[1,2,3],"prompt":"hello world"})");
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->result_int(), 400u);
  EXPECT_TRUE(has(res->body(), "request body: prompt: duplicate key: give each key once"))
      << res->body();
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

}  // namespace
