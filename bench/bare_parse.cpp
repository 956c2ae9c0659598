// The baseline for `kvtrace analyze` and `convert`: a bare simdjson pass over a JSONL file
// that parses every field of every line and does nothing else (no validation messages, no
// analysis). It uses simdjson's fastest path for JSONL, iterate_many over the whole file.
//
//   bare_parse TRACE         a Mooncake trace: prints requests, hash ids and a checksum (so
//                            nothing is optimised away)
//   bare_parse --any FILE    any JSONL (a Dynamo request trace): every value of every line,
//                            nested ones too; prints lines, numbers and a checksum

#include <fmt/format.h>
#include <simdjson.h>

#include <cstdint>
#include <string_view>

namespace od = simdjson::ondemand;

struct Tally {
  std::uint64_t numbers = 0;
  std::uint64_t checksum = 0;
};

// Every value under `v`: numbers parsed, strings unescaped. False on a parse error.
bool visit(od::value v, Tally& t) {
  od::json_type type;
  if (v.type().get(type)) return false;
  switch (type) {
    case od::json_type::object:
      for (auto field : v.get_object()) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return false;
        t.checksum += key.size();
        if (!visit(field.value(), t)) return false;
      }
      return true;
    case od::json_type::array:
      for (auto item : v.get_array()) {
        od::value element;
        if (item.get(element) || !visit(element, t)) return false;
      }
      return true;
    case od::json_type::number: {
      od::number n;
      if (v.get_number().get(n)) return false;
      ++t.numbers;
      t.checksum += n.is_uint64()  ? n.get_uint64()
                    : n.is_int64() ? static_cast<std::uint64_t>(n.get_int64())
                                   : static_cast<std::uint64_t>(n.get_double());
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) return false;
      t.checksum += s.size();
      return true;
    }
    case od::json_type::boolean:
      t.checksum += v.get_bool().value_unsafe() ? 1 : 0;
      return true;
    default:
      return !v.is_null().error();
  }
}

int main(int argc, char** argv) {
  const bool any = argc == 3 && std::string_view(argv[1]) == "--any";
  if (argc != 2 && !any) {
    fmt::print(stderr, "usage: bare_parse TRACE | bare_parse --any FILE\n");
    return 64;
  }
  simdjson::padded_string json;
  if (auto e = simdjson::padded_string::load(argv[argc - 1]).get(json)) {
    fmt::print(stderr, "bare_parse: {}\n", simdjson::error_message(e));
    return 3;
  }
  od::parser parser;
  od::document_stream docs;
  if (auto e = parser.iterate_many(json, std::size_t{1} << 20).get(docs)) {
    fmt::print(stderr, "bare_parse: {}\n", simdjson::error_message(e));
    return 2;
  }
  if (any) {
    std::uint64_t lines = 0;
    Tally t;
    for (auto doc : docs) {
      od::value root;
      if (doc.get_value().get(root) || !visit(root, t)) return 2;
      ++lines;
    }
    fmt::print("{} lines, {} numbers, checksum {}\n", lines, t.numbers, t.checksum);
    return 0;
  }
  std::uint64_t requests = 0, ids = 0, checksum = 0;
  for (auto doc : docs) {
    od::object obj;
    if (doc.get_object().get(obj)) return 2;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return 2;
      od::value v = field.value();
      if (key == "hash_ids") {
        for (auto id : v.get_array()) {
          checksum += id.get_uint64().value_unsafe();
          ++ids;
        }
      } else if (key == "timestamp") {
        checksum += static_cast<std::uint64_t>(v.get_double().value_unsafe());
      } else if (key == "input_length" || key == "output_length") {
        checksum += static_cast<std::uint64_t>(v.get_int64().value_unsafe());
      } else {
        checksum += v.raw_json_token().size();
      }
    }
    ++requests;
  }
  fmt::print("{} requests, {} hash ids, checksum {}\n", requests, ids, checksum);
  return 0;
}
