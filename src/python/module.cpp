// kvtrace._kvtrace: the C++ library under the Python package `kvtrace` (python/kvtrace/,
// docs/python.md).

#include "python/bindings.hpp"

PYBIND11_MODULE(_kvtrace, m) {
  m.doc() = "kvtrace's C++ library; use it through the kvtrace package (docs/python.md).";
  m.attr("__version__") = KVTRACE_VERSION;
  kvtrace::python::bind_errors(m);
  kvtrace::python::bind_trace(m);
  kvtrace::python::bind_analysis(m);
  kvtrace::python::bind_aiperf(m);
  kvtrace::python::bind_hashing(m);
  kvtrace::python::bind_cache(m);
  kvtrace::python::bind_synthesis(m);
  kvtrace::python::bind_prompt(m);
  kvtrace::python::bind_tokenizer(m);
}
