#include "kvtrace/hashing/conversation_pipeline.hpp"

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "kvtrace/hashing/conversation_hasher.hpp"
#include "kvtrace/trace/conversation_parser.hpp"
#include "kvtrace/trace/file_slices.hpp"
#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request_parser.hpp"
#include "kvtrace/trace/trace_writer.hpp"

namespace kvtrace::hashing {
namespace {

// One request to hash: a prompt's tokens (or, once hashed, its blocks) and the fields
// copied to the trace.
struct Item {
  std::uint64_t line = 0;  // in its batch, from 1
  // split_turns without a session_id: the session is named after the line, once the line's
  // number in the input is known.
  bool session_of_line = false;
  std::vector<Token> tokens;
  bool hashed = false;  // blocks.hashes and input_length hold the whole prompt's
  PromptBlocks blocks;
  std::optional<trace::Number> timestamp;
  std::optional<trace::Number> delay;
  std::optional<std::string> session_id;
  std::optional<std::int64_t> output_length;
};

// Whole lines read together and parsed by one task; an error waits in the batch so that the
// first bad line of the input is the one reported, whatever the thread that met it.
struct Batch {
  std::uint64_t begin = 0;  // the file range whose lines this batch holds (files only)
  std::string text;         // the lines with their '\n', then kLinePadding bytes
  std::uint64_t line_count = 0;
  std::vector<Item> items;
  // The first failure; an InputError's line is numbered from 1 in the batch until the
  // batch's turn comes in order.
  std::exception_ptr error;
  std::uint64_t end_position = 0;
};

constexpr std::size_t kBatchBytes = std::size_t{1} << 20;

// Turns parsed conversations into items: tokenizes text, renders chat messages.
class Preparer {
 public:
  Preparer(const std::string& source, const HashOptions& options)
      : source_(source), options_(options) {}

  // Takes the conversation's tokens (moved, not copied: they are most of the data). On failure
  // `items` is as it was: a line that fails leaves no request behind.
  void prepare(trace::Conversation& c, std::vector<Item>& items) const {
    const std::size_t before = items.size();
    try {
      prepare_items(c, items);
    } catch (...) {
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(before), items.end());
      throw;
    }
  }

 private:
  void prepare_items(trace::Conversation& c, std::vector<Item>& items) const {
    if (c.source == trace::PromptSource::kTokens) {
      Item& item = start(c, items);
      item.tokens = std::move(c.tokens);
      return;
    }
    const tokenizer::Tokenizer* tok = options_.tokenizer;
    if (tok == nullptr) {
      throw MissingTokenizerError(source_, c.line,
                                  c.source == trace::PromptSource::kText ? "prompt" : "messages",
                                  "text needs a tokenizer");
    }
    if (c.source == trace::PromptSource::kText) {
      Item& item = start(c, items);
      encode(*tok, c, c.text, item.tokens);
      return;
    }
    if (options_.delta_turns) {
      throw InputError(source_, c.line, "messages",
                       "delta turns take token ids or text; give chat messages as whole "
                       "conversations (each line the full history, or split into turns)");
    }
    std::vector<tokenizer::ChatTurn> turns;
    turns.reserve(c.messages.size());
    for (const auto& m : c.messages) turns.push_back({m.role, m.content});
    if (!options_.split_turns) {
      Item& item = start(c, items);
      encode(*tok, c, tokenizer::render_chat(turns, options_.chat_format), item.tokens);
      return;
    }
    // One request per user message: the history up to it, answered by the next assistant
    // message (whose token count is the output length).
    bool first = true;
    for (std::size_t i = 0; i < turns.size(); ++i) {
      if (turns[i].role != "user") continue;
      Item& item = start(c, items);
      item.session_of_line = !c.session_id;
      if (!first) item.timestamp.reset();
      if (!first) item.delay.reset();
      first = false;
      encode(*tok, c, tokenizer::render_chat(std::span(turns).first(i + 1), options_.chat_format),
             item.tokens);
      if (i + 1 < turns.size() && turns[i + 1].role == "assistant") {
        std::vector<Token> answer;
        encode(*tok, c, turns[i + 1].content, answer);
        item.output_length = static_cast<std::int64_t>(answer.size());
      }
    }
    if (first) {
      throw InputError(source_, c.line, "messages", "no user message to split the turns at");
    }
  }

  // A text the tokenizer's regex cannot cut within PCRE2's limits is the line's fault.
  void encode(const tokenizer::Tokenizer& tok, const trace::Conversation& c, std::string_view text,
              std::vector<Token>& out) const {
    try {
      tok.encode(text, out);
    } catch (const LimitError& e) {
      throw InputError(source_, c.line,
                       c.source == trace::PromptSource::kText ? "prompt" : "messages",
                       std::string("cannot tokenize: ") + e.what());
    }
  }

  static Item& start(const trace::Conversation& c, std::vector<Item>& items) {
    Item& item = items.emplace_back();
    item.line = c.line;
    item.timestamp = c.timestamp;
    item.delay = c.delay;
    item.session_id = c.session_id;
    item.output_length = c.output_length;
    return item;
  }

  std::string source_;
  const HashOptions& options_;
};

std::string raw_hashes_json(std::span<const SequenceHash> hashes) {
  std::string out = "[";
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    if (i > 0) out += ", ";
    fmt::format_to(std::back_inserter(out), "{}", hashes[i]);
  }
  out += ']';
  return out;
}

template <typename E>
E with_line_offset(const E& e, std::uint64_t lines_before) {
  return E(e.source(), e.line() == 0 ? 0 : lines_before + e.line(), e.field(), e.problem());
}

// Rethrows a batch's error; an InputError, of its own type, with its line number in the input.
[[noreturn]] void rethrow_in_input(const std::exception_ptr& error, std::uint64_t lines_before) {
  try {
    std::rethrow_exception(error);
  } catch (const MissingTokenizerError& e) {
    throw with_line_offset(e, lines_before);
  } catch (const InputError& e) {
    throw with_line_offset(e, lines_before);
  }
}

}  // namespace

HashStats hash_conversations(const std::string& input_path, const std::string& output_path,
                             const HashOptions& options, const HashProgressFn& on_progress) {
  if (options.split_turns && options.delta_turns) {
    throw UsageError("hash_conversations: split_turns and delta_turns exclude each other");
  }
  ConversationHasher hasher(
      options.block_size,
      salt_hash({.lora_name = options.lora_name, .cache_namespace = options.cache_namespace}));
  trace::LineReader reader(input_path);
  const Preparer preparer(reader.name(), options);
  trace::TraceWriter writer(output_path);
  HashStats stats;
  const auto progress = [&](std::uint64_t bytes) {
    if (on_progress) on_progress({bytes, reader.total_bytes(), stats.requests});
  };
  progress(0);

  tbb::enumerable_thread_specific<std::unique_ptr<trace::ConversationParser>> parsers;
  trace::Request request;
  std::uint64_t lines_before = 0;  // lines of the batches already written
  // Only a regular file is read by range; stdin and pipes in order.
  const std::optional<trace::FileSlices> slices = trace::FileSlices::open(input_path);
  std::uint64_t next_begin = 0;
  bool break_read = false;  // the batch of a broken stream's error was made

  // The first failure stops the input and the batches after it are dropped: the pipeline
  // drains instead of being cancelled by an exception, which would leak the batches in flight.
  std::exception_ptr failure;
  std::atomic<bool> failed = false;
  const auto fail = [&](std::exception_ptr e) {
    if (!failure) failure = std::move(e);
    failed = true;
  };

  const int threads =
      options.threads > 0 ? static_cast<int>(options.threads) : tbb::info::default_concurrency();
  stats.threads = static_cast<unsigned>(threads);
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(threads) * 4,
        tbb::make_filter<void, std::shared_ptr<Batch>>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::shared_ptr<Batch> {
              if (failed) {
                fc.stop();
                return nullptr;
              }
              auto batch = std::make_shared<Batch>();
              try {
                if (slices) {
                  // A regular file: only the range is chosen here, threads read their own.
                  if (next_begin >= slices->size()) {
                    fc.stop();
                    return nullptr;
                  }
                  batch->begin = next_begin;
                  next_begin += kBatchBytes;
                  batch->end_position = std::min(next_begin, slices->size());
                } else {
                  if (!reader.read_lines(batch->text, kBatchBytes)) {
                    if (reader.stream_problem().empty() || break_read) {
                      fc.stop();
                      return nullptr;
                    }
                    // A broken compressed stream: a bad line after the lines before it.
                    break_read = true;
                    batch->error = std::make_exception_ptr(
                        InputError(reader.name(), 1, "", std::string(reader.stream_problem())));
                  }
                  batch->end_position = reader.input_position();
                }
              } catch (...) {
                fail(std::current_exception());
                fc.stop();
                return nullptr;
              }
              return batch;
            }) &
            tbb::make_filter<std::shared_ptr<Batch>, std::shared_ptr<Batch>>(
                tbb::filter_mode::parallel,
                [&](std::shared_ptr<Batch> batch) {
                  if (failed) return batch;  // dropped by the last stage
                  auto& parser = parsers.local();
                  if (!parser) parser = std::make_unique<trace::ConversationParser>(reader.name());
                  trace::Conversation c;
                  try {
                    if (slices) {
                      slices->read_lines_starting_in(batch->begin, batch->begin + kBatchBytes,
                                                     batch->text);
                    }
                    const std::size_t size = batch->text.size();
                    batch->text.append(trace::kLinePadding, '\0');
                    const std::string_view lines = std::string_view(batch->text).substr(0, size);
                    batch->line_count = trace::for_each_line_in(
                        lines, batch->text.size(), [&](const trace::Line& line) {
                          // The limit of every trace reader (trace::LineReader); the line is
                          // in memory already, but a prompt that long is not one to hash.
                          if (line.text.size() > options.max_line_bytes) {
                            throw InputError(reader.name(), line.number, "",
                                             fmt::format("line longer than the limit of {} bytes",
                                                         options.max_line_bytes));
                          }
                          if (trace::is_blank(line.text)) return;
                          parser->parse(line, c);
                          const std::size_t first = batch->items.size();
                          preparer.prepare(c, batch->items);
                          // Whole prompts are hashed here, in parallel; only a delta turn
                          // needs its session's earlier turns, in order.
                          for (std::size_t i = first; i < batch->items.size(); ++i) {
                            Item& item = batch->items[i];
                            if (options.delta_turns && item.session_id) continue;
                            hasher.hash_sequence(item.tokens, item.blocks);
                            item.hashed = true;
                            item.tokens = {};
                          }
                        });
                  } catch (...) {
                    batch->error = std::current_exception();
                  }
                  return batch;
                }) &
            tbb::make_filter<std::shared_ptr<Batch>, void>(
                tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Batch> batch) {
                  if (failed) return;
                  try {
                    for (Item& item : batch->items) {
                      if (item.session_of_line) {
                        item.session_id = fmt::format("line-{}", lines_before + item.line);
                      }
                      PromptBlocks& out = item.blocks;
                      if (item.hashed) {
                        hasher.assign_ids(out);
                      } else {
                        hasher.hash_turn(*item.session_id, item.tokens, out);
                      }
                      request.timestamp = item.timestamp;
                      request.session_id = std::move(item.session_id);
                      request.delay = item.delay;
                      request.input_length = static_cast<std::int64_t>(out.input_length);
                      request.output_length = item.output_length;
                      const std::uint64_t ids = out.ids.size();
                      request.hash_ids = std::move(out.ids);
                      request.extra.clear();
                      if (options.emit_raw_hashes) {
                        request.extra.push_back({"sequence_hashes", raw_hashes_json(out.hashes)});
                      }
                      writer.write(request);
                      ++stats.requests;
                      stats.tokens += out.input_length;
                      stats.blocks += ids;
                    }
                    // Items before the bad line are written: the output is the input's valid
                    // head, and the error names the line.
                    if (batch->error) rethrow_in_input(batch->error, lines_before);
                    lines_before += batch->line_count;
                    progress(batch->end_position);
                  } catch (...) {
                    fail(std::current_exception());
                  }
                }));
  });
  if (failure) {
    writer.discard();  // stdout or a pipe: the valid head, written before the failure is reported
    std::rethrow_exception(failure);
  }
  if (stats.requests == 0) {
    writer.discard();
    throw InputError(reader.name(), 0, "", "no conversation in the input");
  }
  writer.close();
  stats.distinct_blocks = hasher.distinct_blocks();
  return stats;
}

}  // namespace kvtrace::hashing
