// kvtrace replay: sends materialized requests to an OpenAI-compatible server on the trace's
// timestamps (or a rate, or a concurrency) and measures it (docs/replay.md).

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "cli/replay_flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/replay/replay.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::cli {
namespace {

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
  add_replay_flags(*cmd, *flags);
  cmd->callback([flags, &action] { action = [flags] { return run_replay(*flags); }; });
}

}  // namespace kvtrace::cli
