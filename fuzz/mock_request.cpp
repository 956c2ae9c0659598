// Fuzz target: the mock server's request handling without sockets, mock::MockRequestParser on
// a request body (the server exposes no raw-HTTP entry point; Beast parses the HTTP). The
// first byte picks the API. Property: a body parses or is an InputError from "request body";
// a parsed request keeps max_tokens in 1..kMaxOutputTokens and one prompt form.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kvtrace/core/error.hpp"
#include "kvtrace/mock/mock_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  using kvtrace::mock::MockApi;
  const MockApi api = (data[0] & 1) != 0 ? MockApi::kCompletions : MockApi::kChat;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  // One parser serves many bodies in the server: reuse it as the server does.
  static kvtrace::mock::MockRequestParser parser;
  kvtrace::mock::MockRequest r;
  try {
    r = parser.parse(api, body);
  } catch (const kvtrace::InputError& e) {
    if (e.source() != "request body") std::abort();
    return 0;
  }
  if (r.api != api) std::abort();
  if (r.max_tokens && (*r.max_tokens == 0 || *r.max_tokens > kvtrace::mock::kMaxOutputTokens)) {
    std::abort();
  }
  if (r.prompt_is_ids ? !r.prompt_text.empty() : !r.prompt_ids.empty()) std::abort();
  if (api == MockApi::kChat && r.prompt_is_ids) std::abort();
  return 0;
}
