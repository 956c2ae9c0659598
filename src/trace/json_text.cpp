#include "kvtrace/trace/json_text.hpp"

#include <vector>

namespace kvtrace::trace {
namespace {

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

bool has_text_after_value(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_json_space(text[i])) ++i;
  if (i == text.size() || (text[i] != '{' && text[i] != '[')) return false;
  // The closing bracket each open one expects; a mismatch means the value itself is broken.
  std::vector<char> open;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (i >= text.size()) return false;
    } else if (c == '{' || c == '[') {
      open.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (open.empty() || open.back() != c) return false;
      open.pop_back();
      if (open.empty()) break;
    }
  }
  if (i >= text.size()) return false;  // never closed
  for (++i; i < text.size(); ++i) {
    if (!is_json_space(text[i])) return true;
  }
  return false;
}

}  // namespace kvtrace::trace
