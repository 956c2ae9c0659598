// kvtrace help: the help text's layout, `kvtrace help [SUBCOMMAND]`, and the errors that point
// to the nearest subcommand or flag.

#include "cli/help.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

#include "kvtrace/core/error.hpp"

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

const SubcommandDoc* find_doc(std::string_view name) {
  for (const SubcommandDoc& doc : subcommand_docs()) {
    if (doc.name == name) return &doc;
  }
  return nullptr;
}

// The subcommands CLI11 dispatches to (not option groups, which are nameless apps).
std::vector<const CLI::App*> named_subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); });
}

std::string unknown_subcommand(const CLI::App& app, std::string_view name) {
  const std::vector<std::string> names = subcommand_names(app);
  const std::optional<std::string> near = nearest(name, names);
  return fmt::format("unknown subcommand '{}'{}; the subcommands are {}", name,
                     near ? fmt::format(" (did you mean '{}'?)", *near) : "",
                     fmt::join(names, ", "));
}

std::string render_examples(std::span<const Example> examples) {
  std::string out = "Examples:";
  for (const Example& e : examples) out += fmt::format("\n  # {}\n  {}", e.what, e.command);
  return out;
}

std::string top_level_footer(std::string_view name) {
  return fmt::format(
      "Exit codes:\n"
      "  {:<4} ok (validate: the trace is clean; replay: the run completed)\n"
      "  {:<4} invalid input data: a bad line, an empty trace; validate: problems found\n"
      "  {:<4} I/O error: a file cannot be opened, read or written\n"
      "  {:<4} bad command-line arguments\n"
      "  {:<4} internal error (a bug)\n"
      "  {:<4} replay stopped by Ctrl-C (the results so far are written)\n"
      "\n"
      "Run '{} help SUBCOMMAND' (or '{} SUBCOMMAND --help') for its flags and examples; "
      "docs/cli.md has more.",
      static_cast<int>(kOk), static_cast<int>(kInvalidInput), static_cast<int>(kIoFailure),
      static_cast<int>(kUsage), static_cast<int>(kInternal), 130 /* replay.cpp kInterrupted */,
      name, name);
}

bool is_number(std::string_view s) {
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size();
}

// The long flags of `app` with their dashes, in definition order.
std::vector<std::string> long_flags(const CLI::App& app) {
  std::vector<std::string> flags;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) flags.push_back("--" + l);
  }
  return flags;
}

// The first flag among `args` that `app` does not know, with the nearest one it knows.
std::optional<std::string> unknown_flag(const CLI::App& app, std::span<const char* const> args) {
  for (const std::string_view arg : args) {
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-' || is_number(arg)) continue;
    const std::string flag(arg.starts_with("--") ? arg.substr(0, arg.find('=')) : arg.substr(0, 2));
    if (app.get_option_no_throw(flag) != nullptr) continue;
    const std::string where = app.get_parent() != nullptr ? app.get_name() + ": " : "";
    const std::optional<std::string> near =
        flag.starts_with("--") ? nearest(flag, long_flags(app)) : std::nullopt;
    return fmt::format("{}unknown flag {}{}", where, flag,
                       near ? fmt::format(" (did you mean {}?)", *near) : "");
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : named_subcommands(app)) names.push_back(sub->get_name());
  return names;
}

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

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Rows i-2, i-1 and i of the dynamic-programming table.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string> nearest(std::string_view word, std::span<const std::string> candidates) {
  // A candidate the word begins (a truncated name) wins, the shortest such; else the nearest
  // by edit distance, when about two thirds of the word are right.
  std::optional<std::string> best;
  for (const std::string& c : candidates) {
    if (word.size() >= 2 && c.starts_with(word) && (!best || c.size() < best->size())) best = c;
  }
  if (best) return best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::optional<std::string> check_subcommand(const CLI::App& app,
                                            std::span<const char* const> args) {
  for (const std::string_view arg : args) {
    if (arg.starts_with("-")) continue;  // the top level has flags only, no option values
    for (const CLI::App* sub : named_subcommands(app)) {
      if (sub->check_name(std::string(arg))) return std::nullopt;
    }
    return unknown_subcommand(app, arg);
  }
  return std::nullopt;
}

std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e,
                                std::span<const char* const> args) {
  const std::vector<CLI::App*> parsed = app.get_subcommands();
  const CLI::App* sub = parsed.empty() ? nullptr : parsed.front();
  const std::string hint = sub != nullptr
                               ? fmt::format("Run '{} help {}' for its flags and examples.",
                                             app.get_name(), sub->get_name())
                               : fmt::format("Run '{} help' for the subcommands.", app.get_name());
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // The flags after the subcommand's name are the subcommand's.
    std::span<const char* const> rest = args;
    if (sub != nullptr) {
      while (!rest.empty() && std::string_view(rest.front()) != sub->get_name()) {
        rest = rest.subspan(1);
      }
    }
    if (const auto message = unknown_flag(sub != nullptr ? *sub : app, rest)) {
      return *message + "\n" + hint;
    }
  }
  if (sub == nullptr && dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    return fmt::format("a subcommand is required: {}\n{}", fmt::join(subcommand_names(app), ", "),
                       hint);
  }
  return e.what() + ("\n" + hint);
}

void add_help(CLI::App& app, Action& action) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "help",
      "The top-level help (the subcommands and the exit codes), or a subcommand's "
      "help: the same as 'kvtrace SUBCOMMAND --help'");
  cmd->group("Help and shell completion");
  // SUBCOMMAND: the completion completes subcommand names here.
  cmd->add_option("subcommand", *name, "The subcommand to explain")->type_name("SUBCOMMAND");
  cmd->callback([name, &app, &action] {
    action = [name, &app] {
      if (name->empty()) {
        write_text(
            "-", app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal));
        return kOk;
      }
      for (const CLI::App* sub : named_subcommands(app)) {
        if (sub->check_name(*name)) {
          write_text("-", sub->help(app.get_name()));
          return kOk;
        }
      }
      throw UsageError(unknown_subcommand(app, *name));
    };
  });
}

void finish_help(CLI::App& app) {
  const auto formatter = std::make_shared<HelpFormatter>(help_width());
  app.formatter(formatter);
  app.footer(top_level_footer(app.get_name()));
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return !s->get_name().empty(); })) {
    const SubcommandDoc* doc = find_doc(sub->get_name());
    if (doc == nullptr || doc->examples.size() < 2 || doc->examples.size() > 3) {
      throw std::logic_error("kvtrace " + sub->get_name() +
                             " needs a summary and 2-3 examples in src/cli/examples.cpp");
    }
    sub->formatter(formatter);
    sub->footer(render_examples(doc->examples));
  }
  const std::vector<std::string> names = subcommand_names(app);
  for (const SubcommandDoc& doc : subcommand_docs()) {
    if (std::find(names.begin(), names.end(), doc.name) == names.end()) {
      throw std::logic_error("src/cli/examples.cpp documents an unknown subcommand " +
                             std::string(doc.name));
    }
  }
}

}  // namespace kvtrace::cli
