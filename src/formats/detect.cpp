#include "kvtrace/formats/detect.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace kvtrace::formats {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The first line with text, without its line end and surrounding blanks.
std::string_view first_text_line(std::string_view head) {
  if (head.starts_with(kBom)) head.remove_prefix(kBom.size());
  while (!head.empty()) {
    const std::size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view{} : head.substr(nl + 1);
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    const std::size_t last = line.find_last_not_of(" \t\r");
    return line.substr(first, last - first + 1);
  }
  return {};
}

bool is_binary(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 && c != '\t' && c != '\r' && c != '\n';
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The comma-separated cells of a CSV header, trimmed and without quotes.
std::vector<std::string> csv_cells(std::string_view line) {
  std::vector<std::string> cells;
  while (true) {
    const std::size_t comma = line.find(',');
    std::string_view cell = line.substr(0, comma);
    const std::size_t first = cell.find_first_not_of(" \t\"");
    const std::size_t last = cell.find_last_not_of(" \t\"");
    cells.emplace_back(first == std::string_view::npos ? std::string_view{}
                                                       : cell.substr(first, last - first + 1));
    if (comma == std::string_view::npos) return cells;
    line.remove_prefix(comma + 1);
  }
}

bool has_cells(const std::vector<std::string>& cells,
               std::initializer_list<std::string_view> want) {
  return std::all_of(want.begin(), want.end(), [&](std::string_view w) {
    return std::any_of(cells.begin(), cells.end(),
                       [&](const std::string& c) { return lower(c) == lower(w); });
  });
}

std::string joined(const std::vector<std::string>& items, std::size_t at_most) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < at_most; ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  if (items.size() > at_most) out += ", …";
  return out;
}

Detection from_csv_header(std::string_view line) {
  const std::vector<std::string> cells = csv_cells(line);
  const std::string header = "(header: " + joined(cells, 6) + ")";
  if (has_cells(cells, {"Timestamp", "Request tokens", "Response tokens"})) {
    return {InputKind::kTrace, Format::kBurstGpt, "a BurstGPT CSV " + header};
  }
  if (has_cells(cells, {"TIMESTAMP", "ContextTokens", "GeneratedTokens"})) {
    return {InputKind::kTrace, Format::kAzure, "an Azure LLM inference CSV " + header};
  }
  return {InputKind::kOther, Format::kMooncake, "a CSV file " + header};
}

constexpr std::array<std::string_view, 9> kMooncakeKeys{
    "timestamp", "input_length", "output_length", "hash_ids", "text_input",
    "messages",  "payload",      "session_id",    "delay"};

bool is_dynamo_schema(simdjson::ondemand::value value) {
  std::string_view schema;
  return !value.get_string().get(schema) && schema.starts_with("dynamo.request.trace");
}

Detection from_json_object(std::string_view line) {
  simdjson::padded_string text(line);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(text).get(doc) || doc.get_object().get(object)) {
    return {InputKind::kTrace, Format::kMooncake, std::string(description(Format::kMooncake))};
  }
  std::vector<std::string> keys;
  bool dynamo = false;
  // Keys up to the first JSON error: the line may be cut short or broken further on.
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) break;
    keys.emplace_back(key);
    if (key == "schema") {
      dynamo = dynamo || is_dynamo_schema(field.value());
    } else if (key == "event") {
      // Dynamo's JSONL sink may wrap each event: {"timestamp": …, "event": {"schema": …}}.
      simdjson::ondemand::object event;
      if (!field.value().get_object().get(event)) {
        for (auto inner : event) {
          std::string_view inner_key;
          if (inner.unescaped_key().get(inner_key)) break;
          if (inner_key == "schema") {
            dynamo = dynamo || is_dynamo_schema(inner.value());
            break;
          }
        }
      }
    }
  }
  const auto has = [&](std::string_view k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  if (dynamo) return {InputKind::kTrace, Format::kDynamo, "a Dynamo request trace"};
  // A Bailian trace that kvtrace has read and written back keeps chat_id as an extra field
  // but has its session_id: it is Mooncake JSONL now, with timestamps in ms.
  if (has("chat_id") && !has("session_id")) {
    return {InputKind::kTrace, Format::kBailian, "a Bailian (Qwen) trace"};
  }
  if (has("body")) {
    return {InputKind::kRequests, Format::kMooncake,
            "a requests file (one OpenAI request body per line, as `kvtrace materialize` "
            "writes)"};
  }
  if ((has("tokens") || has("prompt")) && !has("input_length")) {
    return {InputKind::kConversations, Format::kMooncake,
            "a conversations file (prompts as tokens or text)"};
  }
  if (keys.empty() || std::any_of(kMooncakeKeys.begin(), kMooncakeKeys.end(), has)) {
    return {InputKind::kTrace, Format::kMooncake, std::string(description(Format::kMooncake))};
  }
  return {InputKind::kOther, Format::kMooncake,
          "JSON lines with fields " + joined(keys, 6) + ", none of a Mooncake request's"};
}

}  // namespace

Detection detect_input(std::string_view head) {
  if (head.starts_with("\x1f\x8b")) return {InputKind::kOther, Format::kMooncake, "gzip data"};
  if (head.starts_with("\x28\xb5\x2f\xfd")) {
    return {InputKind::kOther, Format::kMooncake, "zstd data"};
  }
  const std::string_view line = first_text_line(head);
  if (line.empty()) return {InputKind::kEmpty, Format::kMooncake, "an empty file"};
  if (is_binary(line)) return {InputKind::kOther, Format::kMooncake, "binary data"};
  if (line.front() == '{') return from_json_object(line);
  if (line.front() == '[') {
    return {InputKind::kOther, Format::kMooncake, "a JSON array (not one JSON object per line)"};
  }
  if (line.find(',') != std::string_view::npos) return from_csv_header(line);
  return {InputKind::kOther, Format::kMooncake, "text that is neither JSON lines nor CSV"};
}

std::string not_a_trace(const Detection& d) {
  const std::string head = "this looks like " + d.looks_like + ": ";
  switch (d.kind) {
    case InputKind::kRequests:
      return head + "`kvtrace replay` sends it; this command reads a trace";
    case InputKind::kConversations:
      return head + "`kvtrace hash` turns it into a trace";
    default:
      return head +
             "kvtrace reads Mooncake JSONL, Dynamo request traces, Bailian traces, BurstGPT and "
             "Azure CSVs (docs/formats.md); --format-in names the format if it is one of them";
  }
}

}  // namespace kvtrace::formats
