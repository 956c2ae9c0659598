// kvtrace hash: conversations (token ids, text or chat messages) -> a Mooncake trace whose
// hash_ids are the dense ids of Dynamo sequence hashes of the prompt's blocks.

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/hashing/conversation_hasher.hpp"
#include "kvtrace/tokenizer/chat_format.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"
#include "kvtrace/trace/conversation_parser.hpp"
#include "kvtrace/trace/file_slices.hpp"
#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/trace_writer.hpp"

namespace kvtrace::cli {
namespace {

using hashing::Token;

struct HashFlags {
  std::string input;
  std::string output = "-";
  std::uint32_t block_size = 512;
  bool text_in = false;
  bool tokens_in = false;
  std::string tokenizer;
  std::string chat_format = "auto";
  std::string turns = "full";
  bool split_turns = false;
  std::string lora;
  std::string cache_namespace;
  bool emit_raw_hashes = false;
  unsigned threads = 0;
};

// One request to hash: a prompt's tokens (or, once hashed, its blocks) and the fields
// copied to the trace.
struct Item {
  std::uint64_t line = 0;  // in its batch, from 1
  // --split-turns without a session_id: the session is named after the line, once the
  // line's number in the file is known.
  bool session_of_line = false;
  std::vector<Token> tokens;
  bool hashed = false;  // blocks.hashes and input_length hold the whole prompt's
  hashing::PromptBlocks blocks;
  std::optional<trace::Number> timestamp;
  std::optional<trace::Number> delay;
  std::optional<std::string> session_id;
  std::optional<std::int64_t> output_length;
};

// Whole lines read together and parsed by one task; errors wait in the batch so that the
// first bad line of the file is the one reported, whatever the thread that met it.
struct Batch {
  std::uint64_t begin = 0;  // the file range whose lines this batch holds (files only)
  std::string text;         // the lines with their '\n', then kLinePadding bytes
  std::size_t size = 0;     // of the lines in `text`
  std::uint64_t line_count = 0;
  std::vector<Item> items;
  // Lines are numbered from 1 in the batch until its turn comes in order: the first bad
  // line's InputError, without the file's line number yet, or another failure.
  std::optional<InputError> input_error;
  std::exception_ptr error;
  std::uint64_t end_position = 0;
};

constexpr std::size_t kBatchBytes = std::size_t{1} << 20;

// Calls f on each of the batch's lines, numbered from 1; returns how many there were.
template <typename F>
std::uint64_t for_each_line(const Batch& batch, F&& f) {
  const char* const base = batch.text.data();
  std::size_t at = 0;
  std::uint64_t number = 1;
  while (at < batch.size) {
    const void* nl = std::memchr(base + at, '\n', batch.size - at);
    const std::size_t stop =
        nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : batch.size;
    std::size_t length = stop - at;
    if (length > 0 && base[at + length - 1] == '\r') --length;
    f(trace::Line{std::string_view(base + at, length), batch.text.size() - at, number, false});
    at = stop + 1;
    ++number;
  }
  return number - 1;
}

// Turns parsed conversations into items: tokenizes text, renders chat messages.
class Preparer {
 public:
  Preparer(const std::string& source, const tokenizer::Tokenizer* tok, tokenizer::ChatFormat format,
           bool split_turns, bool delta)
      : source_(source), tok_(tok), format_(format), split_turns_(split_turns), delta_(delta) {}

  // Takes the conversation's tokens (moved, not copied: they are most of the data).
  void prepare(trace::Conversation& c, std::vector<Item>& items) const {
    if (c.source == trace::PromptSource::kTokens) {
      Item& item = start(c, items);
      item.tokens = std::move(c.tokens);
      return;
    }
    if (tok_ == nullptr) {
      throw InputError(source_, c.line,
                       c.source == trace::PromptSource::kText ? "prompt" : "messages",
                       "text needs a tokenizer: run with --text-in (and --tokenizer)");
    }
    if (c.source == trace::PromptSource::kText) {
      Item& item = start(c, items);
      tok_->encode(c.text, item.tokens);
      return;
    }
    if (delta_) {
      throw InputError(source_, c.line, "messages",
                       "--turns delta takes token ids or text; give chat messages as whole "
                       "conversations (each line the full history, or --split-turns)");
    }
    std::vector<tokenizer::ChatTurn> turns;
    turns.reserve(c.messages.size());
    for (const auto& m : c.messages) turns.push_back({m.role, m.content});
    if (!split_turns_) {
      Item& item = start(c, items);
      tok_->encode(tokenizer::render_chat(turns, format_), item.tokens);
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
      tok_->encode(tokenizer::render_chat(std::span(turns).first(i + 1), format_), item.tokens);
      if (i + 1 < turns.size() && turns[i + 1].role == "assistant") {
        item.output_length = static_cast<std::int64_t>(tok_->encode(turns[i + 1].content).size());
      }
    }
    if (first) {
      throw InputError(source_, c.line, "messages", "--split-turns: no user message");
    }
  }

 private:
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
  const tokenizer::Tokenizer* tok_;
  tokenizer::ChatFormat format_;
  bool split_turns_;
  bool delta_;
};

std::string raw_hashes_json(std::span<const hashing::SequenceHash> hashes) {
  std::string out = "[";
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    if (i > 0) out += ", ";
    fmt::format_to(std::back_inserter(out), "{}", hashes[i]);
  }
  out += ']';
  return out;
}

int run_hash(const HashFlags& f) {
  const auto started = std::chrono::steady_clock::now();
  if (f.block_size == 0) throw UsageError("--block-size must be positive");
  if (f.text_in && f.tokens_in) throw UsageError("give --text-in or --tokens-in, not both");
  if (f.tokens_in && !f.tokenizer.empty()) {
    throw UsageError("--tokenizer is for --text-in: token ids are hashed as given");
  }
  const bool text = f.text_in || !f.tokenizer.empty();
  const bool delta = f.turns == "delta";
  if (delta && f.split_turns)
    throw UsageError("--split-turns and --turns delta exclude each other");

  trace::LineReader reader(f.input);
  std::unique_ptr<tokenizer::Tokenizer> tok;
  tokenizer::ChatFormat format = tokenizer::ChatFormat::kPlain;
  if (text) {
    const std::string path =
        !f.tokenizer.empty() ? f.tokenizer : installed_default(kDefaultTokenizer, "--tokenizer");
    tok = tokenizer::load_tokenizer(path);
    format = f.chat_format == "auto" ? tokenizer::chat_format_for_tokenizer(path)
                                     : tokenizer::parse_chat_format(f.chat_format);
  } else if (f.chat_format != "auto") {
    throw UsageError("--chat-format is for --text-in");
  }
  const Preparer preparer(reader.name(), tok.get(), format, f.split_turns, delta);
  hashing::ConversationHasher hasher(
      f.block_size,
      hashing::salt_hash({.lora_name = f.lora, .cache_namespace = f.cache_namespace}));
  trace::TraceWriter writer(f.output);
  Progress progress("hash", reader.total_bytes());

  std::uint64_t requests = 0;
  std::uint64_t tokens = 0;
  std::uint64_t blocks = 0;
  tbb::enumerable_thread_specific<std::unique_ptr<trace::ConversationParser>> parsers;
  trace::Request request;
  std::uint64_t lines_before = 0;  // lines of the batches already written
  const std::optional<trace::FileSlices> slices = trace::FileSlices::open(f.input);
  std::uint64_t next_begin = 0;

  const int threads =
      f.threads > 0 ? static_cast<int>(f.threads) : tbb::info::default_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(threads) * 4,
        tbb::make_filter<void, std::shared_ptr<Batch>>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::shared_ptr<Batch> {
              auto batch = std::make_shared<Batch>();
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
                  fc.stop();
                  return nullptr;
                }
                batch->end_position = reader.position();
              }
              return batch;
            }) &
            tbb::make_filter<std::shared_ptr<Batch>, std::shared_ptr<Batch>>(
                tbb::filter_mode::parallel,
                [&](std::shared_ptr<Batch> batch) {
                  auto& parser = parsers.local();
                  if (!parser) parser = std::make_unique<trace::ConversationParser>(reader.name());
                  trace::Conversation c;
                  try {
                    if (slices) {
                      slices->read_lines_starting_in(batch->begin, batch->begin + kBatchBytes,
                                                     batch->text);
                    }
                    batch->size = batch->text.size();
                    batch->text.append(trace::kLinePadding, '\0');
                    batch->line_count = for_each_line(*batch, [&](const trace::Line& line) {
                      if (trace::is_blank(line.text)) return;
                      parser->parse(line, c);
                      const std::size_t first = batch->items.size();
                      preparer.prepare(c, batch->items);
                      // Whole prompts are hashed here, in parallel; only a delta turn needs
                      // its session's earlier turns, in order.
                      for (std::size_t i = first; i < batch->items.size(); ++i) {
                        Item& item = batch->items[i];
                        if (delta && item.session_id) continue;
                        hasher.hash_sequence(item.tokens, item.blocks);
                        item.hashed = true;
                        item.tokens = {};
                      }
                    });
                  } catch (const InputError& e) {
                    batch->input_error = e;
                  } catch (...) {
                    batch->error = std::current_exception();
                  }
                  return batch;
                }) &
            tbb::make_filter<std::shared_ptr<Batch>, void>(
                tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Batch> batch) {
                  for (Item& item : batch->items) {
                    if (item.session_of_line) {
                      item.session_id = fmt::format("line-{}", lines_before + item.line);
                    }
                    hashing::PromptBlocks& out = item.blocks;
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
                    if (f.emit_raw_hashes) {
                      request.extra.push_back({"sequence_hashes", raw_hashes_json(out.hashes)});
                    }
                    writer.write(request);
                    ++requests;
                    tokens += out.input_length;
                    blocks += ids;
                  }
                  // Items before the bad line are written: the output is the file's valid
                  // head, and the error names the line.
                  if (batch->input_error) {
                    const InputError& e = *batch->input_error;
                    throw InputError(e.source(), e.line() == 0 ? 0 : lines_before + e.line(),
                                     e.field(), e.problem());
                  }
                  if (batch->error) std::rethrow_exception(batch->error);
                  lines_before += batch->line_count;
                  progress.update(batch->end_position, requests);
                }));
  });
  writer.close();
  progress.done();
  if (requests == 0) throw InputError(reader.name(), 0, "", "no conversation in the input");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print(stderr,
             "kvtrace: hashed {} requests, {} tokens into {} blocks of {} tokens ({} distinct) "
             "in {:.2f} s ({:.1f} M tokens/s) on {} thread{}\n",
             requests, tokens, blocks, f.block_size, hasher.distinct_blocks(), seconds,
             static_cast<double>(tokens) / seconds / 1e6, threads, threads == 1 ? "" : "s");
  return kOk;
}

}  // namespace

void add_hash(CLI::App& app, Action& action) {
  auto flags = std::make_shared<HashFlags>();
  CLI::App* cmd = app.add_subcommand(
      "hash",
      "Conversations (token ids, text or chat messages, JSONL) -> a Mooncake trace whose "
      "hash_ids are dense ids of Dynamo-compatible XXH3 sequence hashes of the prompt's "
      "blocks: identical prefixes share ids (docs/hash.md)");
  cmd->add_option("file", flags->input,
                  "Input JSONL: one request per line, {\"tokens\":[...]}, {\"prompt\":...} or "
                  "{\"messages\":[...]} (also inside \"body\"), with optional timestamp, "
                  "session_id, delay, output_length; - for stdin")
      ->required();
  cmd->add_option("-o,--output", flags->output, "Output Mooncake trace (JSONL), - for stdout")
      ->capture_default_str();
  cmd->add_option("-b,--block-size", flags->block_size, "Tokens per block")->capture_default_str();
  cmd->add_flag("--tokens-in", flags->tokens_in,
                "Prompts are token ids (the default): no tokenizer is loaded and a text line "
                "is an error");
  cmd->add_flag("--text-in", flags->text_in,
                "Prompts may be text or chat messages, tokenized with --tokenizer");
  cmd->add_option("--tokenizer", flags->tokenizer,
                  "tokenizer.json, tiktoken or SentencePiece file for --text-in (default: the "
                  "Qwen3 tokenizer scripts/setup installs)");
  cmd->add_option("--chat-format", flags->chat_format,
                  "How messages become text: chatml, llama3, plain, or auto (from the "
                  "tokenizer_config.json chat_template beside the tokenizer)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "chatml", "llama3", "plain"}));
  cmd->add_flag("--split-turns", flags->split_turns,
                "A messages line is a whole conversation: one request per user message, "
                "prompt = the history up to it, output_length = the next assistant reply's "
                "tokens, all in one session");
  cmd->add_option("--turns", flags->turns,
                  "full: each line holds its whole prompt; delta: a session's line holds only "
                  "its new tokens/text, appended to the session's earlier ones")
      ->capture_default_str()
      ->check(CLI::IsMember({"full", "delta"}));
  cmd->add_option("--lora", flags->lora, "LoRA adapter name salted into the hashes (Dynamo)");
  cmd->add_option("--cache-namespace", flags->cache_namespace,
                  "Cache namespace salted into the hashes (Dynamo's cache_salt)");
  cmd->add_flag("--emit-raw-hashes", flags->emit_raw_hashes,
                "Also write each request's u64 sequence hashes as \"sequence_hashes\"");
  cmd->add_option("--threads", flags->threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(0u, 4096u));
  cmd->callback([flags, &action] { action = [flags] { return run_hash(*flags); }; });
}

}  // namespace kvtrace::cli
