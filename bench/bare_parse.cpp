// The baseline for `kvtrace analyze`: a bare simdjson pass over a Mooncake JSONL file that
// parses every field of every line and does nothing else (no validation messages, no
// analysis). It uses simdjson's fastest path for JSONL, iterate_many over the whole file.
//
//   bare_parse TRACE     prints requests, hash ids and a checksum (so nothing is optimised away)

#include <fmt/format.h>
#include <simdjson.h>

#include <cstdint>

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: bare_parse TRACE\n");
    return 64;
  }
  namespace od = simdjson::ondemand;
  simdjson::padded_string json;
  if (auto e = simdjson::padded_string::load(argv[1]).get(json)) {
    fmt::print(stderr, "bare_parse: {}\n", simdjson::error_message(e));
    return 3;
  }
  od::parser parser;
  od::document_stream docs;
  if (auto e = parser.iterate_many(json, std::size_t{1} << 20).get(docs)) {
    fmt::print(stderr, "bare_parse: {}\n", simdjson::error_message(e));
    return 2;
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
