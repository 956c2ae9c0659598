// kvtrace replay: sends materialized requests to an OpenAI-compatible server on the trace's
// timestamps (or a rate, or a concurrency) and measures it (docs/replay.md).

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/replay/replay.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::cli {
namespace {

struct ReplayFlags {
  std::string schedule;
  std::optional<double> rate;
  std::optional<std::uint32_t> concurrency;
  double request_timeout_s = 600;
  double drain_timeout_s = 10;
  std::string api_key_env = "OPENAI_API_KEY";
  std::vector<std::string> headers;
  bool no_usage = false;
  std::string tokenizer;
  std::string output_dir;
  std::string history = "none";
  std::string format;        // empty: table on a terminal, json otherwise
  replay::RunInfo info;      // file, --url, --slo
  replay::RunOptions run;    // --endpoint, --speedup-ratio, --seed, --max-connections, --insecure
  replay::LoadOptions load;  // --extra-body
};

// The tokenizer that counts output tokens when the server sends no usage: --tokenizer, else
// the installed Qwen3 one when present, else none (chunks are counted; "none" asks for that).
std::unique_ptr<tokenizer::Tokenizer> load_counting_tokenizer(const std::string& flag) {
  if (flag == "none") return nullptr;
  if (!flag.empty()) return tokenizer::load_tokenizer(flag);
  const Installed file = installed(kDefaultTokenizer);
  if (file.present) return tokenizer::load_tokenizer(file.path);
  fmt::print(stderr,
             "kvtrace: note: no tokenizer installed ({}); a response without usage counts its "
             "chunks as tokens\n",
             file.path);
  return nullptr;
}

// --schedule, else the one --rate or --concurrency implies (each needs its value).
std::string schedule(const ReplayFlags& f) {
  std::string mode = f.schedule;
  if (mode.empty()) mode = f.rate ? "rate" : f.concurrency ? "concurrency" : "trace";
  if ((f.rate && mode != "rate") || (f.concurrency && mode != "concurrency")) {
    throw UsageError("give one schedule: --schedule trace, --rate R or --concurrency C");
  }
  if (mode == "rate" && !f.rate) throw UsageError("--schedule rate needs --rate R");
  if (mode == "concurrency" && !f.concurrency) {
    throw UsageError("--schedule concurrency needs --concurrency C");
  }
  return mode;
}

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1e3));
}

int run_replay(ReplayFlags& f) {
  replay::RunOptions& o = f.run;
  o.schedule.mode = replay::parse_mode(schedule(f));
  o.schedule.rate = f.rate.value_or(0);
  o.schedule.concurrency = f.concurrency.value_or(1);
  o.history = f.history == "append" ? replay::History::kAppend : replay::History::kNone;
  o.drain_timeout = millis(f.drain_timeout_s);
  const replay::Slo slo = replay::Slo::parse(f.info.slo);
  o.client.url = replay::Url::parse(f.info.url);
  o.client.headers = replay::parse_headers(f.headers);
  if (const char* key = std::getenv(f.api_key_env.c_str()); key != nullptr) o.client.api_key = key;
  o.client.request_timeout = millis(f.request_timeout_s);
  f.load.include_usage = !f.no_usage;
  const std::vector<replay::ReplayRequest> requests = replay::load_requests(f.info.input, f.load);
  const std::unique_ptr<tokenizer::Tokenizer> tok = load_counting_tokenizer(f.tokenizer);
  o.client.tokenizer = tok.get();
  replay::ReplayHooks hooks{.started = [&, mode = o.schedule.mode] {
    std::string span;  // trace timing: how long the sessions' starts take, said before waiting
    if (mode == replay::Mode::kTrace) {
      const double s =
          replay::first_turns_span_ms(replay::turns_of(requests), o.schedule.speedup) / 1e3;
      span = s < 3600 ? fmt::format(", sessions starting over {:.1f} s", s)
                      : fmt::format(", sessions starting over {:.1f} hours", s / 3600);
    }
    fmt::print(stderr, "kvtrace: replaying {} requests to {} ({} timing{})\n", requests.size(),
               f.info.url, replay::mode_name(mode), span);
  }};
  if (::isatty(STDERR_FILENO) == 1) {  // a progress line, cleared when the run ends
    o.on_progress = [](const replay::Counters& c) {
      fmt::print(stderr, "{}", replay::progress_text(c));
    };
    hooks.ended = [] { fmt::print(stderr, "\r\033[K"); };
  }
  const replay::ReplayReport r =
      replay::replay(requests, std::move(o), f.info, slo, f.output_dir, hooks);
  write_text("-", flags::resolve_format(f.format, "-") == "json"
                      ? r.json
                      : replay::summary_table(r.summary, r.info));
  if (r.error) std::rethrow_exception(r.error);  // after the summary of what ended
  if (!r.info.interrupted) return kOk;
  fmt::print(stderr, "kvtrace: interrupted: {} of {} requests sent, results written\n",
             r.summary.sent, r.summary.requests);
  return kInterrupted;
}

}  // namespace

void add_replay(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ReplayFlags>();
  flags->info.url = "http://127.0.0.1:8000";
  CLI::App* cmd = app.add_subcommand(
      "replay",
      "Send materialized requests to an OpenAI-compatible server on the trace's timestamps, a "
      "Poisson rate or a fixed concurrency, streaming, and measure TTFT, ITL, TPOT, latency, "
      "throughput and goodput (docs/replay.md)");
  cmd->add_option("file", flags->info.input, "Requests JSONL from kvtrace materialize, - for stdin")
      ->required();
  cmd->add_option("--url", flags->info.url, "Server: http://host:port[/base] or https://...")
      ->capture_default_str();
  cmd->add_option("--endpoint", flags->run.client.endpoint,
                  "Path after the URL (default: /v1/chat/completions for messages bodies, "
                  "/v1/completions for prompt bodies)");
  cmd->add_option("--schedule", flags->schedule,
                  "trace (timestamps / speedup ratio; the default), rate (--rate) or "
                  "concurrency (--concurrency)")
      ->check(CLI::IsMember({"trace", "rate", "concurrency"}));
  flags::alias(*cmd, "--timing", flags->schedule)
      ->check(CLI::IsMember({"trace", "rate", "concurrency"}));
  flags::speedup_ratio(*cmd, flags->run.schedule.speedup,
                       "trace schedule: divide timestamps and delays by this");
  flags::alias(*cmd, "--speedup", flags->run.schedule.speedup);
  cmd->add_option("--rate", flags->rate, "Poisson arrivals, requests per second");
  cmd->add_option("--concurrency", flags->concurrency, "Closed loop: requests in flight")
      ->check(CLI::Range(1u, 1000000u));
  flags::seed(*cmd, flags->run.seed, "Seed of --rate's arrivals");
  cmd->add_option("--max-connections", flags->run.client.max_connections,
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
  cmd->add_option("--extra-body", flags->load.extra_body,
                  "JSON object whose members are merged into every body (replacing the same keys)");
  cmd->add_flag("--no-usage", flags->no_usage,
                "Do not add stream_options.include_usage to the bodies");
  flags::tokenizer(*cmd, flags->tokenizer,
                   "that counts output tokens when a response has no usage (none: count "
                   "chunks)");
  cmd->add_option("--slo", flags->info.slo, "Goodput bounds in ms, e.g. ttft=200,tpot=50,e2e=5000");
  cmd->add_option("--output-dir", flags->output_dir,
                  "Write summary.json, records.jsonl and records.csv here");
  cmd->add_option("--history", flags->history,
                  "Sessions' later turns: none (bodies as materialized) or append (earlier "
                  "messages and replies put before a chat turn's messages)")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "append"}));
  flags::format(*cmd, flags->format, {"table", "json"}, "the summary on stdout");
  cmd->add_flag("--insecure", flags->run.client.insecure,
                "https: do not verify the server's certificate");
  cmd->callback([flags, &action] { action = [flags] { return run_replay(*flags); }; });
}

}  // namespace kvtrace::cli
