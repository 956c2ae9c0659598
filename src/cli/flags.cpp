#include "cli/flags.hpp"

#include "cli/common.hpp"

namespace kvtrace::cli::flags {

CLI::Option* block_size(CLI::App& app, std::uint32_t& value, const std::string& what) {
  return app.add_option("-b,--block-size", value, what)
      ->capture_default_str()
      ->check(CLI::Range(1u, kMaxBlockSize));
}

CLI::Option* seed(CLI::App& app, std::uint64_t& value, const std::string& what) {
  return app.add_option("--seed", value, what)->capture_default_str();
}

CLI::Option* threads(CLI::App& app, unsigned& value, const std::string& what) {
  return app.add_option("--threads", value, what + " (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0u, kMaxThreads));
}

CLI::Option* output(CLI::App& app, std::string& value, const std::string& what) {
  return app.add_option("-o,--output", value, what + "; - for stdout (parent folders are created)")
      ->capture_default_str();
}

CLI::Option* report_json(CLI::App& app, std::string& value) {
  return app.add_option("--report-json", value,
                        "Also write the JSON report to this file (parent folders are created)");
}

CLI::Option* format(CLI::App& app, std::string& value, const std::vector<std::string>& choices,
                    const std::string& what) {
  std::string names;
  for (const std::string& c : choices) names += (names.empty() ? "" : ", ") + c;
  return app
      .add_option("-f,--format", value,
                  names + ": " + what + ". Default: table on a terminal, json otherwise")
      ->check(CLI::IsMember(choices));
}

std::string resolve_format(const std::string& format, const std::string& output) {
  if (!format.empty()) return format;
  return output == "-" && stdout_is_tty() ? "table" : "json";
}

CLI::Option* tokenizer(CLI::App& app, std::string& value, const std::string& what) {
  return app.add_option("--tokenizer", value,
                        "tokenizer.json, tiktoken or SentencePiece file " + what +
                            " (default: the Qwen3 tokenizer scripts/setup installs)");
}

CLI::Option* speedup_ratio(CLI::App& app, double& value, const std::string& what) {
  return app.add_option("--speedup-ratio", value, what)->capture_default_str();
}

CLI::Option* capacity(CLI::App& app, std::uint64_t& value, const std::string& what) {
  return app.add_option("-c,--capacity", value, what);
}

CLI::Option* prefill_tps(CLI::App& app, double& value, const std::string& what) {
  return app.add_option("--prefill-tps", value, what)->capture_default_str();
}

}  // namespace kvtrace::cli::flags
