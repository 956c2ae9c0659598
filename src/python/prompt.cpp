// materialize from Python: kvtrace materialize's library call (docs/materialize.md) writing a
// file, or streaming the request bodies to a Python iterator.

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/output_file.hpp"
#include "kvtrace/prompt/corpus.hpp"
#include "kvtrace/prompt/materialize_trace.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {
namespace {

// A materialization running on a thread of its own, its output handed over batch by batch
// (whole lines) through a bounded queue: a slow consumer holds the run back, and one that
// stops early (the object dies) cancels it.
class MaterializeStream {
 public:
  // Opens the trace (the start of it is read: no GIL then, a pipe's writer may need it).
  // `derive_scope`: the options' scope is the trace file's (trace_scope), digested on the
  // stream's thread.
  MaterializeStream(const ResolvedOpen& opening, prompt::MaterializeTraceOptions options,
                    bool derive_scope)
      : reader_(open_unlocked(opening)),
        options_(std::move(options)),
        path_(opening.path),
        derive_scope_(derive_scope) {
    thread_ = std::thread([this] { run(); });
  }
  ~MaterializeStream() {
    {
      const std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    py::gil_scoped_release unlocked;
    thread_.join();
  }
  MaterializeStream(const MaterializeStream&) = delete;
  MaterializeStream& operator=(const MaterializeStream&) = delete;

  // The next batch of lines; None at the end. Rethrows the run's error (once). Waits
  // without the GIL, checking for Ctrl-C every 50 ms (KeyboardInterrupt; the run goes on
  // until the stream is dropped).
  py::object next() {
    std::string batch;
    bool have = false;
    std::exception_ptr error;
    for (bool ready = false; !ready;) {
      {
        py::gil_scoped_release unlocked;
        std::unique_lock lock(mutex_);
        ready = changed_.wait_for(lock, std::chrono::milliseconds(50),
                                  [&] { return !queue_.empty() || done_; });
        if (ready && !queue_.empty()) {
          batch = std::move(queue_.front());
          queue_.pop_front();
          have = true;
        } else if (ready) {
          error = std::exchange(error_, nullptr);
        }
      }
      if (!ready && PyErr_CheckSignals() != 0) throw py::error_already_set();
    }
    changed_.notify_all();
    if (error) std::rethrow_exception(error);
    if (!have) return py::none();
    return py::str(batch);
  }

 private:
  struct Cancelled {};

  std::unique_ptr<trace::TraceReader> open_unlocked(const ResolvedOpen& opening) {
    py::gil_scoped_release unlocked;
    return open_resolved(opening, &stop_);
  }
  static constexpr std::size_t kMaxBatches = 8;

  void run() {
    try {
      if (derive_scope_) options_.options.scope = prompt::trace_scope(path_, &stop_);
      const prompt::MaterializeTraceResult m =
          prompt::materialize_trace(*reader_, options_, [this](std::string_view lines) {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return queue_.size() < kMaxBatches || stop_; });
            if (stop_) throw Cancelled{};
            queue_.emplace_back(lines);
            lock.unlock();
            changed_.notify_all();
          });
      fmt::print(stderr, "{}", m.summary);
    } catch (const Cancelled&) {
    } catch (const Interrupted&) {  // the reader saw stop_: the stream was dropped
    } catch (...) {
      const std::lock_guard lock(mutex_);
      error_ = std::current_exception();
    }
    {
      const std::lock_guard lock(mutex_);
      done_ = true;
    }
    changed_.notify_all();
  }

  // Set when the stream is dropped: the reader stops at its next request, the sink at its
  // next batch.
  std::atomic<bool> stop_ = false;
  std::unique_ptr<trace::TraceReader> reader_;
  prompt::MaterializeTraceOptions options_;
  std::string path_;
  bool derive_scope_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  bool done_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: started once everything it uses is built
};

// The options as the CLI's flags give them; `api` empty: default_api(prompt_format).
prompt::MaterializeTraceOptions options_of(const std::string& tokenizer, const std::string& corpus,
                                           std::uint64_t seed,
                                           const std::optional<std::string>& scope,
                                           const std::string& model, const std::string& api,
                                           const std::string& prompt_format,
                                           const std::string& shard, bool verify,
                                           const std::string& cache_dir, unsigned threads) {
  prompt::MaterializeTraceOptions o;
  o.options.seed = seed;
  o.options.model = model;
  o.options.verify = verify;
  o.options.shard = prompt::Shard::parse(shard);
  if (prompt_format != "text" && prompt_format != "tokens") {
    throw UsageError("prompt_format", "expected \"text\" or \"tokens\"");
  }
  o.options.format =
      prompt_format == "tokens" ? prompt::PromptFormat::kTokens : prompt::PromptFormat::kText;
  if (api == "chat") {
    o.api = prompt::Api::kChat;
  } else if (api == "completions") {
    o.api = prompt::Api::kCompletions;
  } else if (!api.empty()) {
    throw UsageError("api", "expected \"chat\" or \"completions\"");
  }
  // Without a scope, the trace file's: digested by the caller, where Ctrl-C can stop it.
  if (scope) o.options.scope = *scope;
  o.tokenizer_path = tokenizer;
  o.corpus_path = corpus;
  o.cache_dir = cache_dir;
  o.threads = threads;
  return o;
}

// materialize's options, given once by keyword (kvtrace.materialize builds them) and read by
// both the stream and the file binding.
struct MaterializeArgs {
  prompt::MaterializeTraceOptions options;
  bool derive_scope = false;  // no scope was given: the trace file's digest
  OpenOptions open;
};

}  // namespace

void bind_prompt(py::module_& m) {
  m.attr("INSTALLED_TOKENIZER") = std::string(prompt::kInstalledTokenizer);
  m.attr("INSTALLED_CORPUS") = std::string(prompt::kInstalledCorpus);
  m.def("default_cache_dir", &prompt::default_cache_dir,
        "Where tokenized corpora are cached by default.");
  py::class_<MaterializeStream>(m, "MaterializeStream",
                                "kvtrace materialize's output, batch by batch (see "
                                "kvtrace.materialize).")
      .def("next", &MaterializeStream::next,
           "The next batch of whole lines (str), or None at the end; raises the run's error.");
  py::class_<MaterializeArgs>(m, "MaterializeArgs",
                              "kvtrace.materialize's options, checked once (see "
                              "kvtrace.materialize).")
      .def(py::init([](const std::string& tokenizer, const std::string& corpus, std::uint64_t seed,
                       std::optional<std::string> scope, const std::string& model,
                       const std::string& api, const std::string& prompt_format,
                       const std::string& shard, bool verify, const std::string& cache_dir,
                       unsigned threads, py::object block_size, std::string format_in,
                       bool skip_invalid, std::optional<double> start_ms,
                       std::optional<double> end_ms) {
             return MaterializeArgs{options_of(tokenizer, corpus, seed, scope, model, api,
                                               prompt_format, shard, verify, cache_dir, threads),
                                    !scope,
                                    {std::move(block_size), std::move(format_in), skip_invalid,
                                     start_ms, end_ms, "ignore"}};
           }),
           py::kw_only(), py::arg("tokenizer"), py::arg("corpus"), py::arg("seed") = 42,
           py::arg("scope") = py::none(), py::arg("model") = "", py::arg("api") = "",
           py::arg("prompt_format") = "text", py::arg("shard") = "0/1", py::arg("verify") = false,
           py::arg("cache_dir") = "", py::arg("threads") = 0, py::arg("block_size") = py::none(),
           py::arg("format_in") = "auto", py::arg("skip_invalid") = false,
           py::arg("start_ms") = py::none(), py::arg("end_ms") = py::none());
  m.def(
      "materialize_stream",
      [](const std::string& path, const MaterializeArgs& a) {
        return std::make_unique<MaterializeStream>(resolve(path, a.open), a.options,
                                                   a.derive_scope);
      },
      py::arg("path"), py::arg("args"),
      "kvtrace materialize's output as a MaterializeStream (see kvtrace.materialize).");
  m.def(
      "materialize_file",
      [](const std::string& path, const std::string& output, const MaterializeArgs& a) {
        prompt::MaterializeTraceOptions o = a.options;
        const ResolvedOpen opening = resolve(path, a.open);
        return run_interruptible([&](const std::atomic<bool>* stop) {
          if (a.derive_scope) o.options.scope = prompt::trace_scope(path, stop);
          std::optional<core::OutputFile> out;
          o.on_checked = [&] { out.emplace(output); };
          const std::unique_ptr<trace::TraceReader> reader = open_resolved(opening, stop);
          const prompt::MaterializeTraceResult r =
              prompt::materialize_trace(*reader, o, [&](std::string_view text) {
                if (*stop) throw Interrupted("materialize: stopped");
                out->write(text);
              });
          out->close();
          fmt::print(stderr, "{}", r.summary);
          return r.result.stats.requests;
        });
      },
      py::arg("path"), py::arg("output"), py::arg("args"),
      "kvtrace materialize into a file; returns the lines written (see kvtrace.materialize).");
}

}  // namespace kvtrace::python
