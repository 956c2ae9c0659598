#pragma once
// The UTF-8 byte order mark that some editors put at the start of a file: the line readers
// drop it from the first line instead of failing on it as bad JSON.

#include <string_view>

namespace kvtrace::trace {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

inline bool starts_with_bom(std::string_view text) {
  return text.substr(0, kUtf8Bom.size()) == kUtf8Bom;
}

}  // namespace kvtrace::trace
