#pragma once
// The mock OpenAI-compatible inference server (docs/mock-server.md): HTTP/1.1 on
// Boost.Asio + Beast, one io_context per thread, a steady_timer per stream (no thread per
// stream). Streams exactly max_tokens tokens with a TTFT that grows with the prompt tokens the
// simulated KV cache does not hold, and injects seeded faults. Embeddable: tests run it
// in-process on an ephemeral port.

#include <cstdint>
#include <memory>
#include <string>

#include "kvtrace/cache/cache_sim.hpp"
#include "kvtrace/mock/mock_timing.hpp"

namespace kvtrace::tokenizer {
class Tokenizer;
}

namespace kvtrace::mock {

// The largest MockServerConfig::max_body_bytes: 1 GiB.
inline constexpr std::uint64_t kMaxBodyBytes = std::uint64_t{1} << 30;

struct MockServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;                 // 0: an ephemeral port, returned by start()
  unsigned threads = 1;                   // io threads; 0: one per core
  std::string model = "kvtrace-mock";     // /v1/models; responses echo the request's model
  std::uint32_t default_max_tokens = 16;  // when the body gives neither max_tokens field
  std::uint32_t block_size = 64;          // tokens per KV-cache block
  // The simulated prefix cache: 2^18 blocks of 64 tokens hold 16M tokens (a few GPUs' worth
  // for a small model); capacity 0 caches nothing.
  cache::CacheConfig cache{.capacity_blocks = 1u << 18, .policy = cache::Policy::kLru};
  LatencyModel latency;
  FaultRates faults;
  // A request's header and body must arrive within read_timeout_ms of its first byte, and a
  // connection may wait idle_timeout_ms for its next request; then it is closed, so that
  // stalled clients do not hold their buffers. Both in (0, kMaxTimingMs].
  double read_timeout_ms = 30'000;
  double idle_timeout_ms = 60'000;
  // Larger request bodies get a 413: prompts of a few hundred thousand tokens fit easily.
  // 1 .. kMaxBodyBytes.
  std::uint64_t max_body_bytes = std::uint64_t{64} << 20;
  std::uint64_t seed = 42;
  // Tokenizes text prompts (chat messages in ChatML); null: only token-id prompts are
  // accepted, text ones get a 400.
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer;
};

// Throws UsageError naming the first bad setting of `config` (its latency, faults, block size,
// timeouts or body limit): what MockServer's constructor checks, for a caller that wants to
// fail before it loads a tokenizer.
void check_config(const MockServerConfig& config);

// Counts since start(); every field is a running total except the two "open" ones.
struct MockServerStats {
  std::uint64_t requests = 0;      // completion requests received (valid or not)
  std::uint64_t bad_requests = 0;  // answered 400 (or 404/405/413 for other paths)
  std::uint64_t errors_injected = 0;
  std::uint64_t stalls_injected = 0;
  std::uint64_t drops_injected = 0;
  std::uint64_t completed = 0;  // completions whose last byte was handed to the socket
  std::uint64_t prompt_tokens = 0;
  std::uint64_t cached_tokens = 0;
  std::uint64_t output_tokens = 0;  // tokens handed to the socket
  std::uint64_t open_connections = 0;
  std::uint64_t open_streams = 0;
};

class MockServer {
 public:
  // Throws UsageError for a bad configuration.
  explicit MockServer(MockServerConfig config);
  ~MockServer();  // stop()s
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Binds, listens and starts the io threads; returns the bound port. Throws IoError when the
  // address cannot be bound.
  std::uint16_t start();
  // Closes the listener, cuts open connections and joins the threads. Idempotent.
  void stop();

  MockServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kvtrace::mock
