#pragma once
// CPython's random.Random on MT19937, draw for draw: the same seed gives the same numbers
// as Python's `random.Random(seed)`, so kvtrace reproduces AIPerf's random choices.
// State is a value: copy it to fork a stream; nothing global.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace kvtrace::random {

class PyRandom {
 public:
  // random.Random(seed) for a non-negative integer seed below 2^64.
  explicit PyRandom(std::uint64_t seed = 0);
  // random.Random(n) for an arbitrary-size non-negative integer given as 32-bit words, least
  // significant first (CPython's key for init_by_array).
  static PyRandom from_words(std::span<const std::uint32_t> words);

  void seed(std::uint64_t seed);

  // The next raw 32-bit output of MT19937 (genrand_uint32).
  std::uint32_t next_u32();
  // getrandbits(k) for 1 <= k <= 64.
  std::uint64_t getrandbits(unsigned k);
  // getrandbits(k) for any k >= 1, as 32-bit words least significant first.
  std::vector<std::uint32_t> getrandbits_words(unsigned k);
  // randrange(n) = _randbelow(n) for 1 <= n <= 2^64-1 (n = 0 is an error, as in Python).
  std::uint64_t randbelow(std::uint64_t n);
  // randrange(0, 2^64): the one range that does not fit randbelow's argument.
  std::uint64_t randrange_u64_full();
  // randrange(a, b) = a + _randbelow(b - a); requires a < b.
  std::int64_t randrange(std::int64_t a, std::int64_t b);
  // randint(a, b) = randrange(a, b + 1); requires a <= b.
  std::int64_t randint(std::int64_t a, std::int64_t b);
  // random(): a double in [0, 1) with 53 random bits.
  double random();
  // choice(seq): the index of the chosen element, seq[_randbelow(size)]; size >= 1.
  std::size_t choice_index(std::size_t size) { return static_cast<std::size_t>(randbelow(size)); }

 private:
  void init_by_array(std::span<const std::uint32_t> key);
  void twist();

  std::array<std::uint32_t, 624> mt_{};
  std::size_t index_ = 624;
};

}  // namespace kvtrace::random
