// derive_seed parity with AIPerf's random_generator.derive and HashIdRandomGenerator: the
// [derived] and [upstream] seed goldens of aiperf-synthesis.md §7 and §8, each with the
// first draws of the seeded stream. Values come from CPython 3.11 with
//   derive = lambda root, ident: int.from_bytes(
//       hashlib.sha256(f"{root}:{ident}".encode()).digest()[:8], "big")
// and `from random import Random`.

#include "kvtrace/random/derive_seed.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/random/py_random.hpp"
#include "random/corpus_seed.hpp"

namespace kvtrace::random {
namespace {

using U64s = std::vector<std::uint64_t>;

using testing::kCorpusSeed;

// [r.randrange(n) for _ in range(count)] with r = Random(seed).
U64s first_draws(std::uint64_t seed, std::uint64_t n, int count = 5) {
  PyRandom rng(seed);
  U64s out;
  for (int i = 0; i < count; ++i) out.push_back(rng.randbelow(n));
  return out;
}

// HashIdRandomGenerator's per-hash-id seed (latest, §8.1): f"{base}:{scope}:{hash_id}", i.e.
// derive(base, f"{scope}:{hash_id}").
std::uint64_t hash_id_seed(std::uint64_t base, std::string_view scope, std::int64_t hash_id) {
  return derive_seed(base, std::string(scope) + ":" + std::to_string(hash_id));
}

struct ChildCase {
  std::string_view identifier;
  std::uint64_t seed;
  U64s draws;  // [Random(seed).randrange(1000) ...][:5]
};

// §7 table: derive(42, ident), and r = Random(that); [r.randrange(1000) for _ in range(5)]
TEST(DeriveSeed, ChildSeedsOfRoot42) {
  const std::vector<ChildCase> cases = {
      {"dataset.synthesis.synthesizer", 7429438713444764493u, {942, 883, 124, 872, 886}},
      {"dataset.prompt.corpus", 10558974911300946294u, {246, 57, 309, 487, 258}},
      {"dataset.prompt.length", 7521479737366565015u, {25, 851, 412, 128, 261}},
      {"dataset.prompt.prefix", 11224809942358323992u, {836, 767, 747, 505, 376}},
      {"dataset.synthesis.empirical_sampler", 18298802475396210187u, {790, 687, 645, 507, 587}},
  };
  for (const ChildCase& c : cases) {
    EXPECT_EQ(derive_seed(42, c.identifier), c.seed) << c.identifier;
    EXPECT_EQ(first_draws(c.seed, 1000), c.draws) << c.identifier;
  }
  // The hex forms the reference also gives.
  EXPECT_EQ(derive_seed(42, "dataset.synthesis.synthesizer"), 0x671aab25a3690b4du);
  EXPECT_EQ(derive_seed(42, "dataset.prompt.corpus"), 0x928903bcec5ac976u);
}

// The root is printed in decimal with no padding, 0 and 2^64-1 included:
// derive(0, ""), derive(2**64-1, "x")
TEST(DeriveSeed, RootEdgeCases) {
  EXPECT_EQ(derive_seed(0, ""), 13436079590000323820u);
  EXPECT_EQ(derive_seed(18446744073709551615u, "x"), 687223776766531427u);
}

struct HashIdCase {
  std::uint64_t base;
  std::string_view scope;
  std::int64_t hash_id;
  std::uint64_t seed;
  U64s draws;
};

// §8.1 [upstream] and [derived]: s = derive(base, f"{scope}:{hash_id}"), then
// r = Random(s); [r.randrange(1000) for _ in range(5)]. The -123 and 999999999999999999 rows
// are extra CPython goldens for the negative and large ids the upstream tests exercise.
TEST(DeriveSeed, HashIdSeedsAndFirstDraws) {
  const std::vector<HashIdCase> cases = {
      {42, "t", 7, 13746841825870956194u, {366, 486, 241, 501, 226}},
      {1234567890, "trace_0012", 99999, 1475459885517222258u, {303, 268, 444, 404, 995}},
      {0, "", 0, 13059925217382529295u, {672, 999, 375, 166, 753}},
      {kCorpusSeed, "", 0, 11442583857767186279u, {661, 886, 921, 801, 491}},
      {kCorpusSeed, "", 1, 7064896877866404733u, {992, 94, 361, 72, 444}},
      {kCorpusSeed, "", 123, 11914342729454359292u, {224, 495, 989, 402, 929}},
      {kCorpusSeed, "", -123, 425896176859617267u, {711, 589, 206, 982, 570}},
      {kCorpusSeed, "", 999999999999999999, 16447442341035866469u, {219, 832, 625, 448, 16}},
  };
  for (const HashIdCase& c : cases) {
    const std::uint64_t seed = hash_id_seed(c.base, c.scope, c.hash_id);
    EXPECT_EQ(seed, c.seed) << c.base << ":" << c.scope << ":" << c.hash_id;
    EXPECT_EQ(first_draws(seed, 1000), c.draws) << c.base << ":" << c.scope << ":" << c.hash_id;
  }
}

// §8.2 block starts with corpus range(10000, 11000), base = the corpus seed, scope "":
// Random(derive(base, f":{h}")).randrange(1000) for h in (1, 2, 3) -> 992, 885, 936, i.e.
// blocks [1,10992..], [1,10885..], [1,10936..].
TEST(DeriveSeed, HashIdBlockStarts) {
  EXPECT_EQ(first_draws(hash_id_seed(kCorpusSeed, "", 1), 1000, 1), U64s{992});
  EXPECT_EQ(first_draws(hash_id_seed(kCorpusSeed, "", 2), 1000, 1), U64s{885});
  EXPECT_EQ(first_draws(hash_id_seed(kCorpusSeed, "", 3), 1000, 1), U64s{936});
}

// §8.3 seed-zero base, reseed(7, trace_id="trace"): s = derive(0, "trace:7");
// r = Random(s); [r.randrange(0, 10**6) for _ in range(5)]
TEST(DeriveSeed, SeedZeroBaseReseed) {
  const std::uint64_t seed = hash_id_seed(0, "trace", 7);
  EXPECT_EQ(seed, 3899170918766570642u);
  EXPECT_EQ(first_draws(seed, 1000000), (U64s{75593, 314684, 812124, 857564, 36471}));
}

// §8.4 BRANCH-2025-11 derivation f"{base}:hash_id:{hash_id}" with the corpus base:
// s = derive(base, f"hash_id:{h}"); r = Random(s); [r.randrange(1000) for _ in range(5)]
TEST(DeriveSeed, Branch202511HashIdSeeds) {
  struct OldCase {
    std::int64_t hash_id;
    std::uint64_t seed;
    U64s draws;
  };
  const std::vector<OldCase> cases = {
      {0, 5445383881796230283u, {7, 498, 302, 706, 198}},
      {1, 14819990465081737303u, {776, 556, 940, 271, 344}},
      {123, 1241558081060950261u, {528, 36, 707, 635, 381}},
  };
  for (const OldCase& c : cases) {
    const std::uint64_t seed = derive_seed(kCorpusSeed, "hash_id:" + std::to_string(c.hash_id));
    EXPECT_EQ(seed, c.seed) << c.hash_id;
    EXPECT_EQ(first_draws(seed, 1000), c.draws) << c.hash_id;
  }
}

}  // namespace
}  // namespace kvtrace::random
