// kvtrace replay end to end: `kvtrace mock-server --port 0` as a child process, requests
// materialized from the bundled sample, replayed over loopback at a high speedup.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "json_util.hpp"
#include "test_util.hpp"

namespace kvtrace::testing {
namespace {

// A child process running the kvtrace binary; stdout is a pipe.
class Child {
 public:
  explicit Child(std::vector<std::string> args, const std::string& stdout_path = "",
                 const std::string& stderr_path = "/dev/null") {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(stdout_path.empty() ? fds[1]
                                 : ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644),
             STDOUT_FILENO);
      ::dup2(::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), STDERR_FILENO);
      ::close(fds[0]);
      std::vector<char*> argv;
      std::string binary = KVTRACE_BINARY;
      argv.push_back(binary.data());
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    ::close(out_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The first stdout line, waiting at most `seconds`; "" on timeout or end of output.
  std::string first_line(int seconds) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char c;
      if (::read(out_, &c, 1) != 1) return "";
      if (c == '\n') return line;
      line.push_back(c);
    }
    return "";
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // The exit code, or -signal; -1000 when it has not ended within `seconds` (then killed).
  int wait_for(int seconds) {
    int status = 0;
    if (!wait_until([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; },
                    std::chrono::seconds(seconds))) {
      return -1000;
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  // The exit code, or -signal.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

// A mock server child; url() is where it listens.
class Server {
 public:
  explicit Server(std::vector<std::string> extra = {}, std::string itl_ms = "0.5")
      : child_(args(std::move(extra), std::move(itl_ms))) {
    const std::string line = child_.first_line(20);
    const std::string prefix = "listening on ";
    EXPECT_TRUE(line.starts_with(prefix)) << line;
    url_ = line.substr(std::min(prefix.size(), line.size()));
  }
  const std::string& url() const { return url_; }
  void kill() { child_.signal(SIGKILL); }

 private:
  static std::vector<std::string> args(std::vector<std::string> extra, std::string itl_ms) {
    // Fast tokens, no prefill time: a test's run takes about a second.
    std::vector<std::string> a{"mock-server",
                               "--port",
                               "0",
                               "--ttft-ms",
                               "2",
                               "--prefill-tokens-per-s",
                               "1e12",
                               "--itl-ms",
                               itl_ms,
                               "--tokenizer",
                               installed_qwen3_tokenizer()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  Child child_;
  std::string url_;
};

// The mock server and materialize use the Qwen3 tokenizer and corpus scripts/setup installs.
#define SKIP_WITHOUT_INSTALLED_DATA()                                    \
  if (installed_qwen3_tokenizer().empty() || installed_corpus().empty()) \
  GTEST_SKIP() << "Qwen3 tokenizer or corpus not installed (scripts/setup)"

// The first `n` requests of the bundled sample, materialized once per test binary run.
const std::string& requests(std::size_t n) {
  static std::map<std::size_t, std::string> made;
  auto [it, fresh] = made.try_emplace(n);
  if (fresh) {
    const std::string dir = (std::filesystem::temp_directory_path() /
                             ("kvtrace-replay-e2e-" + std::to_string(::getpid())))
                                .string();
    std::filesystem::create_directories(dir);
    const std::string trace = dir + "/trace-" + std::to_string(n) + ".jsonl";
    std::ifstream in(kSample);
    std::ofstream out(trace);
    std::string line;
    for (std::size_t i = 0; i < n && std::getline(in, line); ++i) out << line << '\n';
    out.close();
    it->second = dir + "/requests-" + std::to_string(n) + ".jsonl";
    const RunResult r =
        run_kvtrace("materialize --tokenizer " + installed_qwen3_tokenizer() + " --corpus " +
                    installed_corpus() + " " + trace + " -o " + it->second);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  return it->second;
}

std::string temp_dir(const std::string& name) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("kvtrace-replay-e2e-" + std::to_string(::getpid()) + "-" + name))
                              .string();
  std::filesystem::remove_all(dir);
  return dir;
}

struct Records {
  std::size_t lines = 0;
  std::size_t ok = 0;
  std::map<std::string, std::size_t> errors;
  std::set<std::uint64_t> indices;
};

// Reads records.jsonl, checking each record's consistency on the way.
Records check_records(const std::string& path) {
  Records out;
  for (const Json& r : parse_json_lines(read_file(path))) {
    ++out.lines;
    if (!r.ok()) continue;  // not JSON: a failure already
    out.indices.insert(r["index"].as_uint());
    if (r["ok"].as_bool()) {
      ++out.ok;
      EXPECT_LE(r["ttft_ms"].as_double(), r["e2e_ms"].as_double()) << r;
      EXPECT_EQ(r["output_tokens"].as_uint(), r["max_tokens"].as_uint()) << r;
      EXPECT_EQ(r["token_source"].as_string(), "usage");
      EXPECT_TRUE(r["done"].as_bool());
    } else {
      ++out.errors[r["error_kind"].as_string()];
    }
  }
  return out;
}

Json summary(const std::string& dir) {
  return parse_json(read_file(dir + "/summary.json"));
}

// The complete lines of a file so far (0 before it exists).
std::size_t lines_in(const std::string& path) {
  const std::string text = read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(CliReplay, ReplaysTheSampleAndAccountsForEveryRequest) {
  SKIP_WITHOUT_INSTALLED_DATA();
  const std::string& reqs = requests(150);
  Server server;
  const std::string dir = temp_dir("sample");
  const RunResult r =
      run_kvtrace("replay " + reqs + " --url " + server.url() +
                  " --speedup-ratio 1000 -f table --slo ttft=1000,tpot=100 --output-dir " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Time to first token (ms)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Requests: 150 of 150 sent, 150 completed, 0 failed"), std::string::npos)
      << r.out;
  Records recs = check_records(dir + "/records.jsonl");
  EXPECT_EQ(recs.lines, 150u);
  EXPECT_EQ(recs.ok, 150u);
  EXPECT_EQ(recs.indices.size(), 150u);
  const Json s = summary(dir);
  EXPECT_EQ(s["completed"].as_uint(), 150u);
  EXPECT_EQ(s["max_tokens_mismatches"].as_uint(), 0u);
  EXPECT_GT(s["output_token_throughput"].as_double(), 0);
  EXPECT_GT(s["good_requests"].as_uint(), 0u);
  EXPECT_EQ(s["lateness_ms"]["count"].as_uint(), 150u);
  const std::string csv = read_file(dir + "/records.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 151);
  std::filesystem::remove_all(dir);
}

TEST(CliReplay, InjectedFaultsAreCountedByKind) {
  SKIP_WITHOUT_INSTALLED_DATA();
  const std::string& reqs = requests(100);
  Server server(
      {"--error-rate", "0.2", "--drop-rate", "0.1", "--stall-rate", "0.1", "--stall-ms", "5000"});
  const std::string dir = temp_dir("faults");
  const RunResult r =
      run_kvtrace("replay " + reqs + " --url " + server.url() +
                  " --rate 200 --request-timeout 1.5 --format json --output-dir " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Records recs = check_records(dir + "/records.jsonl");
  EXPECT_EQ(recs.lines, 100u);
  EXPECT_GT(recs.errors.count("http_status"), 0u);
  EXPECT_GT(recs.errors.count("reset"), 0u);
  EXPECT_GT(recs.errors.count("timeout"), 0u);
  const Json s = parse_json(r.out);  // --format json: the summary on stdout
  std::size_t failed = 0;
  for (const auto& [kind, n] : recs.errors) {
    EXPECT_EQ(s["errors"][kind].as_uint(), n) << kind;
    failed += n;
  }
  EXPECT_EQ(s["failed"].as_uint(), failed);
  EXPECT_EQ(s["completed"].as_uint() + failed, 100u);
  std::filesystem::remove_all(dir);
}

TEST(CliReplay, ServerKilledMidRunLeavesCompleteRecords) {
  SKIP_WITHOUT_INSTALLED_DATA();
  const std::string& reqs = requests(150);
  Server server({}, "5");
  const std::string dir = temp_dir("killed");
  Child replay({"replay", reqs, "--url", server.url(), "--concurrency", "8", "--output-dir", dir},
               dir + ".out");
  // Mid-run: once a first request has completed. The rest take far longer (150 requests of
  // 365 tokens on average at 5 ms a token, 8 at a time).
  EXPECT_TRUE(wait_until([&] { return lines_in(dir + "/records.jsonl") > 0; }))
      << "no request completed";
  server.kill();
  EXPECT_EQ(replay.wait(), 0);
  Records recs = check_records(dir + "/records.jsonl");
  const Json s = summary(dir);
  EXPECT_EQ(recs.lines, s["sent"].as_uint());
  EXPECT_EQ(recs.lines, 150u);  // every request was sent: to a dead server, they fail
  EXPECT_GT(recs.ok, 0u);
  EXPECT_GT(recs.errors["connect"] + recs.errors["reset"], 0u);
  EXPECT_EQ(recs.ok + recs.errors["connect"] + recs.errors["reset"], 150u);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".out");
}

TEST(CliReplay, CtrlCStopsSendingAndWritesResults) {
  SKIP_WITHOUT_INSTALLED_DATA();
  const std::string& reqs = requests(150);
  Server server({}, "5");
  const std::string dir = temp_dir("sigint");
  // --speedup: the hidden alias of --speedup-ratio still works.
  Child replay({"replay", reqs, "--url", server.url(), "--speedup", "20", "-f", "table",
                "--drain-timeout", "0.5", "--output-dir", dir},
               dir + ".out");
  // A completed request means the run is under way, its SIGINT handler in place; the trace's
  // 54 s at speedup 20 leave requests to send for 2.7 s.
  EXPECT_TRUE(wait_until([&] { return lines_in(dir + "/records.jsonl") > 0; }))
      << "no request completed";
  replay.signal(SIGINT);
  EXPECT_EQ(replay.wait(), 130);
  Records recs = check_records(dir + "/records.jsonl");
  const Json s = summary(dir);
  EXPECT_TRUE(s["run"]["interrupted"].as_bool());
  EXPECT_EQ(recs.lines, s["sent"].as_uint());
  EXPECT_GT(s["not_sent"].as_uint(), 0u);
  EXPECT_EQ(s["sent"].as_uint() + s["not_sent"].as_uint(), 150u);
  EXPECT_EQ(recs.ok + recs.errors["cancelled"], recs.lines);
  const std::string table = read_file(dir + ".out");
  EXPECT_NE(table.find("not sent (interrupted)"), std::string::npos) << table;
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".out");
}

TEST(CliReplay, ARecordsFileOnAFullDiskEndsTheRunWithItsError) {
  SKIP_WITHOUT_INSTALLED_DATA();
  // The second request is due in an hour: the run must end at the first failed write.
  TempFile reqs(
      "{\"timestamp\":0,\"body\":{\"prompt\":[1,2,3],\"max_tokens\":4,\"stream\":true}}\n"
      "{\"timestamp\":3600000,\"body\":{\"prompt\":[1,2,3],\"max_tokens\":4,\"stream\":true}}\n");
  Server server;
  const std::string dir = temp_dir("full");
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink("/dev/full", dir + "/records.jsonl");
  Child replay({"replay", reqs.path(), "--url", server.url(), "--output-dir", dir}, dir + ".out",
               dir + ".err");
  EXPECT_EQ(replay.wait_for(60), 3);
  const std::string err = read_file(dir + ".err");
  EXPECT_NE(err.find("cannot write " + dir + "/records.jsonl: No space left on device"),
            std::string::npos)
      << err;
  // What it could: the summary on stdout and in summary.json.
  const Json s = parse_json(read_file(dir + ".out"));
  EXPECT_EQ(s["sent"].as_uint(), 1u) << s;
  EXPECT_EQ(s["not_sent"].as_uint(), 1u) << s;
  EXPECT_EQ(summary(dir)["sent"].as_uint(), 1u);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".out");
  std::filesystem::remove(dir + ".err");
}

TEST(CliReplay, AbsurdSizesAndDuplicateKeysAreBadLines) {
  TempFile huge("{\"timestamp\":0,\"body\":{\"prompt\":\"x\",\"max_tokens\":4000000000}}\n");
  RunResult r = run_kvtrace("replay " + huge.path() + " --url http://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(
      r.err.find(huge.path() + ":1: body.max_tokens: 4000000000 is over the limit of 2147483647"),
      std::string::npos)
      << r.err;
  TempFile twice("{\"timestamp\":0,\"body\":{\"prompt\":\"x\"},\"body\":{\"prompt\":\"y\"}}\n");
  r = run_kvtrace("replay " + twice.path() + " --url http://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(twice.path() + ":1: body: duplicate key"), std::string::npos) << r.err;
  TempFile far(
      "{\"timestamp\":0,\"body\":{\"prompt\":\"x\"}}\n"
      "{\"timestamp\":978307200000,\"body\":{\"prompt\":\"x\"}}\n");
  r = run_kvtrace("replay " + far.path() + " --url http://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(far.path() + ":2: timestamp: "), std::string::npos) << r.err;
}

TEST(CliReplay, BadInputAndUsage) {
  TempFile bad("{\"body\":{\"prompt\":\"x\"}}\n{\"timestamp\":1}\n");
  RunResult r = run_kvtrace("replay " + bad.path() + " --url http://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad.path() + ":2: body: missing"), std::string::npos) << r.err;
  TempFile good("{\"body\":{\"prompt\":\"x\"}}\n");
  r = run_kvtrace("replay " + good.path() + " --url ftp://x");
  EXPECT_EQ(r.exit_code, 64) << r.err;
  r = run_kvtrace("replay " + good.path() + " --rate 5 --concurrency 2");
  EXPECT_EQ(r.exit_code, 64) << r.err;
  r = run_kvtrace("replay " + good.path() + " --slo ttft");
  EXPECT_EQ(r.exit_code, 64) << r.err;
  // Integer flags say their range in the flag's words (not CLI11's "not in range").
  r = run_kvtrace("replay " + good.path() + " --concurrency 0");
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_NE(r.err.find("--concurrency: must be at least 1, got 0"), std::string::npos) << r.err;
  r = run_kvtrace("replay " + good.path() + " --max-connections -1");
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_NE(r.err.find("--max-connections: "), std::string::npos) << r.err;
  // No timestamp: trace timing cannot place it.
  r = run_kvtrace("replay " + good.path() + " --url http://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 64) << r.err;
}

}  // namespace
}  // namespace kvtrace::testing
