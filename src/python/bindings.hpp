#pragma once
// The pieces of kvtrace's Python extension module (_kvtrace): one bind_*() per area, each in
// its own source, and what they share (docs/python.md).

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

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
std::unique_ptr<trace::TraceReader> open_trace(const std::string& path, const OpenOptions& o);
// Adds OpenOptions' keyword arguments' documentation to a docstring.
extern const char* const kOpenOptionsDoc;

}  // namespace kvtrace::python
