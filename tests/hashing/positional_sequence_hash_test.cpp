// PositionalSequenceHash against dynamo-tokens.md section 2: upstream
// test_positional_sequence_hash_encoding_decoding and the [derived] as_u128 table, plus the
// mode boundaries and the 2^31 position limit.

#include "kvtrace/hashing/positional_sequence_hash.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <type_traits>

#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {
namespace {

constexpr SequenceHash kSeq = 0x1234567890ABCDEFu;
constexpr BlockHash kLbh = 0xFEDCBA9876543210u;

static_assert(std::is_trivially_copyable_v<PositionalSequenceHash>);
static_assert(sizeof(PositionalSequenceHash) == 16);

TEST(PositionalSequenceHash, UpstreamEncodingDecoding) {
  struct Case {
    std::uint64_t position;
    unsigned mode;
    unsigned block_bits;
  };
  for (const Case c :
       {Case{100, 0, 54}, Case{1000, 1, 46}, Case{100000, 2, 38}, Case{20000000, 3, 31}}) {
    const PositionalSequenceHash h(kSeq, c.position, kLbh);
    EXPECT_EQ(h.mode(), c.mode) << c.position;
    EXPECT_EQ(h.sequence_hash(), kSeq) << c.position;
    EXPECT_EQ(h.position(), c.position);
    EXPECT_EQ(h.local_block_hash(), kLbh & low_mask(c.block_bits)) << c.position;
  }
  EXPECT_EQ(PositionalSequenceHash(kSeq, 255, kLbh).mode(), 0u);
  EXPECT_EQ(PositionalSequenceHash(kSeq, 255, kLbh).position(), 255u);
  EXPECT_EQ(PositionalSequenceHash(kSeq, 256, kLbh).mode(), 1u);
  EXPECT_EQ(PositionalSequenceHash(kSeq, 256, kLbh).position(), 256u);
}

TEST(PositionalSequenceHash, DerivedValues) {
  struct Case {
    std::uint64_t position;
    std::uint64_t hi;
  };
  // The low 64 bits are always the sequence hash.
  for (const Case c : {Case{100, 0x191cba9876543210}, Case{255, 0x3fdcba9876543210},
                       Case{256, 0x40403a9876543210}, Case{1000, 0x40fa3a9876543210},
                       Case{100000, 0x8061a81876543210}, Case{20000000, 0xc098968076543210}}) {
    EXPECT_EQ(PositionalSequenceHash(kSeq, c.position, kLbh).as_u128(), make_u128(c.hi, kSeq))
        << c.position;
  }
}

TEST(PositionalSequenceHash, ModeBoundaries) {
  struct Case {
    std::uint64_t position;
    unsigned mode;
  };
  for (const Case c : {Case{0, 0}, Case{255, 0}, Case{256, 1}, Case{65535, 1}, Case{65536, 2},
                       Case{(1u << 24) - 1, 2}, Case{1u << 24, 3},
                       Case{PositionalSequenceHash::kMaxPosition, 3}}) {
    const PositionalSequenceHash h(kSeq, c.position, kLbh);
    EXPECT_EQ(h.mode(), c.mode) << c.position;
    EXPECT_EQ(h.position(), c.position);
    EXPECT_EQ(h.sequence_hash(), kSeq);
  }
}

TEST(PositionalSequenceHash, PositionPastLimitIsUsageError) {
  EXPECT_THROW(PositionalSequenceHash(kSeq, std::uint64_t{1} << 31, kLbh), UsageError);
  EXPECT_THROW(PositionalSequenceHash(kSeq, ~std::uint64_t{0}, kLbh), UsageError);
  try {
    PositionalSequenceHash(kSeq, std::uint64_t{1} << 31, kLbh);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("2147483648"), std::string::npos) << e.what();
  }
}

TEST(PositionalSequenceHash, ValueSemantics) {
  const PositionalSequenceHash a(kSeq, 7, kLbh);
  EXPECT_EQ(PositionalSequenceHash::from_u128(a.as_u128()), a);
  EXPECT_EQ(PositionalSequenceHash(kSeq, 7, kLbh), a);
  EXPECT_NE(PositionalSequenceHash(kSeq, 8, kLbh), a);
  EXPECT_EQ(PositionalSequenceHash().as_u128(), u128{0});
  EXPECT_EQ(std::hash<PositionalSequenceHash>{}(a), std::hash<PositionalSequenceHash>{}(a));
  EXPECT_NE(std::hash<PositionalSequenceHash>{}(a),
            std::hash<PositionalSequenceHash>{}(PositionalSequenceHash(kSeq, 8, kLbh)));
}

}  // namespace
}  // namespace kvtrace::hashing
