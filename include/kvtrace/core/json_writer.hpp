#pragma once
// Small JSON writing helpers for hot paths (no DOM): strings, integers and doubles appended
// to a std::string. Doubles are written as Python's repr writes them, so kvtrace's JSON
// matches AIPerf's (pydantic/json) output: shortest round-trip digits, "1.0" not "1".

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kvtrace::json {

// Appends `s` as a quoted JSON string; UTF-8 is kept as is, control characters escaped.
void append_string(std::string& out, std::string_view s);
void append_int(std::string& out, std::int64_t v);
void append_uint(std::string& out, std::uint64_t v);
void append_bool(std::string& out, bool v);
// Python repr of a float: "0.5", "1.0", "1e-05", "1e+16"; NaN and infinities as null.
void append_double(std::string& out, double v);
std::string format_double(double v);

// Writes an object in the indented layout of Python's json.dumps(indent=2) / pydantic's
// model_dump_json(indent=2): one "key": value per line, nested objects indented further.
class ObjectWriter {
 public:
  ObjectWriter(std::string& out, int indent);

  // Starts a member; the caller appends its value (or uses one of the helpers below).
  void key(std::string_view k);
  void field(std::string_view k, std::uint64_t v);
  void field(std::string_view k, std::int64_t v);
  void field(std::string_view k, double v);
  void field(std::string_view k, std::string_view v);
  // Not an overload of field(): a string literal would convert to bool before string_view.
  void bool_field(std::string_view k, bool v);
  void null_field(std::string_view k);
  // A nested object member; close() it before writing the next member of this one.
  ObjectWriter object(std::string_view k);
  // A member holding an array of `n` objects, one per line, each written by
  // `write(ObjectWriter& item, std::size_t i)` (closed here).
  template <class F>
  void object_array(std::string_view k, std::size_t n, F&& write) {
    key(k);
    out_.push_back('[');
    for (std::size_t i = 0; i < n; ++i) {
      out_.append(i == 0 ? "\n" : ",\n");
      out_.append(static_cast<std::size_t>(indent_ + 4), ' ');
      ObjectWriter item(out_, indent_ + 4);
      write(item, i);
      item.close();
    }
    if (n > 0) {
      out_.push_back('\n');
      out_.append(static_cast<std::size_t>(indent_ + 2), ' ');
    }
    out_.push_back(']');
  }
  void close();

  std::string& out() { return out_; }
  int indent() const { return indent_; }

 private:
  std::string& out_;
  int indent_;
  bool first_ = true;
};

}  // namespace kvtrace::json
