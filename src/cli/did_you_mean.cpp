// The errors for an unknown subcommand or flag, naming the nearest one ("did you mean").

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "cli/help.hpp"

namespace kvtrace::cli {
namespace {

bool is_number(std::string_view s) {
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size();
}

// The long flags of `app` with their dashes, in definition order.
std::vector<std::string> long_flags(const CLI::App& app) {
  std::vector<std::string> flags;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // a hidden alias: suggest the flag's name
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

std::string unknown_subcommand_error(const CLI::App& app, std::string_view name) {
  const std::vector<std::string> names = subcommand_names(app);
  const std::optional<std::string> near = nearest(name, names);
  return fmt::format("unknown subcommand '{}'{}; the subcommands are {}", name,
                     near ? fmt::format(" (did you mean '{}'?)", *near) : "",
                     fmt::join(names, ", "));
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
    return unknown_subcommand_error(app, arg);
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

}  // namespace kvtrace::cli
