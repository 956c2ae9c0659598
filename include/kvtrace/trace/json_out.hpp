#pragma once
// Small JSON writing helpers for hot paths (no DOM): strings, integers and doubles appended
// to a std::string. Doubles are written as Python's repr writes them, so kvtrace's JSON
// matches AIPerf's (pydantic/json) output: shortest round-trip digits, "1.0" not "1".

#include <cstdint>
#include <string>
#include <string_view>

namespace kvtrace::json {

// Appends `s` as a quoted JSON string; UTF-8 is kept as is, control characters escaped.
void append_string(std::string& out, std::string_view s);
void append_int(std::string& out, std::int64_t v);
void append_uint(std::string& out, std::uint64_t v);
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
  void null_field(std::string_view k);
  // A nested object member; close() it before writing the next member of this one.
  ObjectWriter object(std::string_view k);
  void close();

  std::string& out() { return out_; }
  int indent() const { return indent_; }

 private:
  std::string& out_;
  int indent_;
  bool first_ = true;
};

}  // namespace kvtrace::json
