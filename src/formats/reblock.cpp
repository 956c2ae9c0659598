#include "kvtrace/formats/reblock.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <utility>

#include "kvtrace/core/error.hpp"

namespace kvtrace::formats {

struct Reblocker::Impl {
  std::uint32_t factor;
  // (trie node, source id) -> trie node; node 0 is the empty prefix.
  boost::unordered_flat_map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> child;
  std::uint64_t nodes = 1;
  // Trie node at the end of a new block -> its new id.
  boost::unordered_flat_map<std::uint64_t, std::uint64_t> block_id;
};

Reblocker::Reblocker(std::uint32_t factor) : impl_(std::make_unique<Impl>()) {
  if (factor == 0) throw UsageError("re-blocking needs at least one source block per block");
  impl_->factor = factor;
}

Reblocker::~Reblocker() = default;

void Reblocker::reblock(std::span<const std::uint64_t> ids, std::vector<std::uint64_t>& out) {
  Impl& m = *impl_;
  out.clear();
  std::uint64_t node = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto [it, added] = m.child.try_emplace({node, ids[i]}, m.nodes);
    if (added) ++m.nodes;
    node = it->second;
    if ((i + 1) % m.factor == 0 || i + 1 == ids.size()) {
      const auto [b, fresh] = m.block_id.try_emplace(node, m.block_id.size());
      out.push_back(b->second);
    }
  }
}

std::uint64_t Reblocker::new_ids() const {
  return impl_->block_id.size();
}

}  // namespace kvtrace::formats
