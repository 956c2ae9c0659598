// Block and sequence hashes against dynamo-tokens.md: the [upstream] constants of
// test_validate_hash_constants (seed 1337 chain) and of the G2 commit (seed 0 chain), and every
// [derived] u64 vector of sections 1.2-1.4 and 3.3 (salts, router blocks, Eagle and multimodal
// byte layouts, the unmerged G3 chain), the last ones through the xxh3_64 / chain primitives.

#include "kvtrace/hashing/block_hash.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include <cstdint>
#include <cstring>
#include <numeric>
#include <string_view>
#include <vector>

#include "hashing/dynamo_vectors.hpp"
#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {
namespace {

using namespace dynamo_vectors;

std::vector<Token> iota_tokens(std::size_t n, Token first = 0) {
  std::vector<Token> tokens(n);
  std::iota(tokens.begin(), tokens.end(), first);
  return tokens;
}

std::uint64_t hash_text(std::string_view text, std::uint64_t seed) {
  return xxh3_64(std::as_bytes(std::span(text.data(), text.size())), seed);
}

TEST(BlockHash, UpstreamBlockHashes) {
  const std::vector<Token> b1{1, 2, 3, 4};
  const std::vector<Token> b2{5, 6, 7, 8};
  const std::vector<Token> b3{9, 10, 11, 12};
  EXPECT_EQ(block_hash(b1, 1337), kHash1to4);
  EXPECT_EQ(block_hash(b2, 1337), kHash5to8);
  EXPECT_EQ(block_hash(b3, 1337), kHash9to12);
  EXPECT_EQ(block_hash(b1), kHash1to4);  // the default salt is the base seed
}

TEST(BlockHash, UpstreamChainSeed1337) {
  EXPECT_EQ(next_sequence_hash(kHash1to4, kHash5to8), kSeq5to8);
  EXPECT_EQ(next_sequence_hash(kSeq5to8, kHash9to12), kSeq9to12);
}

TEST(BlockHash, UpstreamChainSeed0) {
  // dynamo-tokens G2 (05039e48): same block hashes, chain steps seeded with 0.
  const SequenceHash seq2 = next_sequence_hash(kHash1to4, kHash5to8, 0);
  EXPECT_EQ(seq2, 13257339816715102022u);
  EXPECT_EQ(next_sequence_hash(seq2, kHash9to12, 0), 18362646011897812054u);

  const BlockHashes h = hash_blocks(iota_tokens(12, 1), 4, 1337, 0);
  EXPECT_EQ(h.sequence,
            (std::vector<SequenceHash>{kHash1to4, 13257339816715102022u, 18362646011897812054u}));
}

TEST(BlockHash, HashBlocksMatchesUpstreamChain) {
  const BlockHashes h = hash_blocks(iota_tokens(12, 1), 4, 1337);
  EXPECT_EQ(h.block, (std::vector<BlockHash>{kHash1to4, kHash5to8, kHash9to12}));
  EXPECT_EQ(h.sequence, (std::vector<SequenceHash>{kHash1to4, kSeq5to8, kSeq9to12}));
}

TEST(BlockHash, OnlyCompleteBlocksAreHashed) {
  // 35 tokens of block size 16: two blocks, the 3-token tail gets nothing.
  const std::vector<Token> tokens = iota_tokens(35);
  const BlockHashes h = hash_blocks(tokens, 16);
  ASSERT_EQ(h.block.size(), 2u);
  EXPECT_EQ(h.block, hash_blocks(std::span(tokens).first(32), 16).block);
  EXPECT_TRUE(hash_blocks(iota_tokens(15), 16).block.empty());
  const BlockHashes one = hash_blocks(iota_tokens(20), 16);
  EXPECT_EQ(one.block, std::vector<BlockHash>{block_hash(std::span(tokens).first(16))});
  EXPECT_EQ(one.sequence, one.block);
  EXPECT_TRUE(hash_blocks({}, 16).sequence.empty());
  // Also the upstream example with a partial tail: [1..13] in blocks of 4.
  EXPECT_EQ(hash_blocks(iota_tokens(13, 1), 4, 1337).sequence.back(), kSeq9to12);
}

TEST(BlockHash, SpanOutputMatchesAllocating) {
  const std::vector<Token> tokens = iota_tokens(1000, 7);
  const BlockHashes expected = hash_blocks(tokens, 64, 99);
  std::vector<BlockHash> blocks(15);
  std::vector<SequenceHash> seqs(15);
  hash_blocks(tokens, 64, 99, blocks, seqs);
  EXPECT_EQ(blocks, expected.block);
  EXPECT_EQ(seqs, expected.sequence);
  // Every element follows the one-block rules.
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(blocks[i], block_hash(std::span(tokens).subspan(i * 64, 64), 99));
    if (i > 0) {
      EXPECT_EQ(seqs[i], next_sequence_hash(seqs[i - 1], blocks[i]));
    }
  }
  EXPECT_EQ(seqs[0], blocks[0]);
}

TEST(BlockHash, ZeroBlockSizeIsUsageErrorMisuseInvalidArgument) {
  const std::vector<Token> tokens = iota_tokens(8);
  EXPECT_THROW(hash_blocks(tokens, 0), UsageError);
  std::vector<BlockHash> blocks(1);
  std::vector<SequenceHash> seqs(2);
  EXPECT_THROW(hash_blocks(tokens, 4, 1337, blocks, seqs), std::invalid_argument);
}

TEST(BlockHash, TokensAreHashedAsLittleEndianU32) {
  const std::vector<Token> tokens{0x01020304u, 0xFFFFFFFFu};
  const unsigned char bytes[] = {0x04, 0x03, 0x02, 0x01, 0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(block_hash(tokens, 5), xxh3_64(std::as_bytes(std::span(bytes)), 5));
}

// --- salts (reference 1.2, 1.3) ---------------------------------------------------------

TEST(SaltHash, DerivedRouterSalts) {
  EXPECT_EQ(salt_hash(), kBaseSeed);
  EXPECT_EQ(salt_hash({.lora_name = "lora-a"}), 16914862882262291013u);
  EXPECT_EQ(salt_hash({.cache_namespace = "tenant-1"}), 13131544620552358486u);
  EXPECT_EQ(salt_hash({.lora_name = "lora-a", .cache_namespace = "tenant-1"}),
            11599663429105096546u);
}

TEST(SaltHash, EmptyStringsAreAbsentAndAdditionsWrap) {
  EXPECT_EQ(salt_hash({.lora_name = "", .cache_namespace = ""}), 1337u);
  // The LoRA plus namespace sum exceeds 2^64 and wraps, like Dynamo's wrapping_add.
  const std::uint64_t lora = hash_text("lora-a", 0);
  const std::uint64_t ns = hash_text("tenant-1", 1);
  EXPECT_EQ(salt_hash({.lora_name = "lora-a"}), 1337 + lora);
  EXPECT_EQ(salt_hash({.lora_name = "lora-a", .cache_namespace = "tenant-1"}), 1337 + lora + ns);
}

TEST(SaltHash, DerivedJsonSaltPayloads) {
  // KVBM (G1) and kv-hashing (G2/G3) JSON salts: H(payload, 0) of compact JSON.
  EXPECT_EQ(hash_text("{}", 0), 1389868326933519382u);
  EXPECT_EQ(hash_text(R"({"lora_name":"lora-a"})", 0), 11290939130208078458u);
  EXPECT_EQ(hash_text(R"({"block_size":16})", 0), 23098081909427854u);
}

// --- router (reference 1.4) -------------------------------------------------------------

TEST(RouterHash, DerivedBaseAndLoraBlocks) {
  const std::vector<Token> tokens = iota_tokens(32);
  const BlockHashes base = hash_blocks(tokens, 16, salt_hash());
  EXPECT_EQ(base.block, (std::vector<BlockHash>{15310707395893867146u, 15292316782987903195u}));
  EXPECT_EQ(base.sequence,
            (std::vector<SequenceHash>{15310707395893867146u, 13769157705258532664u}));
  const BlockHashes lora = hash_blocks(tokens, 16, salt_hash({.lora_name = "lora-a"}));
  EXPECT_EQ(lora.block, (std::vector<BlockHash>{859032224628494500u, 7337828021183973092u}));
  // The chain step does not see the salt: only block hashes do.
  EXPECT_EQ(lora.sequence, (std::vector<SequenceHash>{859032224628494500u, 10055296675422593974u}));
}

TEST(RouterHash, DerivedEagleWindow) {
  // Eagle windows are block_size + 1 tokens; 32 tokens in blocks of 16 give (32-1)/16 = 1.
  const std::vector<Token> tokens = iota_tokens(32);
  EXPECT_EQ(block_hash(std::span(tokens).first(17), kBaseSeed), 11423441316381344367u);
}

TEST(RouterHash, DerivedMultimodalBlockBytes) {
  // LE32(tokens 0..15) then the block's mm hashes sorted ascending as LE64, seed 1337.
  const std::vector<Token> tokens = iota_tokens(16);
  std::vector<std::byte> bytes(16 * 4 + 2 * 8);
  std::memcpy(bytes.data(), tokens.data(), 16 * 4);
  const std::uint64_t mm[] = {0xAA, 0xBB};
  std::memcpy(bytes.data() + 16 * 4, mm, sizeof(mm));
  EXPECT_EQ(xxh3_64(bytes, kBaseSeed), 3602323965599705869u);
}

// --- unmerged G3 chain (reference 3.3), through the primitives ---------------------------

TEST(BlockHash, DerivedG3SaltedRootChain) {
  // root = H(LE64 salt || LE64 block, 0) with salt 1337; steps H(p || b, 0).
  const SequenceHash root = next_sequence_hash(1337, kHash1to4, 0);
  const SequenceHash s1 = next_sequence_hash(root, kHash5to8, 0);
  const SequenceHash s2 = next_sequence_hash(s1, kHash9to12, 0);
  EXPECT_EQ(root, 9020166550358652083u);
  EXPECT_EQ(s1, 6403915489536845695u);
  EXPECT_EQ(s2, 8369196352428063753u);
}

}  // namespace
}  // namespace kvtrace::hashing
