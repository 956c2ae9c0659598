// kvtrace replay: sends materialized requests to an OpenAI-compatible server on the trace's
// timestamps (or a rate, or a concurrency) and measures it (docs/replay.md).

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/open_file_limit.hpp"
#include "kvtrace/replay/metrics.hpp"
#include "kvtrace/replay/output.hpp"
#include "kvtrace/replay/request_loader.hpp"
#include "kvtrace/replay/runner.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::cli {
namespace {

struct ReplayFlags {
  std::string input;
  std::string url = "http://127.0.0.1:8000";
  std::string endpoint;
  std::string schedule;
  double speedup_ratio = 1.0;
  std::optional<double> rate;
  std::optional<std::uint32_t> concurrency;
  std::uint64_t seed = 42;
  std::size_t max_connections = 0;
  double request_timeout_s = 600;
  double drain_timeout_s = 10;
  std::string api_key_env = "OPENAI_API_KEY";
  std::vector<std::string> headers;
  std::string extra_body;
  bool no_usage = false;
  std::string tokenizer;
  std::string slo;
  std::string output_dir;
  std::string history = "none";
  std::string format;  // empty: table on a terminal, json otherwise
  bool insecure = false;
};

std::vector<std::pair<std::string, std::string>> parse_headers(
    const std::vector<std::string>& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& h : headers) {
    const std::size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos) {
      throw UsageError(fmt::format("--header \"{}\": expected \"Name: value\"", h));
    }
    std::string_view value = std::string_view(h).substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.emplace_back(h.substr(0, colon), std::string(value));
  }
  return out;
}

// The tokenizer that counts output tokens when the server sends no usage: --tokenizer, else
// the installed Qwen3 one when present, else none (chunks are counted; "none" asks for that).
std::unique_ptr<tokenizer::Tokenizer> load_counting_tokenizer(const std::string& flag) {
  if (flag == "none") return nullptr;
  if (!flag.empty()) return tokenizer::load_tokenizer(flag);
  std::error_code ec;
  const auto path =
      std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / kDefaultTokenizer;
  if (ec || !std::filesystem::exists(path)) {
    fmt::print(stderr,
               "kvtrace: note: no tokenizer installed ({}); a response without usage counts "
               "its chunks as tokens\n",
               path.string());
    return nullptr;
  }
  return tokenizer::load_tokenizer(path.string());
}

void draw_progress(const replay::Counters& c) {
  fmt::print(stderr,
             "\rreplay: {:.1f} s, sent {} of {}, ended {} ({} errors), in flight {}, {} "
             "connections, {:.0f} req/s   ",
             c.elapsed_s, c.sent, c.requests, c.completed, c.errors, c.in_flight, c.connections,
             c.elapsed_s > 0 ? static_cast<double>(c.completed) / c.elapsed_s : 0.0);
}

int run_replay(const ReplayFlags& f) {
  replay::RunOptions o;
  replay::RunInfo info;
  info.input = f.input;
  info.url = f.url;
  info.mode = !f.schedule.empty() ? f.schedule
              : f.rate            ? "rate"
              : f.concurrency     ? "concurrency"
                                  : "trace";
  if ((f.rate && info.mode != "rate") || (f.concurrency && info.mode != "concurrency")) {
    throw UsageError("give one schedule: --schedule trace, --rate R or --concurrency C");
  }
  if (info.mode == "rate" && !f.rate) throw UsageError("--schedule rate needs --rate R");
  if (info.mode == "concurrency" && !f.concurrency) {
    throw UsageError("--schedule concurrency needs --concurrency C");
  }
  o.schedule.mode = info.mode == "rate"          ? replay::Mode::kRate
                    : info.mode == "concurrency" ? replay::Mode::kConcurrency
                                                 : replay::Mode::kTrace;
  o.schedule.speedup = info.speedup = f.speedup_ratio;
  o.schedule.rate = info.rate = f.rate.value_or(0);
  o.schedule.concurrency = info.concurrency = f.concurrency.value_or(1);
  o.seed = info.seed = f.seed;
  o.history = f.history == "append" ? replay::History::kAppend : replay::History::kNone;
  o.drain_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(f.drain_timeout_s * 1e3));
  const replay::Slo slo = replay::Slo::parse(f.slo);
  info.slo = f.slo;

  replay::ClientOptions& c = o.client;
  c.url = replay::Url::parse(f.url);
  c.endpoint = f.endpoint;
  c.headers = parse_headers(f.headers);
  if (const char* key = std::getenv(f.api_key_env.c_str()); key != nullptr) c.api_key = key;
  c.max_connections = f.max_connections;
  c.request_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(f.request_timeout_s * 1e3));
  c.insecure = f.insecure;

  replay::LoadOptions load;
  load.extra_body = f.extra_body;
  load.include_usage = !f.no_usage;
  const std::vector<replay::ReplayRequest> requests = replay::load_requests(f.input, load);
  const std::unique_ptr<tokenizer::Tokenizer> tok = load_counting_tokenizer(f.tokenizer);
  c.tokenizer = tok.get();

  std::optional<replay::RecordFiles> files;
  if (!f.output_dir.empty()) files.emplace(f.output_dir);
  const bool progress = ::isatty(STDERR_FILENO) == 1;
  if (progress) o.on_progress = draw_progress;
  core::raise_open_file_limit();
  fmt::print(stderr, "kvtrace: replaying {} requests to {} ({} timing)\n", requests.size(), f.url,
             info.mode);
  const replay::RunResult result =
      replay::run_replay(requests, std::move(o), [&](const replay::Record& r) {
        if (files) files->write(r);
      });
  if (progress) fmt::print(stderr, "\r\033[K");
  if (files) files->close();
  info.interrupted = result.interrupted;
  const replay::RunSummary summary = replay::summarize_run(result.records, requests.size(), slo);
  const std::string json = replay::summary_json(summary, info);
  if (!f.output_dir.empty()) {
    write_text((std::filesystem::path(f.output_dir) / "summary.json").string(), json);
  }
  write_text("-", flags::resolve_format(f.format, "-") == "json"
                      ? json
                      : replay::summary_table(summary, info));
  if (result.interrupted) {
    fmt::print(stderr, "kvtrace: interrupted: {} of {} requests sent, results written\n",
               summary.sent, summary.requests);
    return kInterrupted;
  }
  return kOk;
}

}  // namespace

void add_replay(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* cmd = app.add_subcommand(
      "replay",
      "Send materialized requests to an OpenAI-compatible server on the trace's timestamps, a "
      "Poisson rate or a fixed concurrency, streaming, and measure TTFT, ITL, TPOT, latency, "
      "throughput and goodput (docs/replay.md)");
  cmd->add_option("file", flags->input, "Requests JSONL from kvtrace materialize, - for stdin")
      ->required();
  cmd->add_option("--url", flags->url, "Server: http://host:port[/base] or https://...")
      ->capture_default_str();
  cmd->add_option("--endpoint", flags->endpoint,
                  "Path after the URL (default: /v1/chat/completions for messages bodies, "
                  "/v1/completions for prompt bodies)");
  cmd->add_option("--schedule", flags->schedule,
                  "trace (timestamps / speedup ratio; the default), rate (--rate) or "
                  "concurrency (--concurrency)")
      ->check(CLI::IsMember({"trace", "rate", "concurrency"}));
  flags::alias(*cmd, "--timing", flags->schedule)
      ->check(CLI::IsMember({"trace", "rate", "concurrency"}));
  flags::speedup_ratio(*cmd, flags->speedup_ratio,
                       "trace schedule: divide timestamps and delays by this");
  flags::alias(*cmd, "--speedup", flags->speedup_ratio);
  cmd->add_option("--rate", flags->rate, "Poisson arrivals, requests per second");
  cmd->add_option("--concurrency", flags->concurrency, "Closed loop: requests in flight")
      ->check(CLI::Range(1u, 1000000u));
  flags::seed(*cmd, flags->seed, "Seed of --rate's arrivals");
  cmd->add_option("--max-connections", flags->max_connections,
                  "Connection pool size (0: one per request in flight)")
      ->capture_default_str();
  cmd->add_option("--request-timeout", flags->request_timeout_s,
                  "Seconds a request may take from send to end (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--drain-timeout", flags->drain_timeout_s,
                  "After Ctrl-C, seconds in-flight requests may take to finish")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--api-key-env", flags->api_key_env,
                  "Environment variable holding the API key (sent as a Bearer token when set)")
      ->capture_default_str();
  cmd->add_option("-H,--header", flags->headers, "Extra request header \"Name: value\" (repeat)");
  cmd->add_option("--extra-body", flags->extra_body,
                  "JSON object whose members are merged into every body (replacing the same keys)");
  cmd->add_flag("--no-usage", flags->no_usage,
                "Do not add stream_options.include_usage to the bodies");
  flags::tokenizer(*cmd, flags->tokenizer,
                   "that counts output tokens when a response has no usage (none: count "
                   "chunks)");
  cmd->add_option("--slo", flags->slo, "Goodput bounds in ms, e.g. ttft=200,tpot=50,e2e=5000");
  cmd->add_option("--output-dir", flags->output_dir,
                  "Write summary.json, records.jsonl and records.csv here");
  cmd->add_option("--history", flags->history,
                  "Sessions' later turns: none (bodies as materialized) or append (earlier "
                  "messages and replies put before a chat turn's messages)")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "append"}));
  flags::format(*cmd, flags->format, {"table", "json"}, "the summary on stdout");
  cmd->add_flag("--insecure", flags->insecure, "https: do not verify the server's certificate");
  cmd->callback([flags, &action] { action = [flags] { return run_replay(*flags); }; });
}

}  // namespace kvtrace::cli
