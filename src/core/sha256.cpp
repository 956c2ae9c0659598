#include "kvtrace/core/sha256.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::core {

struct Sha256::Context {
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> md{EVP_MD_CTX_new()};
};

namespace {

// OpenSSL fails only when out of memory or misbuilt: not the input's fault.
void check(int ok) {
  if (ok != 1) throw std::runtime_error("SHA-256 failed in OpenSSL");
}

}  // namespace

Sha256::Sha256() : ctx_(std::make_unique<Context>()) {
  check(ctx_->md ? 1 : 0);
  check(EVP_DigestInit_ex(ctx_->md.get(), EVP_sha256(), nullptr));
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view bytes) {
  check(EVP_DigestUpdate(ctx_->md.get(), bytes.data(), bytes.size()));
}

Sha256Digest Sha256::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  check(EVP_DigestFinal_ex(ctx_->md.get(), md.data(), &length));
  Sha256Digest out{};
  std::memcpy(out.data(), md.data(), out.size());
  return out;
}

Sha256Digest sha256(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  check(EVP_Digest(bytes.data(), bytes.size(), md.data(), &length, EVP_sha256(), nullptr));
  Sha256Digest out{};
  std::memcpy(out.data(), md.data(), out.size());
  return out;
}

Sha256Digest sha256_file(const std::string& path, const std::atomic<bool>* stop) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  Sha256 h;
  std::vector<char> buf(std::size_t{1} << 20);
  while (in) {
    if (stop != nullptr && *stop)
      throw Interrupted("interrupted: the digest of " + path + " stopped");
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) throw IoError("cannot read " + path);
  return h.finish();
}

std::string to_hex(const Sha256Digest& digest, std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes && i < digest.size(); ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

}  // namespace kvtrace::core
