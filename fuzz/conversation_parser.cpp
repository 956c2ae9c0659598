// Fuzz target: one line of a conversations file through trace::ConversationParser. Property:
// a line either parses (numbered as given, its prompt in the field its source says) or is an
// InputError naming the line; nothing else escapes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/conversation_parser.hpp"
#include "kvtrace/trace/line_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.find('\n') != std::string_view::npos) return 0;
  std::string buffer(text);
  buffer.append(kvtrace::trace::kLinePadding, '\0');
  const kvtrace::trace::Line line{std::string_view(buffer.data(), text.size()), buffer.size(), 7,
                                  false};
  kvtrace::trace::ConversationParser parser("fuzz.jsonl");
  kvtrace::trace::Conversation c;
  try {
    parser.parse(line, c);
  } catch (const kvtrace::InputError& e) {
    if (e.line() != 7 || e.source() != "fuzz.jsonl") std::abort();
    return 0;
  }
  if (c.line != 7) std::abort();
  using kvtrace::trace::PromptSource;
  if (c.source != PromptSource::kText && !c.text.empty()) std::abort();
  if (c.source != PromptSource::kMessages && !c.messages.empty()) std::abort();
  if (c.source != PromptSource::kTokens && !c.tokens.empty()) std::abort();
  if (c.output_length && *c.output_length < 0) std::abort();
  return 0;
}
