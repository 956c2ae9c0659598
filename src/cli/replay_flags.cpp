// kvtrace replay's flags (docs/cli.md has the vocabulary they follow).

#include "cli/replay_flags.hpp"

#include "cli/flags.hpp"

namespace kvtrace::cli {

void add_replay_flags(CLI::App& cmd, ReplayFlags& f) {
  cmd.add_option("file", f.info.input, "Requests JSONL from kvtrace materialize, - for stdin")
      ->required();
  cmd.add_option("--url", f.info.url, "Server: http://host:port[/base] or https://...")
      ->capture_default_str();
  cmd.add_option("--endpoint", f.run.client.endpoint,
                 "Path after the URL (default: /v1/chat/completions for messages bodies, "
                 "/v1/completions for prompt bodies)");
  cmd.add_option("--schedule", f.schedule,
                 "trace (timestamps / speedup ratio; the default), rate (--rate) or "
                 "concurrency (--concurrency)")
      ->check(CLI::IsMember({"trace", "rate", "concurrency"}));
  flags::alias(cmd, "--timing", f.schedule)->check(CLI::IsMember({"trace", "rate", "concurrency"}));
  flags::speedup_ratio(cmd, f.run.schedule.speedup,
                       "trace schedule: divide timestamps and delays by this");
  flags::alias(cmd, "--speedup", f.run.schedule.speedup);
  cmd.add_option("--rate", f.rate, "Poisson arrivals, requests per second");
  cmd.add_option("--concurrency", f.concurrency, "Closed loop: requests in flight")
      ->transform(flags::integer_range(1, 1000000));
  flags::seed(cmd, f.run.seed, "Seed of --rate's arrivals");
  cmd.add_option("--max-connections", f.run.client.max_connections,
                 "Connection pool size (0: one per request in flight)")
      ->capture_default_str()
      ->transform(flags::integer_range(0, 1000000));
  cmd.add_option("--request-timeout", f.request_timeout_s,
                 "Seconds a request may take from send to end (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--drain-timeout", f.drain_timeout_s,
                 "After Ctrl-C, seconds in-flight requests may take to finish")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--api-key-env", f.api_key_env,
                 "Environment variable holding the API key (sent as a Bearer token when set)")
      ->capture_default_str();
  cmd.add_option("-H,--header", f.headers, "Extra request header \"Name: value\" (repeat)");
  cmd.add_option("--extra-body", f.load.extra_body,
                 "JSON object whose members are merged into every body (replacing the same keys)");
  cmd.add_flag("--no-usage", f.no_usage, "Do not add stream_options.include_usage to the bodies");
  flags::tokenizer(cmd, f.tokenizer,
                   "that counts output tokens when a response has no usage (none: count "
                   "chunks)");
  cmd.add_option("--slo", f.info.slo, "Goodput bounds in ms, e.g. ttft=200,tpot=50,e2e=5000");
  cmd.add_option("--output-dir", f.output_dir,
                 "Write summary.json, records.jsonl and records.csv here");
  cmd.add_option("--history", f.history,
                 "Sessions' later turns: none (bodies as materialized) or append (earlier "
                 "messages and replies put before a chat turn's messages)")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "append"}));
  flags::format(cmd, f.format, {"table", "json"}, "the summary on stdout");
  cmd.add_flag("--insecure", f.run.client.insecure,
               "https: do not verify the server's certificate");
}

}  // namespace kvtrace::cli
