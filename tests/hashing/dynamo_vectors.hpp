#pragma once
// dynamo-tokens test constants (block size 4, salt 1337): the block hashes of tokens 1-4, 5-8
// and 9-12 and the sequence hashes of their chain (test_validate_hash_constants).

#include "kvtrace/hashing/block_hash.hpp"

namespace kvtrace::hashing::dynamo_vectors {

inline constexpr BlockHash kHash1to4 = 14643705804678351452u;
inline constexpr BlockHash kHash5to8 = 16777012769546811212u;
inline constexpr BlockHash kHash9to12 = 483935686894639516u;
inline constexpr SequenceHash kSeq5to8 = 4945711292740353085u;
inline constexpr SequenceHash kSeq9to12 = 12583592247330656132u;

}  // namespace kvtrace::hashing::dynamo_vectors
