// The help text's layout: CLI11's, with every description wrapped to the terminal's width, the
// subcommands' one-line summaries and the examples at the end.

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/help.hpp"

namespace kvtrace::cli {
namespace {

// Descriptions stay readable when the terminal is narrower than the option column allows.
constexpr std::size_t kMinTextWidth = 24;

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

// Splits `text` into lines of at most `width` characters at spaces. Newlines are kept.
std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  for (const std::string_view paragraph : split(text, '\n')) {
    for (std::string& line : fill(split(paragraph, ' '), width)) lines.push_back(std::move(line));
  }
  return lines;
}

// "  left    right", the right column wrapped and aligned at `column` (CLI11's layout, wrapped).
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

// A shell command longer than the width, broken with " \\" continuations before a flag, never
// between a flag and its value.
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

// A prose line: continuation lines start under its second column ("  64   bad arguments"),
// or repeat its "# " (an example's comment).
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

}  // namespace

std::size_t help_width() {
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
    std::size_t value = 0;
    const std::string_view s(columns);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc() && end == s.data() + s.size() && value > 0) return value;
  }
  winsize size{};
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
      size.ws_col > 0) {
    return size.ws_col;
  }
  return 80;
}

HelpFormatter::HelpFormatter(std::size_t width) : width_(width) {}

std::string HelpFormatter::make_option(const CLI::Option* opt, bool is_positional) const {
  return two_columns(make_option_name(opt, is_positional) + make_option_opts(opt),
                     make_option_desc(opt), column_width_, width_);
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
  // Subcommand names are short: their column is as wide as the longest one needs.
  std::size_t column = 0;
  for (const CLI::App* s : named_subcommands(*sub->get_parent())) {
    column = std::max(column, s->get_display_name(true).size() + 4);
  }
  const SubcommandDoc* doc = find_doc(sub->get_name());
  return two_columns(sub->get_display_name(true),
                     doc != nullptr ? doc->summary : std::string_view(sub->get_description()),
                     column, width_);
}

std::string HelpFormatter::make_description(const CLI::App* app) const {
  const std::string description = CLI::Formatter::make_description(app);
  if (description.empty()) return description;
  std::string out;
  for (const std::string& line : wrap(description.substr(0, description.size() - 1), width_)) {
    out += line + "\n";
  }
  return out;
}

std::string HelpFormatter::make_footer(const CLI::App* app) const {
  const std::string footer = app->get_footer();
  if (footer.empty()) return footer;
  std::string out;
  bool examples = false;  // the indented lines after "Examples:" are shell commands
  for (std::size_t start = 0; start <= footer.size();) {
    const std::size_t end = std::min(footer.find('\n', start), footer.size());
    const std::string_view line = std::string_view(footer).substr(start, end - start);
    start = end + 1;
    const std::size_t indent = indentation(line);
    if (indent == 0) examples = line == "Examples:";
    if (line.size() <= width_) {
      out += std::string(line) + "\n";
    } else if (examples && indent > 0 && line[indent] != '#') {
      out += wrap_command(line, width_);
    } else {
      out += wrap_prose(line, width_);
    }
  }
  return out;
}

}  // namespace kvtrace::cli
