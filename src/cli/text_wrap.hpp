#pragma once
// Text wrapping for the help text (help_format.cpp): descriptions, two-column option lines,
// long example commands and prose footers, each to a given width. Plain string functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kvtrace::cli {

// Descriptions stay readable when the terminal is narrower than the option column allows.
inline constexpr std::size_t kMinTextWidth = 24;

// Splits `text` into lines of at most `width` characters at spaces (a longer word gets a line
// of its own). Newlines are kept.
std::vector<std::string> wrap(std::string_view text, std::size_t width);

// "  left    right", the right column wrapped and aligned at `column` (CLI11's layout, wrapped);
// a left column reaching `column` puts the right one on the next line.
std::string two_columns(std::string_view left, std::string_view right, std::size_t column,
                        std::size_t width);

// The number of leading spaces of `line`.
std::size_t indentation(std::string_view line);

// A shell command longer than the width, broken with " \\" continuations before a flag, never
// between a flag and its value; continuation lines are indented 4 more.
std::string wrap_command(std::string_view line, std::size_t width);

// A prose line: continuation lines start under its second column ("  64   bad arguments"),
// or repeat its "# " (an example's comment).
std::string wrap_prose(std::string_view line, std::size_t width);

}  // namespace kvtrace::cli
