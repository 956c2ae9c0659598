// kvtrace: one binary, one subcommand per stage of the pipeline (DESIGN.md section 1).

#include <fmt/format.h>

#include <cstdio>
#include "cli/common.hpp"
#include "cli/errors.hpp"

int main(int argc, char** argv) {
  using namespace kvtrace::cli;
  CLI::App app{
      "kvtrace: analyze, validate, synthesize, compare, hash, materialize, simulate and "
      "replay LLM-serving request traces in the Mooncake JSONL format, and run a mock "
      "OpenAI-compatible server.\n"
      "Exit codes: 0 ok, 2 invalid input data, 3 I/O error, 64 bad arguments, 1 internal "
      "error."};
  app.set_version_flag("--version", "kvtrace 0.1.0");
  app.require_subcommand(1);
  Action action;
  add_analyze(app, action);
  add_validate(app, action);
  add_synthesize(app, action);
  add_compare(app, action);
  add_materialize(app, action);
  add_hash(app, action);
  add_simulate(app, action);
  add_replay(app, action);
  add_mock_server(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "kvtrace: error: {}\nRun with --help for more information.\n", e.what());
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
