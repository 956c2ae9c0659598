// The help text's layout: CLI11's, with every description wrapped to the terminal's width, the
// subcommands' one-line summaries and the examples at the end.

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cli/help.hpp"
#include "cli/text_wrap.hpp"

namespace kvtrace::cli {

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
