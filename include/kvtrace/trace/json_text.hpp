#pragma once
// What the JSON readers of lines and request bodies share beyond simdjson: the nesting limit
// of the values they walk, and a plainer account of text after a whole JSON object than
// simdjson gives ("ended early") (docs/formats.md).

#include <cstddef>
#include <string_view>

namespace kvtrace::trace {

// Arrays and objects nested deeper than this (the line's own object is level 1) are refused
// with "nesting deeper than 256": values are validated by recursion, which must not run out of
// stack on a line of a few hundred kilobytes of '['. Real traces nest a handful of levels.
inline constexpr std::size_t kMaxJsonNesting = 256;

// True when `text` holds a whole JSON object or array followed by something other than
// whitespace ("{...} x"). Only to explain a parse error: a linear scan, no validation.
bool has_text_after_value(std::string_view text);

// The problem to report for such a line.
inline constexpr std::string_view kTextAfterObject =
    "invalid JSON: trailing characters after the JSON object";

}  // namespace kvtrace::trace
