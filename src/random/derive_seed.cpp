#include "kvtrace/random/derive_seed.hpp"

#include <string>

#include "kvtrace/hashing/rolling_hasher.hpp"

namespace kvtrace::random {

std::uint64_t derive_seed(std::uint64_t root, std::string_view identifier) {
  std::string text = std::to_string(root);
  text.push_back(':');
  text.append(identifier);
  return hashing::stable_hash(text);
}

}  // namespace kvtrace::random
