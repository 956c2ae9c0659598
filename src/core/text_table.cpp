#include "kvtrace/core/text_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kvtrace::core {

std::string format_grouped(double v, int decimals) {
  std::string digits = fmt::format("{:.{}f}", std::fabs(v), decimals);
  const bool negative = std::signbit(v);  // Python keeps the sign of -0.001 -> "-0.00"
  const std::size_t dot = digits.find('.');
  const std::size_t int_len = dot == std::string::npos ? digits.size() : dot;
  std::string out = negative ? "-" : "";
  for (std::size_t i = 0; i < int_len; ++i) {
    if (i != 0 && (int_len - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  out.append(digits, int_len, std::string::npos);
  return out;
}

std::string grouped_int(std::uint64_t v) {
  return format_grouped(static_cast<double>(v), 0);
}

std::string box_table(const std::string& title, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::size_t total = 1;
  for (std::size_t w : width) total += w + 3;
  auto rule = [&](std::string_view left, std::string_view mid, std::string_view right) {
    std::string line(left);
    for (std::size_t c = 0; c < width.size(); ++c) {
      for (std::size_t i = 0; i < width[c] + 2; ++i) line.append("─");
      line.append(c + 1 == width.size() ? right : mid);
    }
    return line + "\n";
  };
  std::string out;
  const std::size_t pad = title.size() < total ? (total - title.size()) / 2 : 0;
  out.append(pad, ' ').append(title).append("\n");
  out += rule("┌", "┬", "┐");
  for (std::size_t r = 0; r < rows.size(); ++r) {
    out.append("│");
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const std::string& cell = rows[r][c];
      const std::string fill(width[c] - cell.size(), ' ');
      out.append(" ").append(c == 0 ? cell + fill : fill + cell).append(" │");
    }
    out.append("\n");
    if (r == 0) out += rule("├", "┼", "┤");
  }
  out += rule("└", "┴", "┘");
  return out;
}

}  // namespace kvtrace::core
