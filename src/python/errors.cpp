#include "kvtrace/core/error.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {
namespace {

// A new exception class kvtrace.NAME deriving from `bases`.
void add_exception(py::module_& m, const char* name, py::tuple bases, const char* doc) {
  const std::string qualified = std::string("kvtrace.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (cls == nullptr) throw py::error_already_set();
  m.attr(name) = py::reinterpret_steal<py::object>(cls);
}

[[noreturn]] void raise(const char* name, const std::exception& e) {
  const py::object cls = py::module_::import("kvtrace._kvtrace").attr(name);
  PyErr_SetString(cls.ptr(), e.what());
  throw py::error_already_set();
}

}  // namespace

void bind_errors(py::module_& m) {
  // The same family as in C++, one class per cause; each is a ValueError or OSError too, so
  // that code catching the built-in kinds catches kvtrace's.
  add_exception(m, "Error", py::make_tuple(py::handle(PyExc_RuntimeError)),
                "What kvtrace raises: the base of its exceptions.");
  const py::object base = m.attr("Error");
  add_exception(m, "UsageError", py::make_tuple(base, py::handle(PyExc_ValueError)),
                "An argument with a bad value.");
  add_exception(m, "InputError", py::make_tuple(base, py::handle(PyExc_ValueError)),
                "Bad input data: 'file:line: field: problem'.");
  add_exception(m, "IoError", py::make_tuple(base, py::handle(PyExc_OSError)),
                "A file that cannot be read or written.");
  add_exception(m, "LimitError", py::make_tuple(base, py::handle(PyExc_ValueError)),
                "Valid input beyond a fixed limit of a data structure.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const UsageError& e) {
      raise("UsageError", e);
    } catch (const InputError& e) {
      raise("InputError", e);
    } catch (const IoError& e) {
      raise("IoError", e);
    } catch (const LimitError& e) {
      raise("LimitError", e);
    } catch (const Interrupted& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    } catch (const Error& e) {
      raise("Error", e);
    }
  });
}

}  // namespace kvtrace::python
