#pragma once
// Text for people: numbers with thousands separators (as Python's f"{v:,.2f}") and box-drawn
// tables, shared by the reports of analyze, compare/synthesize and replay.

#include <cstdint>
#include <string>
#include <vector>

namespace kvtrace::core {

// Python's f"{v:,.{decimals}f}": thousands separators, fixed decimals.
std::string format_grouped(double v, int decimals);
// An integer with thousands separators: 12,031.
std::string grouped_int(std::uint64_t v);

// A box-drawn table under a centred title: the first row is the header; the first column is
// left-aligned, the others right-aligned.
std::string box_table(const std::string& title, const std::vector<std::vector<std::string>>& rows);

}  // namespace kvtrace::core
