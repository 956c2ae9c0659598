#pragma once
// The pieces of kvtrace's Python extension module (_kvtrace): one bind_*() per area, each in
// its own source, and what they share (docs/python.md).

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/format.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::python {

namespace py = pybind11;

// kvtrace's exceptions as Python exceptions (kvtrace.Error and its subclasses).
void bind_errors(py::module_& m);
// read_trace / write_trace: traces as columns of NumPy arrays.
void bind_trace(py::module_& m);
// analyze: kvtrace analyze's report.
void bind_analysis(py::module_& m);
// kvtrace.aiperf: the drop-in for AIPerf's aiperf.dataset.synthesis.
void bind_aiperf(py::module_& m);
// Dynamo's block, sequence and positional hashes over NumPy tokens; AIPerf's rolling hasher.
void bind_hashing(py::module_& m);
// lru_curve and simulate: kvtrace simulate's curve and runs.
void bind_cache(py::module_& m);
// synthesize: kvtrace synthesize's rewrite and sample modes.
void bind_synthesis(py::module_& m);
// materialize: kvtrace materialize into a file or as a stream of request bodies.
void bind_prompt(py::module_& m);
// Tokenizer: load, encode and decode, one text or a batch.
void bind_tokenizer(py::module_& m);

// A NumPy array that owns the vector's storage (moved, not copied).
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& values) {
  auto owner = std::make_unique<std::vector<T>>(std::move(values));
  const auto size = static_cast<py::ssize_t>(owner->size());
  T* data = owner->data();
  py::capsule free_owner(owner.get(), [](void* p) { delete static_cast<std::vector<T>*>(p); });
  owner.release();
  return py::array_t<T>({size}, {static_cast<py::ssize_t>(sizeof(T))}, data, free_owner);
}

// The array d[name] as a C-contiguous array of T (converted when it is not one); UsageError
// naming the column when it is missing.
template <typename T>
py::array_t<T, py::array::c_style | py::array::forcecast> column(const py::dict& d,
                                                                 const char* name) {
  if (!d.contains(name)) throw UsageError(name, "missing");
  return py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(d[name]);
}

// A trace's requests column by column, as kvtrace.read_trace gives them: absent numbers are
// NaN (timestamp, delay) or -1 (lengths); the hash ids of request i are
// ids[offsets[i]:offsets[i+1]]; extra fields as one JSON object's text.
class TraceColumns {
 public:
  // Appends request `r`, read from 1-based line `line` (0: not from a file).
  void add(const trace::Request& r, std::uint64_t line);
  // The columns as read_trace's dict (arrays own the moved storage); needs the GIL.
  py::dict to_dict(std::uint32_t block_size, const std::string& format) &&;

 private:
  std::vector<double> timestamp_;
  std::vector<std::int64_t> input_length_;
  std::vector<std::int64_t> output_length_;
  std::vector<std::int64_t> offsets_{0};
  std::vector<std::uint64_t> ids_;
  std::vector<std::optional<std::string>> session_id_;
  std::vector<double> delay_;
  std::vector<std::optional<std::string>> extra_;
  std::vector<std::uint64_t> line_;
};

// One-dimensional token ids as u32, from any integer array (or what numpy.asarray takes): a
// C-contiguous uint32 array, or int32 one without negative values, is read in place (and
// kept alive); any other is copied, each value checked. UsageError for a value outside u32,
// a non-integer dtype or more than one dimension. Build it with the GIL held; span() may be
// read without.
class TokenArray {
 public:
  explicit TokenArray(const py::handle& obj);
  TokenArray(const TokenArray&) = delete;
  TokenArray& operator=(const TokenArray&) = delete;
  std::span<const std::uint32_t> span() const { return view_; }

 private:
  py::object held_;
  std::vector<std::uint32_t> copied_;
  std::span<const std::uint32_t> view_;
};

// How a trace is opened, as the trace commands' flags say it (docs/cli.md): block_size None
// (512, or the size the format records), an int, or "auto"; format_in "auto", "mooncake", …;
// hash_id_check "ignore", "warn" or "error". UsageError for a bad value.
struct OpenOptions {
  py::object block_size = py::none();
  std::string format_in = "auto";
  bool skip_invalid = false;
  std::optional<double> start_ms;
  std::optional<double> end_ms;
  std::string hash_id_check = "warn";
};

// OpenOptions resolved with the GIL held into plain values, which a thread without the GIL
// (run_interruptible's work) may use: open_resolved opens the trace with the caller's stop
// flag watched by its reader.
struct ResolvedOpen {
  std::string path;
  trace::ReaderOptions options;
  formats::Format format = formats::Format::kAuto;
};
ResolvedOpen resolve(const std::string& path, const OpenOptions& o);
std::unique_ptr<trace::TraceReader> open_resolved(ResolvedOpen r, const std::atomic<bool>* stop);

// The hash ids of request i of a CSR pair (kvtrace.Trace's offsets and ids): UsageError
// naming the request unless offsets[i] <= offsets[i + 1] lie within the ids.
std::span<const std::uint64_t> csr_row(const std::int64_t* offsets,
                                       std::span<const std::uint64_t> ids, std::size_t i);

// Runs `work(stop)` on a thread of its own while this one, without the GIL, checks for
// Ctrl-C every 50 ms: on KeyboardInterrupt it sets the flag `stop` points to (which the work's
// trace readers watch: open_resolved), waits for the work to end and raises
// KeyboardInterrupt. `work` must not touch Python objects. Call with the GIL held.
template <typename F>
auto run_interruptible(F&& work) {
  std::atomic<bool> stop = false;
  auto done = std::async(std::launch::async, [&] { return work(&stop); });
  for (;;) {
    {
      py::gil_scoped_release unlocked;
      if (done.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready) break;
    }
    if (PyErr_CheckSignals() != 0) {
      stop = true;
      {
        py::gil_scoped_release unlocked;
        done.wait();
      }
      throw py::error_already_set();
    }
  }
  return done.get();
}
// Adds OpenOptions' keyword arguments' documentation to a docstring.
extern const char* const kOpenOptionsDoc;

}  // namespace kvtrace::python
