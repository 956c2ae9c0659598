#include "kvtrace/core/json_writer.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace kvtrace::json {

void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\r':
        out.push_back('r');
        break;
      case '\t':
        out.push_back('t');
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\f':
        out.push_back('f');
        break;
      default:
        out.append("u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

// std::to_chars into a stack buffer: integers are most of a trace's bytes.
template <typename T>
void append_integer(std::string& out, T v) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void append_int(std::string& out, std::int64_t v) {
  append_integer(out, v);
}

void append_uint(std::string& out, std::uint64_t v) {
  append_integer(out, v);
}

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  const std::size_t start = out.size();
  // fmt's shortest round-trip form uses the same fixed/exponent switch as Python's repr;
  // only the ".0" of integral values differs.
  fmt::format_to(std::back_inserter(out), "{}", v);
  if (out.find_first_of(".e", start) == std::string::npos) out.append(".0");
}

std::string format_double(double v) {
  std::string out;
  append_double(out, v);
  return out;
}

void append_bool(std::string& out, bool v) {
  out.append(v ? "true" : "false");
}

ObjectWriter::ObjectWriter(std::string& out, int indent) : out_(out), indent_(indent) {
  out_.push_back('{');
}

void ObjectWriter::key(std::string_view k) {
  out_.append(first_ ? "\n" : ",\n");
  first_ = false;
  out_.append(static_cast<std::size_t>(indent_ + 2), ' ');
  append_string(out_, k);
  out_.append(": ");
}

void ObjectWriter::field(std::string_view k, std::uint64_t v) {
  key(k);
  append_uint(out_, v);
}

void ObjectWriter::field(std::string_view k, std::int64_t v) {
  key(k);
  append_int(out_, v);
}

void ObjectWriter::field(std::string_view k, double v) {
  key(k);
  append_double(out_, v);
}

void ObjectWriter::field(std::string_view k, std::string_view v) {
  key(k);
  append_string(out_, v);
}

void ObjectWriter::bool_field(std::string_view k, bool v) {
  key(k);
  append_bool(out_, v);
}

void ObjectWriter::null_field(std::string_view k) {
  key(k);
  out_.append("null");
}

ObjectWriter ObjectWriter::object(std::string_view k) {
  key(k);
  return ObjectWriter(out_, indent_ + 2);
}

void ObjectWriter::close() {
  if (!first_) {
    out_.push_back('\n');
    out_.append(static_cast<std::size_t>(indent_), ' ');
  }
  out_.push_back('}');
}

}  // namespace kvtrace::json
