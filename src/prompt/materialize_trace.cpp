#include "kvtrace/prompt/materialize_trace.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <vector>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::prompt {

Api default_api(PromptFormat format) {
  return format == PromptFormat::kTokens ? Api::kCompletions : Api::kChat;
}

MaterializeTraceResult materialize_trace(trace::TraceReader& reader,
                                         const MaterializeTraceOptions& o, const LineSink& sink) {
  const auto started = std::chrono::steady_clock::now();
  MaterializeOptions options = o.options;
  options.block_size = reader.options().block_size;
  options.api = o.api.value_or(default_api(options.format));
  std::vector<std::uint64_t> lines;
  const std::vector<trace::Request> requests = trace::read_requests(reader, "materialize", &lines);
  const Materializer materializer(requests, lines, reader.name(), options);

  const std::unique_ptr<tokenizer::Tokenizer> tok = tokenizer::load_tokenizer(o.tokenizer_path);
  if (o.on_checked) o.on_checked();
  MaterializeTraceResult out;
  out.requests_in = requests.size();
  out.result = materialize(materializer, *tok, o.corpus_path, o.cache_dir, o.threads, sink);
  const MaterializeResult& m = out.result;
  if (!m.cache_warning.empty()) {
    out.summary = fmt::format("kvtrace: warning: corpus cache not used: {}\n", m.cache_warning);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const MaterializeStats& st = m.stats;
  out.summary += fmt::format(
      "kvtrace: materialized {} of {} requests{} ({} prompts built from {} blocks, {} tokens; {} "
      "passed through) with seed {}, scope \"{}\", corpus {} ({} tokens{}) in {:.1f} s on {} "
      "thread{}\n",
      st.requests, requests.size(),
      options.shard.count > 1
          ? fmt::format(" (shard {}/{})", options.shard.index, options.shard.count)
          : "",
      st.synthesized, st.blocks, st.prompt_tokens, st.passthrough, options.seed, options.scope,
      o.corpus_path, m.corpus_tokens, m.corpus_from_cache ? ", cached" : "", seconds, m.threads,
      m.threads == 1 ? "" : "s");
  if (options.verify) out.summary += verify_report(st);
  return out;
}

}  // namespace kvtrace::prompt
