// PyRandom parity with CPython's random.Random: the [derived] goldens of aiperf-synthesis.md §7
// plus goldens computed with CPython 3.11 (`from random import Random`); each test names the
// Python expression that produced its values.

#include "kvtrace/random/py_random.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/random/derive_seed.hpp"
#include "random/corpus_seed.hpp"

namespace kvtrace::random {
namespace {

using U64s = std::vector<std::uint64_t>;
using I64s = std::vector<std::int64_t>;

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
using testing::kCorpusSeed;

// n draws of getrandbits(k) from `rng`.
U64s bits(PyRandom& rng, unsigned k, int n) {
  U64s out;
  for (int i = 0; i < n; ++i) out.push_back(rng.getrandbits(k));
  return out;
}

// --- seeding and getrandbits(32) (§7) ----------------------------------------------------

// r = Random(s); [r.getrandbits(32) for _ in range(3)]
TEST(PyRandom, FirstWordsGolden) {
  PyRandom r0(0);
  EXPECT_EQ(bits(r0, 32, 3), (U64s{3626764237u, 1654615998u, 3255389356u}));
  PyRandom r42(42);
  EXPECT_EQ(bits(r42, 32, 3), (U64s{2746317213u, 478163327u, 107420369u}));
  PyRandom rmax(kU64Max);
  EXPECT_EQ(bits(rmax, 32, 3), (U64s{93740670u, 1068495656u, 1452108352u}));
}

// The default seed is 0, and getrandbits(32) is the raw MT word.
TEST(PyRandom, DefaultSeedAndNextU32) {
  PyRandom rng;
  EXPECT_EQ(rng.next_u32(), 3626764237u);
  EXPECT_EQ(rng.next_u32(), 1654615998u);
}

// A 33-bit seed has the two-word key [0, 1]. r = Random(2**32); [r.getrandbits(32) for _ in
// range(3)]
TEST(PyRandom, TwoWordSeedGolden) {
  PyRandom rng(std::uint64_t{1} << 32);
  EXPECT_EQ(bits(rng, 32, 3), (U64s{485306839u, 1508871100u, 1794561286u}));
}

// Past two twists of the 624-word state: r = Random(42); [r.getrandbits(32) for _ in
// range(1250)][-3:]
TEST(PyRandom, LaterTwistsGolden) {
  PyRandom rng(42);
  for (int i = 0; i < 1247; ++i) rng.next_u32();
  EXPECT_EQ(bits(rng, 32, 3), (U64s{3190649866u, 2301518177u, 4083988011u}));
}

TEST(PyRandom, ReseedRestartsTheStream) {
  PyRandom rng(7);
  rng.next_u32();
  rng.seed(42);
  EXPECT_EQ(rng.next_u32(), 2746317213u);
}

// A copy is an independent stream at the same position.
TEST(PyRandom, CopyForksTheStream) {
  PyRandom a(42);
  a.next_u32();
  PyRandom b = a;
  EXPECT_EQ(a.next_u32(), 478163327u);
  EXPECT_EQ(b.next_u32(), 478163327u);
  EXPECT_EQ(a.next_u32(), b.next_u32());
}

// --- from_words -------------------------------------------------------------------------

// A 96-bit seed: n = 0xDEADBEEF0123456789ABCDEF; r = Random(n);
// [r.getrandbits(32) for _ in range(3)], then [r.randrange(1000) for _ in range(5)]
TEST(PyRandom, FromWordsThreeWordGolden) {
  const std::array<std::uint32_t, 3> words{0x89ABCDEFu, 0x01234567u, 0xDEADBEEFu};
  PyRandom rng = PyRandom::from_words(words);
  EXPECT_EQ(bits(rng, 32, 3), (U64s{1759933910u, 2349833350u, 2738932990u}));
  U64s draws;
  for (int i = 0; i < 5; ++i) draws.push_back(rng.randbelow(1000));
  EXPECT_EQ(draws, (U64s{601, 521, 415, 929, 431}));
}

// Words are a value: high zero words do not change it, and no words is 0.
TEST(PyRandom, FromWordsMatchesIntegerSeed) {
  const std::array<std::uint32_t, 3> five{5, 0, 0};
  PyRandom a = PyRandom::from_words(five);
  PyRandom b(5);
  EXPECT_EQ(bits(a, 32, 5), bits(b, 32, 5));

  PyRandom empty = PyRandom::from_words({});
  PyRandom zero(0);
  EXPECT_EQ(bits(empty, 32, 5), bits(zero, 32, 5));

  const std::array<std::uint32_t, 2> two{0x12345678u, 0x9abcdef0u};
  PyRandom c = PyRandom::from_words(two);
  PyRandom d(0x9abcdef012345678u);
  EXPECT_EQ(bits(c, 32, 5), bits(d, 32, 5));
}

// --- getrandbits ------------------------------------------------------------------------

// r = Random(42); [r.getrandbits(k) for _ in range(3)] for k in (1, 31, 33, 64)
TEST(PyRandom, GetrandbitsGoldens) {
  PyRandom r1(42);
  EXPECT_EQ(bits(r1, 1, 3), (U64s{1, 0, 0}));
  PyRandom r31(42);
  EXPECT_EQ(bits(r31, 31, 3), (U64s{1373158606u, 239081663u, 53710184u}));
  PyRandom r33(42);
  EXPECT_EQ(bits(r33, 33, 3), (U64s{2746317213u, 4402387665u, 1181241943u}));
  PyRandom r64(42);
  EXPECT_EQ(bits(r64, 64, 3),
            (U64s{2053695854357871005u, 13679192365072849617u, 4517457392071889495u}));
}

// x = Random(42).getrandbits(100); [(x >> (32*i)) & 0xffffffff for i in range(4)]
TEST(PyRandom, GetrandbitsWordsGolden) {
  PyRandom rng(42);
  EXPECT_EQ(rng.getrandbits_words(100),
            (std::vector<std::uint32_t>{2746317213u, 478163327u, 107420369u, 11u}));
}

// The word form agrees with the u64 form where both apply.
TEST(PyRandom, GetrandbitsWordsMatchesU64) {
  for (unsigned k : {1u, 31u, 32u, 33u, 63u, 64u}) {
    PyRandom a(99);
    PyRandom b(99);
    const std::vector<std::uint32_t> words = a.getrandbits_words(k);
    std::uint64_t joined = words[0];
    if (words.size() > 1) joined |= std::uint64_t{words[1]} << 32;
    EXPECT_EQ(joined, b.getrandbits(k)) << "k=" << k;
    EXPECT_EQ(a.next_u32(), b.next_u32()) << "k=" << k;
  }
}

// --- randbelow / randrange / randint ----------------------------------------------------

// §7: r = Random(10558974911300946294); [r.randrange(2**40) for _ in range(3)]
TEST(PyRandom, Randrange2To40Golden) {
  const U64s expected{121291595831u, 1044975495208u, 1040468030661u};
  PyRandom below(kCorpusSeed);
  PyRandom range(kCorpusSeed);
  for (std::uint64_t want : expected) {
    EXPECT_EQ(below.randbelow(std::uint64_t{1} << 40), want);
    EXPECT_EQ(range.randrange(0, std::int64_t{1} << 40), static_cast<std::int64_t>(want));
  }
}

// §7: r = Random(10558974911300946294); [r.randrange(0, 2**64) for _ in range(2)]
TEST(PyRandom, RandrangeFullU64Golden) {
  PyRandom rng(kCorpusSeed);
  EXPECT_EQ(rng.randrange_u64_full(), 1040535246728781879u);
  EXPECT_EQ(rng.randrange_u64_full(), 4664098386852260926u);
}

// Random(0).randrange(0, 2**64)
TEST(PyRandom, RandrangeFullU64SeedZeroGolden) {
  PyRandom rng(0);
  EXPECT_EQ(rng.randrange_u64_full(), 7758176404715800194u);
}

// randrange(1) retries until a 0 bit: Random(42)'s first word has its top bit set, so two
// words are used. r = Random(42); r.randrange(1), r.getrandbits(32) -> 0, 107420369
TEST(PyRandom, RandbelowOneGolden) {
  PyRandom rng(42);
  EXPECT_EQ(rng.randbelow(1), 0u);
  EXPECT_EQ(rng.next_u32(), 107420369u);
}

// 2^32 needs 33 bits: r = Random(42); [r.randrange(2**32) for _ in range(5)],
// r.getrandbits(32)
TEST(PyRandom, RandbelowTwoTo32Golden) {
  PyRandom rng(42);
  U64s draws;
  for (int i = 0; i < 5; ++i) draws.push_back(rng.randbelow(std::uint64_t{1} << 32));
  EXPECT_EQ(draws, (U64s{2746317213u, 1181241943u, 958682846u, 3163119785u, 1812140441u}));
  EXPECT_EQ(rng.next_u32(), 127978094u);
}

// r = Random(42); [r.randrange(2**63 + 12345) for _ in range(5)]
TEST(PyRandom, RandbelowLargeGolden) {
  PyRandom rng(42);
  U64s draws;
  for (int i = 0; i < 5; ++i) draws.push_back(rng.randbelow((std::uint64_t{1} << 63) + 12345));
  EXPECT_EQ(draws, (U64s{2053695854357871005u, 4517457392071889495u, 2574020394472462046u,
                         1890702223848595625u, 586287033698423193u}));
}

// r = Random(42); [r.randrange(-1000, 1000) for _ in range(5)]
TEST(PyRandom, RandrangeNegativeGolden) {
  PyRandom rng(42);
  I64s draws;
  for (int i = 0; i < 5; ++i) draws.push_back(rng.randrange(-1000, 1000));
  EXPECT_EQ(draws, (I64s{309, -772, -949, 518, -437}));
}

// Widths above INT64_MAX: r = Random(42); [r.randrange(-2**63, 2**63-1) for _ in range(3)]
// and r = Random(42); [r.randint(-2**63, 2**63-1) for _ in range(3)]
TEST(PyRandom, WideRangesGolden) {
  PyRandom range(42);
  I64s draws;
  for (int i = 0; i < 3; ++i) draws.push_back(range.randrange(kI64Min, kI64Max));
  EXPECT_EQ(draws, (I64s{-7169676182496904803, 4455820328218073809, -4705914644782886313}));

  PyRandom full(42);
  draws.clear();
  for (int i = 0; i < 3; ++i) draws.push_back(full.randint(kI64Min, kI64Max));
  EXPECT_EQ(draws, (I64s{-7169676182496904803, -4149976519821344517, 836864915349561680}));
}

// The reference's example: r = Random(derive(42, "dataset.synthesis.synthesizer"));
// [r.randint(0, 2) for _ in range(20)]
TEST(PyRandom, RandintSynthesizerGolden) {
  PyRandom rng(derive_seed(42, "dataset.synthesis.synthesizer"));
  I64s draws;
  for (int i = 0; i < 20; ++i) draws.push_back(rng.randint(0, 2));
  EXPECT_EQ(draws, (I64s{0, 0, 0, 0, 2, 0, 2, 1, 1, 1, 2, 0, 1, 2, 0, 2, 1, 1, 2, 0}));
}

TEST(PyRandom, RandintSinglePointAndChoiceIndex) {
  PyRandom rng(42);
  EXPECT_EQ(rng.randint(kI64Max, kI64Max), kI64Max);
  EXPECT_EQ(rng.randint(-5, -5), -5);
  // choice(seq) = seq[_randbelow(len)]: Random(42).choice(range(1000)) == randrange(1000)
  PyRandom a(42);
  PyRandom b(42);
  EXPECT_EQ(a.choice_index(1000), b.randbelow(1000));
}

// --- random() ----------------------------------------------------------------------------

// §7: Random(0).random(), Random(42).random(); r = Random(42); [r.random() for _ in range(3)]
TEST(PyRandom, RandomGoldens) {
  EXPECT_EQ(PyRandom(0).random(), 0.8444218515250481);
  PyRandom rng(42);
  EXPECT_EQ(rng.random(), 0.6394267984578837);
  EXPECT_EQ(rng.random(), 0.025010755222666936);
  EXPECT_EQ(rng.random(), 0.27502931836911926);
}

// --- errors -------------------------------------------------------------------------------

TEST(PyRandom, InvalidArgumentsThrow) {
  PyRandom rng(42);
  EXPECT_THROW(rng.randbelow(0), std::invalid_argument);
  EXPECT_THROW(rng.choice_index(0), std::invalid_argument);
  EXPECT_THROW(rng.randrange(5, 5), std::invalid_argument);
  EXPECT_THROW(rng.randrange(6, 5), std::invalid_argument);
  EXPECT_THROW(rng.randint(6, 5), std::invalid_argument);
  EXPECT_THROW(rng.getrandbits(0), std::invalid_argument);
  EXPECT_THROW(rng.getrandbits(65), std::invalid_argument);
  EXPECT_THROW(rng.getrandbits_words(0), std::invalid_argument);
  // A rejected call draws nothing.
  EXPECT_EQ(rng.next_u32(), 2746317213u);
}

}  // namespace
}  // namespace kvtrace::random
