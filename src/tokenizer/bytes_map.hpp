#pragma once
// Hash maps keyed by byte strings and searched with string_views (no temporary strings on the
// encode path).

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

namespace kvtrace::tokenizer {

struct BytesHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return boost::hash<std::string_view>()(s);
  }
};

struct BytesEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

template <class Value>
using BytesMap = boost::unordered_flat_map<std::string, Value, BytesHash, BytesEqual>;

}  // namespace kvtrace::tokenizer
