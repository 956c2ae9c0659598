#include "kvtrace/trace/block_size_fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "kvtrace/core/text_table.hpp"

namespace kvtrace::trace {

std::optional<BlockSizeRange> fitting_block_sizes(std::int64_t input_length, std::uint64_t ids) {
  if (input_length < 0) return std::nullopt;
  const auto len = static_cast<std::uint64_t>(input_length);
  if (len == 0 || ids == 0) {
    if (len == 0 && ids == 0) return BlockSizeRange{};
    return std::nullopt;
  }
  if (ids > len) return std::nullopt;  // a block holds at least one token
  BlockSizeRange r;
  r.lo = len / ids + (len % ids != 0 ? 1 : 0);
  if (ids > 1) r.hi = (len - 1) / (ids - 1);
  if (r.lo > r.hi) return std::nullopt;
  return r;
}

void BlockSizeFit::add(std::int64_t input_length, std::uint64_t ids) {
  ++requests_;
  const std::optional<BlockSizeRange> r = fitting_block_sizes(input_length, ids);
  if (!r) {
    any_unfit_ = true;
    return;
  }
  all_.lo = std::max(all_.lo, r->lo);
  all_.hi = std::min(all_.hi, r->hi);
  for (std::size_t k = 0; k < kPowers; ++k) {
    if (r->contains(std::uint64_t{1} << k)) ++power_fits_[k];
  }
}

std::optional<BlockSizeRange> BlockSizeFit::fits_all() const {
  if (requests_ == 0 || any_unfit_ || all_.lo > all_.hi) return std::nullopt;
  return all_;
}

std::optional<std::uint64_t> BlockSizeFit::likely() const {
  if (const auto all = fits_all()) {
    if (all->contains(512)) return 512;
    for (std::size_t k = kPowers; k-- > 0;) {
      if (all->contains(std::uint64_t{1} << k)) return std::uint64_t{1} << k;
    }
    return all->lo;
  }
  const auto best = std::max_element(power_fits_.begin(), power_fits_.end());
  if (*best == 0) return std::nullopt;
  return std::uint64_t{1} << (best - power_fits_.begin());
}

std::string BlockSizeFit::describe() const {
  if (const auto all = fits_all()) {
    if (all->lo == all->hi) return fmt::format("{}", all->lo);
    if (all->hi == UINT64_MAX) return fmt::format("{} or more", all->lo);
    return fmt::format("{} to {}", all->lo, all->hi);
  }
  const std::optional<std::uint64_t> best = likely();
  if (!best) return "none fits any request";
  const auto k = static_cast<std::size_t>(std::countr_zero(*best));
  return fmt::format("none fits every request; {} fits {} of {}", *best,
                     core::grouped_int(power_fits_[k]), core::grouped_int(requests_));
}

}  // namespace kvtrace::trace
