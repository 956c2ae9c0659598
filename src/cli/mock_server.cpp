// kvtrace mock-server: an OpenAI-compatible streaming server with a KV-cache-aware TTFT model,
// for replay tests and demos (docs/mock-server.md).

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/open_file_limit.hpp"
#include "kvtrace/mock/mock_request.hpp"
#include "kvtrace/mock/mock_server.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::cli {
namespace {

struct MockServerFlags {
  mock::MockServerConfig config;
  std::string tokenizer;
  std::string cache_policy = "lru";
};

int run_mock_server(MockServerFlags& f) {
  auto& c = f.config;
  c.cache.policy = cache::parse_policy(f.cache_policy);
  // Bad values fail before the tokenizer is loaded (a second for a large one).
  mock::check_config(c);
  const std::string tokenizer_path =
      f.tokenizer.empty() ? installed_default(kDefaultTokenizer, "--tokenizer") : f.tokenizer;
  c.tokenizer = tokenizer::load_tokenizer(tokenizer_path);
  const std::uint64_t files = core::raise_open_file_limit();

  // SIGINT and SIGTERM are taken by sigwait below: blocked before the io threads start, so
  // that none of them gets the signal instead.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  mock::MockServer server(c);
  const std::uint16_t port = server.start();
  // An IPv6 address goes in brackets in a URL.
  const bool v6 = c.host.find(':') != std::string::npos;
  fmt::print("listening on http://{}{}{}:{}\n", v6 ? "[" : "", c.host, v6 ? "]" : "", port);
  std::fflush(stdout);
  fmt::print(stderr,
             "kvtrace: mock-server: model {}, ttft {} ms + uncached tokens / {} tokens/s, itl {} "
             "ms (jitter {}), block size {}, cache {} blocks ({}), tokenizer {}, {} thread{}, seed "
             "{}, open files limit {}; faults: error {}, stall {} ({} ms), drop {}\n",
             c.model, c.latency.ttft_ms, c.latency.prefill_tokens_per_s, c.latency.itl_ms,
             c.latency.itl_jitter, c.block_size, c.cache.capacity_blocks, f.cache_policy,
             tokenizer_path, c.threads, c.threads == 1 ? "" : "s", c.seed, files,
             c.faults.error_rate, c.faults.stall_rate, c.faults.stall_ms, c.faults.drop_rate);
  int signal = 0;
  sigwait(&signals, &signal);
  server.stop();
  const mock::MockServerStats st = server.stats();
  fmt::print(stderr,
             "kvtrace: mock-server: stopped by {}: {} completion requests ({} completed, {} bad "
             "requests; injected {} errors, {} stalls, {} drops), {} prompt tokens ({} cached), "
             "{} output tokens\n",
             signal == SIGINT ? "SIGINT" : "SIGTERM", st.requests, st.completed, st.bad_requests,
             st.errors_injected, st.stalls_injected, st.drops_injected, st.prompt_tokens,
             st.cached_tokens, st.output_tokens);
  return kOk;
}

}  // namespace

void add_mock_server(CLI::App& app, Action& action) {
  auto flags = std::make_shared<MockServerFlags>();
  auto& c = flags->config;
  CLI::App* cmd = app.add_subcommand(
      "mock-server",
      "OpenAI-compatible streaming server for replay tests and demos: /v1/chat/completions, "
      "/v1/completions, /v1/models, /health; streams max_tokens tokens with TTFT = ttft-ms + "
      "uncached prompt tokens / prefill rate (a simulated prefix KV cache) and a fixed ITL; "
      "injects seeded faults. Prints \"listening on http://HOST:PORT\" first; SIGINT/SIGTERM "
      "stop it (docs/mock-server.md)");
  cmd->add_option("--host", c.host, "Address to bind")->capture_default_str();
  cmd->add_option("--port", c.port, "Port to bind (0: any free port, printed)")
      ->capture_default_str()
      ->transform(flags::integer_range(0, 65535));
  flags::threads(*cmd, c.threads, "io threads");
  cmd->add_option("--model", c.model, "Model id of /v1/models (responses echo the request's)")
      ->capture_default_str();
  cmd->add_option("--ttft-ms", c.latency.ttft_ms, "Fixed part of the time to first token")
      ->capture_default_str();
  flags::prefill_tps(*cmd, c.latency.prefill_tokens_per_s,
                     "Prefill speed: uncached prompt tokens add tokens/rate to the TTFT (0: free)");
  flags::alias(*cmd, "--prefill-tokens-per-s", c.latency.prefill_tokens_per_s);
  cmd->add_option("--itl-ms", c.latency.itl_ms, "Time between two output tokens")
      ->capture_default_str();
  cmd->add_option("--itl-jitter", c.latency.itl_jitter,
                  "Each ITL uniform in itl-ms * [1-j, 1+j] (0..1, seeded)")
      ->capture_default_str();
  cmd->add_option("--max-tokens", c.default_max_tokens,
                  "Output tokens when a request gives neither max_tokens nor "
                  "max_completion_tokens")
      ->capture_default_str()
      ->transform(flags::integer_range(1, mock::kMaxOutputTokens));
  c.block_size = flags::kDefaultBlockSize;
  flags::block_size(*cmd, c.block_size);
  flags::capacity(*cmd, c.cache.capacity_blocks,
                  "Capacity of the simulated prefix KV cache in blocks (0: no cache)")
      ->capture_default_str();
  flags::alias(*cmd, "--cache-blocks", c.cache.capacity_blocks);
  cmd->add_option("-p,--policy", flags->cache_policy, "Eviction policy: lru, lineage or fifo")
      ->capture_default_str()
      ->check(CLI::IsMember({"lru", "lineage", "fifo"}));
  flags::alias(*cmd, "--cache-policy", flags->cache_policy)
      ->check(CLI::IsMember({"lru", "lineage", "fifo"}));
  flags::tokenizer(*cmd, flags->tokenizer, "for text prompts");
  cmd->add_option("--error-rate", c.faults.error_rate,
                  "Fraction of completion requests answered HTTP 500 with an OpenAI error")
      ->capture_default_str();
  cmd->add_option("--stall-rate", c.faults.stall_rate,
                  "Fraction of responses that pause --stall-ms once, between two tokens")
      ->capture_default_str();
  cmd->add_option("--stall-ms", c.faults.stall_ms, "Length of an injected stall")
      ->capture_default_str();
  cmd->add_option("--drop-rate", c.faults.drop_rate,
                  "Fraction of responses whose connection is closed mid-stream")
      ->capture_default_str();
  cmd->add_option("--read-timeout-ms", c.read_timeout_ms,
                  "Close a connection whose request (header and body) is not all there this long "
                  "after its first byte")
      ->capture_default_str();
  cmd->add_option("--idle-timeout-ms", c.idle_timeout_ms,
                  "Close a connection that sends no request for this long")
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", c.max_body_bytes,
                  "Larger request bodies are refused with HTTP 413")
      ->capture_default_str()
      ->transform(flags::integer_range(1, mock::kMaxBodyBytes));
  flags::seed(*cmd, c.seed,
              "Seed of the faults and jitter: request n (in arrival order) draws from "
              "(seed, n)");
  cmd->callback([flags, &action] { action = [flags] { return run_mock_server(*flags); }; });
}

}  // namespace kvtrace::cli
