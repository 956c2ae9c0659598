#include "kvtrace/prompt/request_writer.hpp"

#include "kvtrace/core/json_writer.hpp"

namespace kvtrace::prompt {
namespace {

void append_number(std::string& out, const trace::Number& n) {
  if (n.is_integer) {
    json::append_int(out, n.integer);
  } else {
    json::append_double(out, n.real);
  }
}

void append_prompt(std::string& out, const PromptBody& body) {
  if (body.kind == PromptBody::Kind::kTokens) {
    out.push_back('[');
    for (std::size_t i = 0; i < body.tokens.size(); ++i) {
      if (i != 0) out.push_back(',');
      json::append_uint(out, body.tokens[i]);
    }
    out.push_back(']');
  } else {
    json::append_string(out, body.text);
  }
}

void append_body(std::string& out, const trace::Request& r, const PromptBody& body,
                 const BodyOptions& options) {
  if (body.kind == PromptBody::Kind::kPayload) {
    out.append(body.raw);
    return;
  }
  out.push_back('{');
  if (!options.model.empty()) {
    out.append("\"model\":");
    json::append_string(out, options.model);
    out.push_back(',');
  }
  if (body.kind == PromptBody::Kind::kMessages) {
    out.append("\"messages\":").append(body.raw);
    if (!body.tools.empty()) out.append(",\"tools\":").append(body.tools);
  } else if (options.api == Api::kChat) {
    out.append("\"messages\":[{\"role\":\"user\",\"content\":");
    append_prompt(out, body);
    out.append("}]");
  } else {
    out.append("\"prompt\":");
    append_prompt(out, body);
  }
  if (r.output_length) {
    out.append(",\"max_tokens\":");
    json::append_int(out, *r.output_length);
  }
  out.append(",\"stream\":true}");
}

}  // namespace

void append_request_line(std::string& out, std::uint64_t index, const trace::Request& r,
                         std::string_view session_id, const PromptBody& body,
                         const BodyOptions& options) {
  out.append("{\"index\":");
  json::append_uint(out, index);
  if (r.timestamp) {
    out.append(",\"timestamp\":");
    append_number(out, *r.timestamp);
  }
  out.append(",\"session_id\":");
  json::append_string(out, session_id);
  if (r.delay) {
    out.append(",\"delay\":");
    append_number(out, *r.delay);
  }
  out.append(",\"body\":");
  append_body(out, r, body, options);
  out.append("}\n");
}

}  // namespace kvtrace::prompt
