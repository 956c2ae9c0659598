// kvtrace: one binary, one subcommand per stage of the pipeline (docs/architecture.md).

#include <fmt/format.h>

#include <cstddef>
#include <cstdio>
#include <span>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "cli/help.hpp"

int main(int argc, char** argv) {
  using namespace kvtrace::cli;
  CLI::App app{
      "kvtrace: analyze, validate, synthesize, compare, convert, hash, materialize, simulate, "
      "report and replay LLM-serving request traces (Mooncake JSONL, Dynamo, Bailian, BurstGPT, "
      "Azure), and run a mock OpenAI-compatible server.",
      "kvtrace"};
  app.set_version_flag("--version", "kvtrace " KVTRACE_VERSION);
  app.require_subcommand(1);
  Action action;
  add_analyze(app, action);
  add_validate(app, action);
  add_synthesize(app, action);
  add_compare(app, action);
  add_convert(app, action);
  add_materialize(app, action);
  add_hash(app, action);
  add_simulate(app, action);
  add_report(app, action);
  add_replay(app, action);
  add_mock_server(app, action);
  add_help(app, action);
  add_completion(app, action);
  finish_help(app);
  const std::span<const char* const> args(argv + 1,
                                          static_cast<std::size_t>(argc > 0 ? argc - 1 : 0));
  if (const auto error = check_subcommand(app, args)) {
    fmt::print(stderr, "kvtrace: error: {}\nRun 'kvtrace help' for the subcommands.\n", *error);
    return code(kvtrace::ExitCode::kUsage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "kvtrace: error: {}\n", parse_error_message(app, e, args));
    return code(kvtrace::ExitCode::kUsage);
  }
  try {
    return action();
  } catch (...) {
    const Failure f = describe(std::current_exception());
    fmt::print(stderr, "{}\n", f.message);
    return f.exit_code;
  }
}
