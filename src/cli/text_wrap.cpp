// Text wrapping for the help: plain string functions, no CLI11.

#include "cli/text_wrap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <span>

namespace kvtrace::cli {
namespace {

// Fills lines of at most `width` characters with `units` separated by spaces; a longer unit
// gets a line of its own.
std::vector<std::string> fill(std::span<const std::string_view> units, std::size_t width) {
  std::vector<std::string> lines(1);
  for (const std::string_view unit : units) {
    if (unit.empty()) continue;
    if (!lines.back().empty() && lines.back().size() + 1 + unit.size() > width)
      lines.emplace_back();
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back() += unit;
  }
  return lines;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t end = std::min(text.find(separator, start), text.size());
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  for (const std::string_view paragraph : split(text, '\n')) {
    for (std::string& line : fill(split(paragraph, ' '), width)) lines.push_back(std::move(line));
  }
  return lines;
}

std::string two_columns(std::string_view left, std::string_view right, std::size_t column,
                        std::size_t width) {
  std::string out = fmt::format("  {}", left);
  if (right.empty()) return out + "\n";
  if (out.size() >= column) {
    out += '\n';
    out.append(column, ' ');
  } else {
    out.append(column - out.size(), ' ');
  }
  const std::vector<std::string> lines =
      wrap(right, std::max(width > column ? width - column : 0, kMinTextWidth));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out.append(column, ' ');
    out += lines[i];
    out += '\n';
  }
  return out;
}

std::size_t indentation(std::string_view line) {
  return std::min(line.find_first_not_of(' '), line.size());
}

std::string wrap_command(std::string_view line, std::size_t width) {
  const std::size_t indent = indentation(line);
  const std::string_view command = line.substr(indent);
  std::vector<std::string_view> units;
  for (const std::string_view word : split(command, ' ')) {
    if (units.empty() || (word.size() > 1 && word[0] == '-')) {
      units.push_back(word);
    } else {  // a value or an argument: part of the unit before it
      units.back() = command.substr(units.back().data() - command.data(),
                                    word.data() + word.size() - units.back().data());
    }
  }
  const std::vector<std::string> parts =
      fill(units, std::max(width > indent + 6 ? width - indent - 6 : 0, kMinTextWidth));
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out.append(i == 0 ? indent : indent + 4, ' ');
    out += parts[i];
    out += i + 1 < parts.size() ? " \\\n" : "\n";
  }
  return out;
}

std::string wrap_prose(std::string_view line, std::size_t width) {
  const std::size_t indent = indentation(line);
  std::string_view body = line.substr(indent);
  std::string head(indent, ' ');  // the first line's start, kept as it is
  std::string hanging = head;     // the continuations' start
  if (body.starts_with("# ")) {
    head += "# ";
    hanging = head;
    body.remove_prefix(2);
  } else if (indent > 0 && body.find(' ') != std::string_view::npos) {
    const std::size_t second = std::min(body.find_first_not_of(' ', body.find(' ')), body.size());
    head += body.substr(0, second);
    hanging.append(second, ' ');
    body.remove_prefix(second);
  }
  const std::vector<std::string> lines =
      wrap(body, std::max(width > hanging.size() ? width - hanging.size() : 0, kMinTextWidth));
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? head : hanging) + lines[i] + "\n";
  return out;
}

}  // namespace kvtrace::cli
