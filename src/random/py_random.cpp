#include "kvtrace/random/py_random.hpp"

#include <algorithm>
#include <bit>

#include "kvtrace/core/error.hpp"

namespace kvtrace::random {
namespace {

// MT19937 parameters, as in CPython's _randommodule.c.
constexpr std::size_t kN = 624;
constexpr std::size_t kM = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperMask = 0x80000000U;
constexpr std::uint32_t kLowerMask = 0x7fffffffU;

constexpr std::uint32_t mix(std::uint32_t upper, std::uint32_t lower, std::uint32_t far) {
  const std::uint32_t y = (upper & kUpperMask) | (lower & kLowerMask);
  return far ^ (y >> 1) ^ ((y & 1U) != 0 ? kMatrixA : 0U);
}

}  // namespace

PyRandom::PyRandom(std::uint64_t seed) {
  this->seed(seed);
}

PyRandom PyRandom::from_words(std::span<const std::uint32_t> words) {
  // Python's key holds only the words of the integer's value: high zero words are not part of
  // it, and 0 is the key [0].
  while (!words.empty() && words.back() == 0) words = words.first(words.size() - 1);
  PyRandom rng;
  if (words.empty()) {
    const std::array<std::uint32_t, 1> zero{0};
    rng.init_by_array(zero);
  } else {
    rng.init_by_array(words);
  }
  return rng;
}

void PyRandom::seed(std::uint64_t seed) {
  const std::array<std::uint32_t, 2> words{static_cast<std::uint32_t>(seed),
                                           static_cast<std::uint32_t>(seed >> 32)};
  init_by_array(std::span(words).first(seed >> 32 != 0 ? 2 : 1));
}

void PyRandom::init_by_array(std::span<const std::uint32_t> key) {
  // init_genrand(19650218), then the reference init_by_array mixing, verbatim.
  mt_[0] = 19650218U;
  for (std::size_t i = 1; i < kN; ++i) {
    mt_[i] = 1812433253U * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
  }
  std::size_t i = 1;
  std::size_t j = 0;
  for (std::size_t k = std::max(kN, key.size()); k != 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525U)) + key[j] +
             static_cast<std::uint32_t>(j);
    ++i;
    ++j;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
    if (j >= key.size()) j = 0;
  }
  for (std::size_t k = kN - 1; k != 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941U)) -
             static_cast<std::uint32_t>(i);
    ++i;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
  }
  mt_[0] = 0x80000000U;  // MSB is 1: a non-zero initial state
  index_ = kN;
}

void PyRandom::twist() {
  std::size_t kk = 0;
  for (; kk < kN - kM; ++kk) mt_[kk] = mix(mt_[kk], mt_[kk + 1], mt_[kk + kM]);
  for (; kk < kN - 1; ++kk) mt_[kk] = mix(mt_[kk], mt_[kk + 1], mt_[kk + kM - kN]);
  mt_[kN - 1] = mix(mt_[kN - 1], mt_[0], mt_[kM - 1]);
  index_ = 0;
}

std::uint32_t PyRandom::next_u32() {
  if (index_ >= kN) twist();
  std::uint32_t y = mt_[index_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

std::uint64_t PyRandom::getrandbits(unsigned k) {
  if (k == 0 || k > 64) throw std::invalid_argument("getrandbits: k must be in [1, 64]");
  if (k <= 32) return next_u32() >> (32 - k);
  // Low word first; the high word keeps its top k-32 bits, as CPython drops the low ones.
  const std::uint64_t low = next_u32();
  const std::uint64_t high = next_u32() >> (64 - k);
  return low | (high << 32);
}

std::vector<std::uint32_t> PyRandom::getrandbits_words(unsigned k) {
  if (k == 0) throw std::invalid_argument("getrandbits: k must be at least 1");
  std::vector<std::uint32_t> words((k - 1) / 32 + 1);
  for (auto& word : words) {
    word = next_u32();
    if (k < 32) word >>= 32 - k;
    k -= std::min(k, 32U);
  }
  return words;
}

std::uint64_t PyRandom::randbelow(std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("randbelow: empty range (n = 0)");
  // k = n.bit_length(), not that of n-1: CPython's choice, so powers of two draw one bit more.
  const auto k = static_cast<unsigned>(std::bit_width(n));
  std::uint64_t r = getrandbits(k);
  while (r >= n) r = getrandbits(k);
  return r;
}

std::uint64_t PyRandom::randrange_u64_full() {
  // _randbelow(2^64) draws getrandbits(65): three words, low first, keeping one bit of the
  // third; the draw is rejected when that 65th bit is set.
  for (;;) {
    const std::uint64_t low = next_u32();
    const std::uint64_t mid = next_u32();
    if ((next_u32() >> 31) == 0) return low | (mid << 32);
  }
}

std::int64_t PyRandom::randrange(std::int64_t a, std::int64_t b) {
  if (a >= b) throw std::invalid_argument("randrange: empty range (a >= b)");
  // b - a can exceed INT64_MAX; in uint64 it is exact, and the sum wraps back into range.
  const std::uint64_t width = static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + randbelow(width));
}

std::int64_t PyRandom::randint(std::int64_t a, std::int64_t b) {
  if (a > b) throw std::invalid_argument("randint: empty range (a > b)");
  // b + 1 overflows for b = INT64_MAX; the width b - a + 1 wraps to 0 only for the full range.
  const std::uint64_t width = static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a) + 1;
  const std::uint64_t r = width == 0 ? randrange_u64_full() : randbelow(width);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + r);
}

double PyRandom::random() {
  const std::uint32_t a = next_u32() >> 5;
  const std::uint32_t b = next_u32() >> 6;
  return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

}  // namespace kvtrace::random
