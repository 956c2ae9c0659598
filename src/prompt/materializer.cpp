#include "kvtrace/prompt/materializer.hpp"

#include <fmt/format.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include <boost/unordered/unordered_flat_map.hpp>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/sha256.hpp"
#include "kvtrace/hashing/rolling_hasher.hpp"
#include "kvtrace/prompt/corpus.hpp"
#include "kvtrace/trace/session.hpp"

namespace kvtrace::prompt {
namespace {

// A batch closes at this many prompt tokens or requests: large enough to amortize the
// pipeline's hand-offs, small enough that the 2 batches per thread in flight stay near 10 MB
// each (token ids, text and JSON of 1M tokens).
constexpr std::uint64_t kBatchTokens = std::uint64_t{1} << 20;
constexpr std::size_t kBatchRequests = 512;

const trace::ExtraField* find_extra(const trace::Request& r, std::string_view key) {
  for (const trace::ExtraField& f : r.extra) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

std::size_t hash_id_count(const trace::Request& r) {
  return r.hash_ids ? r.hash_ids->size() : 0;
}

void merge(MaterializeStats& into, const MaterializeStats& part) {
  into.requests += part.requests;
  into.synthesized += part.synthesized;
  into.passthrough += part.passthrough;
  into.prompt_tokens += part.prompt_tokens;
  for (const auto& [diff, n] : part.reencode_diff) into.reencode_diff[diff] += n;
}

// A run of this shard's requests (positions in its request list) and their output.
struct Batch {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string out;
  MaterializeStats stats;
};

// What building one line needs; shared read-only by all batches in flight.
struct LineContext {
  const BlockBuilder& builder;
  const tokenizer::Tokenizer& tok;
  const MaterializeOptions& options;
  const boost::unordered_flat_map<std::uint64_t, std::size_t>& slot;  // hash id -> starts index
  std::span<const std::uint64_t> starts;                              // block start per slot
  std::span<const std::uint64_t> tail_start;                          // per request
};

// The prompt of a request with an input_length: its blocks, then its tail.
void build_tokens(const LineContext& c, std::size_t i, const trace::Request& r,
                  std::vector<TokenId>& tokens) {
  const std::uint32_t block_size = c.options.block_size;
  const std::size_t m = hash_id_count(r);
  const BlockLayout layout = block_layout(*r.input_length, m, block_size);
  tokens.clear();
  for (std::size_t j = 0; j < m; ++j) {
    const std::uint64_t id = (*r.hash_ids)[j];
    const std::uint32_t size = j + 1 == m ? layout.last_block_size : block_size;
    c.builder.append_block(c.starts[c.slot.find(id)->second], size, tokens);
  }
  if (layout.tail > 0) c.builder.append_run(c.tail_start[i], layout.tail, tokens);
}

void build_line(const LineContext& c, std::size_t i, const trace::Request& r,
                std::string_view session_id, std::vector<TokenId>& tokens, Batch& b) {
  const BodyOptions body_options{c.options.api, c.options.model};
  const bool as_tokens = c.options.format == PromptFormat::kTokens;
  PromptBody body;
  std::string text;
  if (r.input_length) {
    build_tokens(c, i, r, tokens);
    if (!as_tokens || c.options.verify) text = c.tok.decode(tokens);
    if (c.options.verify) {
      const std::vector<TokenId> again = c.tok.encode(text);
      ++b.stats.reencode_diff[static_cast<std::int64_t>(again.size()) -
                              static_cast<std::int64_t>(tokens.size())];
    }
    ++b.stats.synthesized;
    b.stats.prompt_tokens += tokens.size();
    body.kind = as_tokens ? PromptBody::Kind::kTokens : PromptBody::Kind::kText;
    body.tokens = tokens;
    body.text = text;
  } else {
    ++b.stats.passthrough;
    if (r.text_input) {
      body.text = *r.text_input;
      if (as_tokens) {
        tokens.clear();
        c.tok.encode(*r.text_input, tokens);
        body.kind = PromptBody::Kind::kTokens;
        body.tokens = tokens;
      }
    } else if (const trace::ExtraField* messages = find_extra(r, "messages")) {
      body.kind = PromptBody::Kind::kMessages;
      body.raw = messages->raw_value;
      if (const trace::ExtraField* tools = find_extra(r, "tools")) body.tools = tools->raw_value;
    } else {
      body.kind = PromptBody::Kind::kPayload;
      body.raw = find_extra(r, "payload")->raw_value;
    }
  }
  append_request_line(b.out, i, r, session_id, body, body_options);
  ++b.stats.requests;
}

}  // namespace

Shard Shard::parse(std::string_view text) {
  Shard s;
  const std::size_t slash = text.find('/');
  const auto parse_u32 = [](std::string_view t, std::uint32_t& v) {
    const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc() && p == t.data() + t.size() && !t.empty();
  };
  if (slash == std::string_view::npos || !parse_u32(text.substr(0, slash), s.index) ||
      !parse_u32(text.substr(slash + 1), s.count) || s.count == 0 || s.index >= s.count) {
    throw UsageError(fmt::format("a shard is i/N with 0 <= i < N (e.g. 0/4), got \"{}\"", text));
  }
  return s;
}

Materializer::Materializer(std::span<const trace::Request> requests,
                           std::span<const std::uint64_t> lines, std::string source,
                           MaterializeOptions options)
    : requests_(requests), options_(std::move(options)) {
  const std::uint32_t block_size = options_.block_size;
  if (block_size == 0) throw UsageError("the block size must be > 0");
  if (options_.shard.count == 0 || options_.shard.index >= options_.shard.count) {
    throw UsageError(
        fmt::format("shard {}/{} does not exist", options_.shard.index, options_.shard.count));
  }
  if (options_.format == PromptFormat::kTokens && options_.api == Api::kChat) {
    throw UsageError("token ids need the completions API: chat messages carry text");
  }
  if (!lines.empty() && lines.size() != requests.size()) {
    throw std::invalid_argument("one line number per request, or none");
  }
  const auto line_of = [&](std::size_t i) -> std::uint64_t {
    return lines.empty() ? i + 1 : lines[i];
  };

  // The size every hash id is used at, with the first line that used it.
  struct FirstUse {
    std::uint64_t line;
    std::uint32_t size;
  };
  boost::unordered_flat_map<std::uint64_t, FirstUse> first_use;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const trace::Request& r = requests[i];
    if (r.input_length) {
      if (*r.input_length > kMaxPromptTokens) {
        throw InputError(
            source, line_of(i), "input_length",
            fmt::format("over the limit of {} tokens, got {}", kMaxPromptTokens, *r.input_length));
      }
      const std::size_t m = hash_id_count(r);
      const BlockLayout layout = block_layout(*r.input_length, m, block_size);
      if (!layout.ok()) throw InputError(source, line_of(i), "hash_ids", layout.problem);
      for (std::size_t j = 0; j < m; ++j) {
        const std::uint64_t id = (*r.hash_ids)[j];
        const std::uint32_t size = j + 1 == m ? layout.last_block_size : block_size;
        const auto [it, inserted] = first_use.try_emplace(id, FirstUse{line_of(i), size});
        if (!inserted && it->second.size != size) {
          throw InputError(
              source, line_of(i), fmt::format("hash_ids[{}]", j),
              fmt::format("hash id {} is a block of {} tokens here but of {} tokens on line {}; "
                          "a hash id names one block of content, so it has one size (a corrupt "
                          "trace, or a block size other than the trace's)",
                          id, size, it->second.size, it->second.line));
        }
      }
    } else if (!r.text_input) {
      const bool messages = find_extra(r, "messages") != nullptr;
      if (messages && options_.api != Api::kChat) {
        throw InputError(source, line_of(i), "messages",
                         "chat messages can only be sent to the chat API (--api chat)");
      }
      if (!messages && find_extra(r, "payload") == nullptr) {
        throw InputError(source, line_of(i), "input_length",
                         "missing: a request needs one of input_length, text_input, messages "
                         "or payload");
      }
    }
  }

  // Sessions in order of first appearance; the turns of one session are adjacent in order_.
  order_ = trace::session_order(requests);
  anonymous_.assign(requests.size(), 0);
  std::vector<char> mine(requests.size(), 0);
  const trace::Request* prev = nullptr;
  std::uint64_t sessions = 0;
  std::uint64_t anonymous = 0;
  for (const std::size_t i : order_) {
    const trace::Request& r = requests[i];
    if (!r.session_id || prev == nullptr || !prev->session_id ||
        *prev->session_id != *r.session_id) {
      ++sessions;
    }
    if (!r.session_id) anonymous_[i] = anonymous++;
    mine[i] = (sessions - 1) % options_.shard.count == options_.shard.index;
    prev = &r;
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (mine[i]) todo_.push_back(i);
  }
}

MaterializeStats Materializer::run(const tokenizer::Tokenizer& tok, std::span<const TokenId> corpus,
                                   const LineSink& sink) const {
  const BlockBuilder builder(corpus, BlockBuilder::separator_of(tok), options_.seed,
                             options_.scope);
  MaterializeStats total;

  // The sequential stream is drawn for every tail of the trace, in session order, so that a
  // shard's tails are the ones an unsharded run gives them. One draw each, no tokens built.
  std::vector<std::uint64_t> tail_start(requests_.size(), 0);
  random::PyRandom stream = builder.sequential_stream();
  for (const std::size_t i : order_) {
    const trace::Request& r = requests_[i];
    if (!r.input_length) continue;
    if (block_layout(*r.input_length, hash_id_count(r), options_.block_size).tail == 0) continue;
    tail_start[i] = stream.randbelow(builder.corpus_size());
    ++total.sequential_draws;
  }

  // Block starts of the shard's distinct hash ids, computed once each, in parallel. A block
  // is (start, size) into the corpus: no block's tokens are stored.
  boost::unordered_flat_map<std::uint64_t, std::size_t> slot;
  std::vector<std::uint64_t> ids;
  for (const std::size_t i : todo_) {
    const trace::Request& r = requests_[i];
    if (!r.hash_ids) continue;
    for (const std::uint64_t id : *r.hash_ids) {
      if (slot.try_emplace(id, ids.size()).second) ids.push_back(id);
    }
  }
  std::vector<std::uint64_t> starts(ids.size());
  tbb::parallel_for(std::size_t{0}, ids.size(),
                    [&](std::size_t k) { starts[k] = builder.block_start(ids[k]); });
  total.blocks = ids.size();

  // Batches are cut in order, built in parallel and written in order: the bytes depend only
  // on each batch's requests, never on which thread built it.
  const LineContext context{builder, tok, options_, slot, starts, tail_start};
  std::size_t next = 0;
  const auto live = static_cast<std::size_t>(2 * tbb::this_task_arena::max_concurrency());
  tbb::parallel_pipeline(
      live,
      tbb::make_filter<void, Batch>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) {
        Batch b;
        if (next == todo_.size()) {
          fc.stop();
          return b;
        }
        b.begin = next;
        std::uint64_t tokens = 0;
        while (next < todo_.size() && next - b.begin < kBatchRequests && tokens < kBatchTokens) {
          const trace::Request& r = requests_[todo_[next++]];
          tokens += r.input_length ? static_cast<std::uint64_t>(*r.input_length) : 1;
        }
        b.end = next;
        return b;
      }) & tbb::make_filter<Batch, Batch>(tbb::filter_mode::parallel, [&](Batch b) {
        std::vector<TokenId> tokens;
        std::string session_name;
        for (std::size_t k = b.begin; k < b.end; ++k) {
          const std::size_t i = todo_[k];
          const trace::Request& r = requests_[i];
          std::string_view session;
          if (r.session_id) {
            session = *r.session_id;
          } else {
            session_name = fmt::format("session_{:06d}", anonymous_[i]);
            session = session_name;
          }
          build_line(context, i, r, session, tokens, b);
        }
        return b;
      }) & tbb::make_filter<Batch, void>(tbb::filter_mode::serial_in_order, [&](Batch b) {
        sink(b.out);
        merge(total, b.stats);
      }));
  return total;
}

MaterializeResult materialize(const Materializer& materializer, const tokenizer::Tokenizer& tok,
                              const std::string& corpus_path, const std::string& cache_dir,
                              unsigned threads, const LineSink& sink) {
  MaterializeResult result;
  result.threads = threads > 0 ? static_cast<int>(threads) : tbb::info::default_concurrency();
  tbb::task_arena arena(result.threads);
  arena.execute([&] {
    const Corpus corpus = Corpus::load(corpus_path, tok, cache_dir);
    result.stats = materializer.run(tok, corpus.tokens(), sink);
    result.corpus_tokens = corpus.size();
    result.corpus_from_cache = corpus.from_cache();
    result.cache_warning = corpus.cache_warning();
  });
  return result;
}

std::string verify_report(const MaterializeStats& st) {
  std::uint64_t checked = 0;
  std::int64_t sum = 0;
  for (const auto& [diff, n] : st.reencode_diff) {
    checked += n;
    sum += diff * static_cast<std::int64_t>(n);
  }
  if (checked == 0) return "kvtrace: verify: no prompt was built from the corpus\n";
  const auto zero = st.reencode_diff.find(0);
  const std::uint64_t exact = zero == st.reencode_diff.end() ? 0 : zero->second;
  // The median of the differences, from the sorted histogram.
  std::int64_t median = 0;
  std::uint64_t seen = 0;
  for (const auto& [diff, n] : st.reencode_diff) {
    seen += n;
    if (2 * seen >= checked) {
      median = diff;
      break;
    }
  }
  std::string out = fmt::format(
      "kvtrace: verify: {} of {} built prompts re-tokenize to another length than the tokens "
      "they were decoded from; re-encoded minus built tokens: min {}, median {}, mean {:.2f}, "
      "max {}; in all {:+} of {} tokens ({:+.4f}%)\n",
      checked - exact, checked, st.reencode_diff.begin()->first, median,
      static_cast<double>(sum) / static_cast<double>(checked), st.reencode_diff.rbegin()->first,
      sum, st.prompt_tokens,
      100.0 * static_cast<double>(sum) / static_cast<double>(st.prompt_tokens));
  out += "kvtrace: verify: prompts by difference: ";
  for (auto it = st.reencode_diff.begin(); it != st.reencode_diff.end(); ++it) {
    out += fmt::format("{}{:+}: {}", it == st.reencode_diff.begin() ? "" : ", ", it->first,
                       it->second);
  }
  return out + "\n";
}

std::string trace_scope(const std::string& path, const std::atomic<bool>* stop) {
  return core::to_hex(core::sha256_file(path, stop), 8);
}

std::vector<std::vector<std::uint64_t>> texts_to_hashes(const tokenizer::Tokenizer& tok,
                                                        std::span<const std::string_view> texts,
                                                        std::uint32_t block_size) {
  return hashing::texts_to_hashes(texts, block_size, [&](std::string_view text) {
    const std::vector<TokenId> ids = tok.encode(text);
    return std::vector<std::int64_t>(ids.begin(), ids.end());
  });
}

std::vector<std::string> hashes_to_texts(const BlockBuilder& builder,
                                         const tokenizer::Tokenizer& tok,
                                         std::span<const std::vector<std::uint64_t>> hash_ids,
                                         std::span<const std::int64_t> input_lengths,
                                         std::uint32_t block_size) {
  if (hash_ids.size() != input_lengths.size()) {
    throw std::invalid_argument("hashes_to_texts needs one input length per hash id list");
  }
  if (block_size == 0) throw UsageError("the block size must be > 0");
  random::PyRandom stream = builder.sequential_stream();
  boost::unordered_flat_map<std::uint64_t, std::uint32_t> sizes;
  std::vector<std::string> texts;
  std::vector<TokenId> tokens;
  for (std::size_t k = 0; k < hash_ids.size(); ++k) {
    const std::vector<std::uint64_t>& ids = hash_ids[k];
    const std::int64_t n = input_lengths[k];
    if (n > kMaxPromptTokens) {
      throw UsageError(
          fmt::format("input_len {} is over the limit of {} tokens", n, kMaxPromptTokens));
    }
    const std::uint64_t covered = ids.size() * std::uint64_t{block_size};
    if (!ids.empty() && n > 0 && covered < static_cast<std::uint64_t>(n)) {
      throw UsageError(fmt::format(
          "Constraint violation: len(hash_ids) * block_size ({}) < input_len ({})", covered, n));
    }
    const BlockLayout layout = block_layout(n, ids.size(), block_size);
    if (!layout.ok()) throw UsageError(layout.problem);
    tokens.clear();
    for (std::size_t j = 0; j < ids.size(); ++j) {
      const std::uint32_t size = j + 1 == ids.size() ? layout.last_block_size : block_size;
      const auto [it, inserted] = sizes.try_emplace(ids[j], size);
      if (!inserted && it->second != size) {
        throw UsageError(fmt::format(
            "hash_id {} requested at {} tokens but was already materialized at {} tokens", ids[j],
            size, it->second));
      }
      builder.append_block(builder.block_start(ids[j]), size, tokens);
    }
    if (layout.tail > 0) {
      builder.append_run(stream.randbelow(builder.corpus_size()), layout.tail, tokens);
    }
    texts.push_back(tok.decode(tokens));
  }
  return texts;
}

}  // namespace kvtrace::prompt
