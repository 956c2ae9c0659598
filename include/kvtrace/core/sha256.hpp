#pragma once
// SHA-256 (OpenSSL's), the one digest kvtrace computes: AIPerf's `_stable_hash` of a block and
// the default materialize scope (the first bytes of a trace file's digest).

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kvtrace::core {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Incremental: update() any number of times, then finish() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::string_view bytes);
  Sha256Digest finish();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

Sha256Digest sha256(std::string_view bytes);

// The digest of a whole file, read in 1 MiB pieces; throws IoError. `stop`, when given and
// set (e.g. on Ctrl-C), ends the read at the next piece with kvtrace::Interrupted.
Sha256Digest sha256_file(const std::string& path, const std::atomic<bool>* stop = nullptr);

// Lower-case hex of the digest's first `bytes` bytes.
std::string to_hex(const Sha256Digest& digest, std::size_t bytes = 32);

}  // namespace kvtrace::core
