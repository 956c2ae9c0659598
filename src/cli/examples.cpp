// The subcommands' summaries (the top-level help) and examples (the end of each --help), in
// one table: renaming a flag means editing this file, and tests/e2e/cli_help_test.cpp checks
// every example's flags against the subcommand's and runs the examples that need no server.
// Examples use the bundled sample or a trace.jsonl in the current directory.

#include <array>

#include "cli/help.hpp"

namespace kvtrace::cli {
namespace {

constexpr std::array kAnalyze{
    Example{"the bundled sample trace, as a table",
            "kvtrace analyze --format table examples/fast25-conversation-1k.jsonl"},
    Example{"exactly AIPerf's AnalysisStats JSON", "kvtrace analyze -f aiperf-json trace.jsonl"},
    Example{"stdin as CSV rows (statistic,value), and the JSON report beside them",
            "zcat trace.jsonl.gz | kvtrace analyze -f csv --report-json r.json - > s.csv"},
};

constexpr std::array kValidate{
    Example{"every problem, one per line; exit code 0 only when the trace is clean",
            "kvtrace validate trace.jsonl"},
    Example{"a compressed trace on stdin, only the summary line",
            "zcat trace.jsonl.gz | kvtrace validate -q -"},
};

constexpr std::array kSynthesize{
    Example{"twice as fast, with shared prefixes 1.5 times longer",
            "kvtrace synthesize --speedup-ratio 2 --prefix-len-multiplier 1.5 trace.jsonl "
            "-o fast.jsonl"},
    Example{"10,000 requests sampled from the learned prefix tree; the fidelity report",
            "kvtrace synthesize --mode sample -n 10000 --report trace.jsonl -o big.jsonl"},
};

constexpr std::array kCompare{
    Example{"the fidelity report of a synthetic trace against its original",
            "kvtrace compare trace.jsonl fast.jsonl"},
    Example{"the same, as JSON", "kvtrace compare -f json trace.jsonl fast.jsonl > fidelity.json"},
};

constexpr std::array kConvert{
    Example{"any trace kvtrace reads (the format is detected) as canonical Mooncake JSONL",
            "kvtrace convert trace.jsonl -o canonical.jsonl"},
    Example{"512-token blocks re-blocked to 2,048-token blocks, sharing kept exactly",
            "kvtrace convert --block-size-out 2048 trace.jsonl -o trace-2k.jsonl"},
};

constexpr std::array kMaterialize{
    Example{"request bodies for kvtrace replay (the default Qwen3 tokenizer and corpus)",
            "kvtrace materialize examples/fast25-conversation-1k.jsonl -o requests.jsonl"},
    Example{"token-id prompts for the completions API, with a model name",
            "kvtrace materialize --prompt-format tokens --model Qwen/Qwen3-0.6B trace.jsonl "
            "-o requests.jsonl"},
    Example{"the second of four shards (merge the shards by index)",
            "kvtrace materialize --shard 1/4 trace.jsonl -o part-1.jsonl"},
};

constexpr std::array kHash{
    Example{"real chats (OpenAI messages) to a trace, one request per user turn",
            "kvtrace hash --text-in --split-turns chats.jsonl -o trace.jsonl"},
    Example{"token-id prompts in 16-token blocks, with the raw sequence hashes",
            "kvtrace hash -b 16 --emit-raw-hashes tokens.jsonl -o trace.jsonl"},
    Example{"materialized requests (token ids) back to a trace, on stdout",
            "kvtrace materialize --prompt-format tokens trace.jsonl | kvtrace hash -"},
};

constexpr std::array kSimulate{
    Example{"the lru hit rate of every capacity, in one pass",
            "kvtrace simulate --curve trace.jsonl"},
    Example{"the KV memory per worker for 80% of the ideal hit rate, 4 kv-aware workers",
            "kvtrace simulate --target-of-ideal 0.8 -w 4 -r kv-aware --timing "
            "--model-config config.json trace.jsonl"},
    Example{"4 workers of 64 GiB KV, round-robin vs kv-aware routing, timing model",
            "kvtrace simulate -w 4 --timing --gpu-mem 64 --kv-bytes-per-token 131072 "
            "-r round-robin,kv-aware trace.jsonl"},
};

constexpr std::array kReport{
    Example{"the bundled sample's figures in one HTML page (open it in any browser)",
            "kvtrace report examples/fast25-conversation-1k.jsonl -o report.html"},
    Example{"with the lru curve in GiB and a synthetic trace's CDFs over the original's",
            "kvtrace report trace.jsonl --simulate-curve --kv-bytes-per-token 131072 "
            "--compare fast.jsonl -o report.html"},
    Example{"a replay's latencies and throughput, and every figure as a PNG file",
            "kvtrace report trace.jsonl --replay results --png figures -o report.html"},
};

constexpr std::array kReplay{
    Example{"to a local server at 100x the trace's speed, every request's timings kept",
            "kvtrace replay requests.jsonl --url http://127.0.0.1:8000 --speedup-ratio 100 "
            "--output-dir results"},
    Example{"32 requests in flight, goodput against latency bounds in ms",
            "kvtrace replay requests.jsonl --schedule concurrency --concurrency 32 "
            "--slo ttft=200,tpot=50"},
};

constexpr std::array kMockServer{
    Example{"on a free port; the first line on stdout names it", "kvtrace mock-server --port 0"},
    Example{"on port 8000 with a slower prefill, 1% HTTP 500s and 1% stalls",
            "kvtrace mock-server --port 8000 --prefill-tps 5000 --error-rate 0.01 "
            "--stall-rate 0.01"},
};

constexpr std::array kHelp{
    Example{"the subcommands and the exit codes", "kvtrace help"},
    Example{"simulate's flags and examples", "kvtrace help simulate"},
};

constexpr std::array kCompletion{
    Example{"completion in the current shell", "source <(kvtrace completion bash)"},
    Example{"completion in every new shell (bash-completion loads it when needed)",
            "kvtrace completion bash -o ~/.local/share/bash-completion/completions/kvtrace"},
};

constexpr std::array kDocs{
    SubcommandDoc{"analyze", "AIPerf analyze-trace statistics plus kvtrace's hit rates", kAnalyze},
    SubcommandDoc{"validate", "Every problem of a trace, one per line", kValidate},
    SubcommandDoc{"synthesize", "A new trace from one: AIPerf's rewrite, or sample mode",
                  kSynthesize},
    SubcommandDoc{"compare", "The fidelity report of two traces", kCompare},
    SubcommandDoc{"convert", "Any trace format to Mooncake JSONL, re-blocked if asked", kConvert},
    SubcommandDoc{"materialize", "Request bodies with real prompts (tokenizer + corpus)",
                  kMaterialize},
    SubcommandDoc{"hash", "A trace from conversations: Dynamo-compatible block hashes", kHash},
    SubcommandDoc{"simulate", "Hit rates of finite KV caches: eviction, workers, routers",
                  kSimulate},
    SubcommandDoc{"report", "One HTML page of a trace's figures, its cache curve, a replay's",
                  kReport},
    SubcommandDoc{"replay", "Send requests to an OpenAI-compatible server, measure it", kReplay},
    SubcommandDoc{"mock-server", "An OpenAI-compatible streaming server for replay tests",
                  kMockServer},
    SubcommandDoc{"help", "This help, or a subcommand's: kvtrace help SUBCOMMAND", kHelp},
    SubcommandDoc{"completion", "The bash completion script", kCompletion},
};

}  // namespace

std::span<const SubcommandDoc> subcommand_docs() {
  return kDocs;
}

}  // namespace kvtrace::cli
