#pragma once
// Re-blocking: hash ids of blocks of b tokens -> ids of blocks of k·b tokens. Each run of k
// source blocks (from the start of the prompt) becomes one block; two new blocks get the same
// id exactly when the whole source prefix up to their end is the same id sequence, so
// sharing is kept and never invented. The last run of a prompt may hold fewer than k source
// blocks (a partial block, as the last block of a prompt may be): its id is that of its
// prefix, which no full block shares. New ids are dense, 0, 1, 2, … in order of first
// appearance. A request of input_length L with ceil(L / b) ids gets ceil(L / (k·b)).
//
// Memory: one entry per distinct source prefix (a trie keyed by (node, source id)) and one
// per distinct new block.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace kvtrace::formats {

class Reblocker {
 public:
  // `factor`: source blocks per new block, >= 1 (UsageError otherwise).
  explicit Reblocker(std::uint32_t factor);
  ~Reblocker();
  Reblocker(const Reblocker&) = delete;
  Reblocker& operator=(const Reblocker&) = delete;

  // The new ids of one prompt's source ids, in order, into `out` (cleared first).
  void reblock(std::span<const std::uint64_t> ids, std::vector<std::uint64_t>& out);

  // Distinct new ids so far.
  std::uint64_t new_ids() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kvtrace::formats
