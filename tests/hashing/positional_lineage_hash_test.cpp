// PositionalLineageHashSeedLayout, both codecs, against dynamo-tokens.md section 3: the upstream G1
// tests (fragments per mode, boundary alignment, position limit), the [derived] G1 and G2 values
// and chains, the boundary positions 0, 1, 255, 256, 65535, 65536, 2^24 - 1 and past the
// limit, and parent_fragment_matches across every mode boundary.

#include "kvtrace/hashing/positional_lineage_hash.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "hashing/dynamo_vectors.hpp"
#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {
namespace {

constexpr SequenceHash kCurrent = 0x1234567890ABCDEFu;
constexpr SequenceHash kParent = 0xFEDCBA9876543210u;
constexpr std::uint64_t kLast = PositionalLineageHashSeedLayout::kMaxPosition;  // 2^24 - 1
using namespace dynamo_vectors;

static_assert(std::is_trivially_copyable_v<PositionalLineageHashSeedLayout>);
static_assert(std::is_trivially_copyable_v<PositionalLineageHash>);
static_assert(sizeof(PositionalLineageHashSeedLayout) == 16 && sizeof(PositionalLineageHash) == 16);

const std::vector<std::uint64_t> kBoundaryPositions{0, 1, 255, 256, 65535, 65536, kLast};

unsigned expected_mode(std::uint64_t position) {
  return position < 256 ? 0 : position < 65536 ? 1 : 2;
}

// n chained sequence hashes; hashes[i] belongs to the block at position first + i.
std::vector<SequenceHash> chain(std::uint64_t first, std::size_t n) {
  std::vector<SequenceHash> hashes{first * 0x9E3779B97F4A7C15u + 1};
  for (std::size_t i = 1; i < n; ++i) {
    hashes.push_back(next_sequence_hash(hashes.back(), first + i));
  }
  return hashes;
}

// --- seed-design codec (G1) ------------------------------------------------------------

TEST(PositionalLineageHashSeedLayout, UpstreamFragmentsPerMode) {
  struct Case {
    std::uint64_t position;
    unsigned mode;
    unsigned bits;
  };
  for (const Case c : {Case{100, 0, 59}, Case{1000, 1, 55}, Case{100000, 2, 51}}) {
    const PositionalLineageHashSeedLayout h(kCurrent, kParent, c.position);
    EXPECT_EQ(h.mode(), c.mode);
    EXPECT_EQ(h.position(), c.position);
    EXPECT_EQ(h.current_hash_fragment(), kCurrent & low_mask(c.bits)) << c.position;
    EXPECT_EQ(h.parent_hash_fragment(), kParent & low_mask(c.bits)) << c.position;
  }
  for (const std::uint64_t p : {255u, 256u, 65535u, 65536u}) {
    const PositionalLineageHashSeedLayout h(kCurrent, kParent, p);
    EXPECT_EQ(h.mode(), expected_mode(p));
    EXPECT_EQ(h.position(), p);
  }
  const PositionalLineageHashSeedLayout root(kCurrent, std::nullopt, 0);
  EXPECT_EQ(root.mode(), 0u);
  EXPECT_EQ(root.position(), 0u);
  EXPECT_EQ(root.parent_hash_fragment(), 0u);
  EXPECT_EQ(root.current_hash_fragment(), kCurrent & low_mask(59));
  // LSB alignment: a narrower fragment is the low bits of a wider one.
  EXPECT_EQ(PositionalLineageHashSeedLayout(kCurrent, kParent, 1000).current_hash_fragment(),
            PositionalLineageHashSeedLayout(kCurrent, kParent, 100).current_hash_fragment() &
                low_mask(55));
}

TEST(PositionalLineageHashSeedLayout, UpstreamModeBoundaryAlignment) {
  const PositionalLineageHashSeedLayout p255(0x1234567890ABCDEF, kParent, 255);
  const PositionalLineageHashSeedLayout p256(0xABCDEF0123456789, 0x1234567890ABCDEF, 256);
  EXPECT_EQ(p255.mode(), 0u);
  EXPECT_EQ(p256.mode(), 1u);
  EXPECT_EQ(p256.parent_hash_fragment(), p255.current_hash_fragment() & low_mask(55));
  EXPECT_EQ(p255.current_hash_fragment(), 0x1234567890ABCDEFu & low_mask(55));

  const PositionalLineageHashSeedLayout p65535(0x1111222233334444, kParent, 65535);
  const PositionalLineageHashSeedLayout p65536(0x5555666677778888, 0x1111222233334444, 65536);
  EXPECT_EQ(p65535.mode(), 1u);
  EXPECT_EQ(p65536.mode(), 2u);
  EXPECT_EQ(p65536.parent_hash_fragment(), p65535.current_hash_fragment() & low_mask(51));
  EXPECT_EQ(p65535.current_hash_fragment(), 0x1111222233334444u & low_mask(51));
}

TEST(PositionalLineageHashSeedLayout, DerivedValues) {
  struct Case {
    std::uint64_t position;
    std::uint64_t hi;
    std::uint64_t lo;
  };
  for (const Case c : {Case{100, 0x1936e5d4c3b2a190, 0x8234567890abcdef},
                       Case{255, 0x3ff6e5d4c3b2a190, 0x8034567890abcdef},
                       Case{256, 0x40402e5d4c3b2a19, 0x0834567890abcdef},
                       Case{1000, 0x40fa2e5d4c3b2a19, 0x0834567890abcdef},
                       Case{65535, 0x7fffee5d4c3b2a19, 0x0804567890abcdef},
                       Case{65536, 0x80400025d4c3b2a1, 0x9084567890abcdef},
                       Case{100000, 0x8061a825d4c3b2a1, 0x9084567890abcdef}}) {
    EXPECT_EQ(PositionalLineageHashSeedLayout(kCurrent, kParent, c.position).as_u128(),
              make_u128(c.hi, c.lo))
        << c.position;
  }
  EXPECT_EQ(PositionalLineageHashSeedLayout(kCurrent, std::nullopt, 0).as_u128(),
            make_u128(0, 0x0234567890abcdef));
}

TEST(PositionalLineageHashSeedLayout, DerivedChainOfUpstreamBlocks) {
  // The upstream chain: plh1 has parent fragment 0 and current SEQ_HASH_1_4 & (2^59 - 1),
  // plh2 names it as parent.
  const SequenceHash seq3 = 12583592247330656132u;
  const PositionalLineageHashSeedLayout p0(kHash1to4, std::nullopt, 0);
  const PositionalLineageHashSeedLayout p1(kSeq5to8, kHash1to4, 1);
  const PositionalLineageHashSeedLayout p2(seq3, kSeq5to8, 2);
  EXPECT_EQ(p0.as_u128(), make_u128(0, 0x0338e4d7fb2dca5c));
  EXPECT_EQ(p1.as_u128(), make_u128(0x0059c726bfd96e52, 0xe4a2b2379d6d3c3d));
  EXPECT_EQ(p2.as_u128(), make_u128(0x00a51591bceb69e1, 0xeea1e67a6c80cf84));
  EXPECT_EQ(p1.parent_hash_fragment(), kHash1to4 & low_mask(59));
  EXPECT_EQ(p1.current_hash_fragment(), kSeq5to8 & low_mask(59));
  EXPECT_TRUE(parent_fragment_matches(p1, p0));
  EXPECT_TRUE(parent_fragment_matches(p2, p1));
}

TEST(PositionalLineageHashSeedLayout, BoundaryPositions) {
  for (const std::uint64_t p : kBoundaryPositions) {
    const PositionalLineageHashSeedLayout h(kCurrent, kParent, p);
    const unsigned mode = expected_mode(p);
    const unsigned bits = PositionalLineageHashSeedLayout::fragment_bits(mode);
    // The last position of modes 0 and 1 keeps only the next mode's width.
    const unsigned kept = p == 255 ? 55 : p == 65535 ? 51 : bits;
    EXPECT_EQ(h.mode(), mode) << p;
    EXPECT_EQ(h.position(), p);
    EXPECT_EQ(h.parent_hash_fragment(), kParent & low_mask(bits)) << p;
    EXPECT_EQ(h.current_hash_fragment(), kCurrent & low_mask(kept)) << p;
    EXPECT_EQ(PositionalLineageHashSeedLayout::from_u128(h.as_u128()), h);
  }
}

TEST(PositionalLineageHashSeedLayout, PositionPastLimitIsUsageError) {
  EXPECT_NO_THROW(PositionalLineageHashSeedLayout(kCurrent, kParent, kLast));
  EXPECT_THROW(PositionalLineageHashSeedLayout(kCurrent, kParent, kLast + 1), UsageError);
  EXPECT_THROW(PositionalLineageHashSeedLayout(kCurrent, kParent, ~std::uint64_t{0}), UsageError);
  try {
    PositionalLineageHashSeedLayout(kCurrent, kParent, kLast + 1);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("position 16777216 exceeds"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(PositionalLineageHashSeedLayout::from_u128(make_u128(0xC000000000000000, 0)),
               UsageError);
}

TEST(PositionalLineageHashSeedLayout, ParentMatchesAcrossEveryModeBoundary) {
  // Chains crossing 255 -> 256, 65535 -> 65536 and ending at the last position.
  for (const std::uint64_t first :
       {std::uint64_t{0}, std::uint64_t{253}, std::uint64_t{65533}, kLast - 3}) {
    const std::vector<SequenceHash> seq = chain(first, 4);
    std::vector<PositionalLineageHashSeedLayout> plh;
    for (std::size_t i = 0; i < seq.size(); ++i) {
      std::optional<SequenceHash> parent;  // none only for a root at position 0
      if (i > 0) {
        parent = seq[i - 1];
      } else if (first > 0) {
        parent = 7;
      }
      plh.emplace_back(seq[i], parent, first + i);
    }
    for (std::size_t i = 1; i < plh.size(); ++i) {
      EXPECT_TRUE(parent_fragment_matches(plh[i], plh[i - 1])) << first + i;
      EXPECT_FALSE(parent_fragment_matches(plh[i - 1], plh[i])) << first + i;
      if (i >= 2) {
        EXPECT_FALSE(parent_fragment_matches(plh[i], plh[i - 2])) << first + i;
      }
    }
    // Same position and fragment width, other parent: no match.
    const PositionalLineageHashSeedLayout stranger(seq[1], seq[0] ^ 1, first + 1);
    EXPECT_FALSE(parent_fragment_matches(stranger, plh[0]));
  }
}

// --- main-branch codec (G2/G4) ---------------------------------------------------------

TEST(PositionalLineageHash, DerivedValues) {
  struct Case {
    std::uint64_t position;
    std::uint64_t hi;
    std::uint64_t lo;
  };
  for (const Case c : {Case{100, 0x19048d159e242af3, 0x7bdcba9876543210},
                       Case{256, 0x4040048d159e242a, 0xf37bfa9876543210},
                       Case{65536, 0x804000048d159e24, 0x2af37bd876543210}}) {
    EXPECT_EQ(PositionalLineageHash(kCurrent, kParent, c.position).as_u128(), make_u128(c.hi, c.lo))
        << c.position;
  }
  EXPECT_EQ(PositionalLineageHash(kCurrent, std::nullopt, 0).as_u128(),
            make_u128(0x00048d159e242af3, 0x7bc0000000000000));
}

TEST(PositionalLineageHash, DerivedChains) {
  const PositionalLineageHash root = PositionalLineageHash::root(kHash1to4);
  EXPECT_EQ(root.as_u128(), make_u128(0x0032ce3935fecb72, 0x9700000000000000));
  // G2: chain steps seeded with 0.
  const PositionalLineageHash g2_1 = root.extend(kHash5to8, 0);
  const PositionalLineageHash g2_2 = g2_1.extend(kHash9to12, 0);
  EXPECT_EQ(g2_1.as_u128(), make_u128(0x006dfee214aa7c89, 0xd1b8e4d7fb2dca5c));
  EXPECT_EQ(g2_2.as_u128(), make_u128(0x00bfb54e5088da65, 0x15bb8852a9f22746));
  // G4 assumption: the same layout with the 1337 chain.
  const PositionalLineageHash g4_1 = root.extend(kHash5to8);
  const PositionalLineageHash g4_2 = g4_1.extend(kHash9to12);
  EXPECT_EQ(g4_1.as_u128(), make_u128(0x005128ac8de75b4f, 0x0f78e4d7fb2dca5c));
  EXPECT_EQ(g4_2.as_u128(), make_u128(0x00aba8799e9b2033, 0xe122b2379d6d3c3d));
  EXPECT_EQ(g4_1.current_sequence_hash(), kSeq5to8);
  EXPECT_EQ(g4_1.parent_hash_fragment(), kHash1to4 & low_mask(54));
  EXPECT_TRUE(parent_fragment_matches(g4_2, g4_1));
}

TEST(PositionalLineageHash, BoundaryPositions) {
  for (const std::uint64_t p : kBoundaryPositions) {
    const PositionalLineageHash h(kCurrent, kParent, p);
    const unsigned mode = expected_mode(p);
    EXPECT_EQ(h.mode(), mode) << p;
    EXPECT_EQ(h.position(), p);
    // The current hash is stored whole at every position: no pre-truncation.
    EXPECT_EQ(h.current_sequence_hash(), kCurrent) << p;
    EXPECT_EQ(h.parent_hash_fragment(),
              kParent & low_mask(PositionalLineageHash::parent_bits(mode)))
        << p;
    EXPECT_EQ(PositionalLineageHash::from_u128(h.as_u128()), h);
  }
  // Upstream G2 boundary asserts: the child's width decides (54 -> 46 -> 38 bits).
  const PositionalLineageHash p255(kCurrent, kParent, 255);
  EXPECT_EQ(p255.parent_fragment_for_child_position(256), kCurrent & low_mask(46));
  EXPECT_EQ(p255.fragment_for_child(), kCurrent & low_mask(46));
  const PositionalLineageHash p65535(kCurrent, kParent, 65535);
  EXPECT_EQ(p65535.fragment_for_child(), kCurrent & low_mask(38));
  EXPECT_EQ(PositionalLineageHash(kCurrent, kParent, 100).fragment_for_child(),
            kCurrent & low_mask(54));
}

TEST(PositionalLineageHash, PositionPastLimitIsUsageError) {
  const PositionalLineageHash last(kCurrent, kParent, kLast);
  EXPECT_EQ(last.position(), kLast);
  EXPECT_THROW(PositionalLineageHash(kCurrent, kParent, kLast + 1), UsageError);
  EXPECT_THROW(last.extend(kHash1to4), UsageError);
  EXPECT_THROW(PositionalLineageHash::from_u128(make_u128(0xC000000000000000, 0)), UsageError);
}

TEST(PositionalLineageHash, ParentMatchesAcrossEveryModeBoundary) {
  for (const std::uint64_t first :
       {std::uint64_t{0}, std::uint64_t{253}, std::uint64_t{65533}, kLast - 3}) {
    // extend() builds the chain the way a KVBM-style component would.
    std::vector<PositionalLineageHash> plh{PositionalLineageHash(0xABCDEF + first, 7, first)};
    for (int i = 1; i < 4; ++i) plh.push_back(plh.back().extend(first + i));
    for (std::size_t i = 1; i < plh.size(); ++i) {
      EXPECT_EQ(plh[i].position(), first + i);
      EXPECT_TRUE(parent_fragment_matches(plh[i], plh[i - 1])) << first + i;
      EXPECT_FALSE(parent_fragment_matches(plh[i - 1], plh[i])) << first + i;
    }
    const PositionalLineageHash stranger(plh[1].current_sequence_hash(),
                                         plh[0].current_sequence_hash() ^ 1, first + 1);
    EXPECT_FALSE(parent_fragment_matches(stranger, plh[0]));
  }
}

TEST(PositionalLineageHashSeedLayout, CodecsDifferButAgreeOnPosition) {
  const PositionalLineageHashSeedLayout g1(kCurrent, kParent, 300);
  const PositionalLineageHash g2(kCurrent, kParent, 300);
  EXPECT_NE(g1.as_u128(), g2.as_u128());
  EXPECT_EQ(g1.position(), g2.position());
  EXPECT_EQ(g1.mode(), g2.mode());
}

}  // namespace
}  // namespace kvtrace::hashing
