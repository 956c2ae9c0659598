#pragma once
// Reading JSON in tests: parse_json(text)["runs"][0]["block_hit_rate"].as_double(). A missing
// key, an index out of range or a value of another type is a gtest failure at the caller's
// line, naming the path ($.runs[0].block_hit_rate), and the accessor returns a neutral value
// (0, NaN, "") instead of crashing the test binary.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <ostream>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kvtrace::testing {

class Json {
 public:
  using Location = std::source_location;

  // A member or an element. Looking into a value that is not there gives a Json that keeps
  // the reason, reported by whichever accessor reads it (there the caller's line is known).
  Json operator[](std::string_view key) const {
    const std::string path = path_ + "." + std::string(key);
    if (!ok()) return broken(path, error_);
    simdjson::dom::object object;
    if (element_.get_object().get(object) != simdjson::SUCCESS) {
      return broken(path, "cannot look up \"" + std::string(key) + "\" in " + describe());
    }
    simdjson::dom::element member;
    if (object.at_key(key).get(member) != simdjson::SUCCESS) {
      std::string keys;
      for (const auto field : object) {
        keys += keys.empty() ? "" : ", ";
        keys += std::string(field.key);
      }
      return broken(
          path, "no key \"" + std::string(key) + "\" in " + path_ + " (its keys: " + keys + ")");
    }
    return Json(doc_, member, path);
  }
  Json operator[](std::size_t index) const {
    const std::string path = path_ + "[" + std::to_string(index) + "]";
    if (!ok()) return broken(path, error_);
    simdjson::dom::array array;
    if (element_.get_array().get(array) != simdjson::SUCCESS) {
      return broken(path, "cannot index " + describe());
    }
    simdjson::dom::element item;
    if (array.at(index).get(item) != simdjson::SUCCESS) {
      return broken(path, "index " + std::to_string(index) + " is past the end of " + path_ + " (" +
                              std::to_string(array.size()) + " elements)");
    }
    return Json(doc_, item, path);
  }

  // Any JSON number.
  double as_double(Location loc = Location::current()) const {
    double v = 0;  // simdjson reads integers as doubles too
    if (readable(loc) && element_.get_double().get(v) == simdjson::SUCCESS) return v;
    if (ok()) fail(loc, "expected a number, got " + describe());
    return std::numeric_limits<double>::quiet_NaN();
  }
  // An integer written without a fraction or exponent ("5", not "5.0"), >= 0.
  std::uint64_t as_uint(Location loc = Location::current()) const {
    if (!readable(loc)) return 0;
    std::uint64_t v = 0;
    if (element_.get_uint64().get(v) == simdjson::SUCCESS) return v;
    fail(loc, "expected a non-negative integer, got " + describe());
    return 0;
  }
  std::int64_t as_int(Location loc = Location::current()) const {
    if (!readable(loc)) return 0;
    std::int64_t v = 0;
    if (element_.get_int64().get(v) == simdjson::SUCCESS) return v;
    fail(loc, "expected an integer, got " + describe());
    return 0;
  }
  std::string as_string(Location loc = Location::current()) const {
    if (!readable(loc)) return "";
    std::string_view v;
    if (element_.get_string().get(v) == simdjson::SUCCESS) return std::string(v);
    fail(loc, "expected a string, got " + describe());
    return "";
  }
  bool as_bool(Location loc = Location::current()) const {
    if (!readable(loc)) return false;
    bool v = false;
    if (element_.get_bool().get(v) == simdjson::SUCCESS) return v;
    fail(loc, "expected true or false, got " + describe());
    return false;
  }
  bool is_null(Location loc = Location::current()) const {
    return readable(loc) && element_.is_null();
  }
  // The elements of an array or the members of an object.
  std::size_t size(Location loc = Location::current()) const {
    if (!readable(loc)) return 0;
    simdjson::dom::array array;
    if (element_.get_array().get(array) == simdjson::SUCCESS) return array.size();
    simdjson::dom::object object;
    if (element_.get_object().get(object) == simdjson::SUCCESS) return object.size();
    fail(loc, "expected an array or an object, got " + describe());
    return 0;
  }
  // An array of non-negative integers (hash ids, token ids).
  std::vector<std::uint64_t> as_uints(Location loc = Location::current()) const {
    std::vector<std::uint64_t> out;
    for (const Json& item : items(loc)) out.push_back(item.as_uint(loc));
    return out;
  }
  // Whether an object has `key` (a failure when this is not an object).
  bool has(std::string_view key, Location loc = Location::current()) const {
    if (!readable(loc)) return false;
    simdjson::dom::object object;
    if (element_.get_object().get(object) != simdjson::SUCCESS) {
      fail(loc, "expected an object, got " + describe());
      return false;
    }
    return object.at_key(key).error() == simdjson::SUCCESS;
  }
  // The keys of an object, in document order.
  std::vector<std::string> keys(Location loc = Location::current()) const {
    std::vector<std::string> out;
    if (!readable(loc)) return out;
    simdjson::dom::object object;
    if (element_.get_object().get(object) != simdjson::SUCCESS) {
      fail(loc, "expected an object, got " + describe());
      return out;
    }
    for (const auto field : object) out.emplace_back(field.key);
    return out;
  }
  // The elements of an array, for range-for.
  std::vector<Json> items(Location loc = Location::current()) const {
    std::vector<Json> out;
    if (!readable(loc)) return out;
    simdjson::dom::array array;
    if (element_.get_array().get(array) != simdjson::SUCCESS) {
      fail(loc, "expected an array, got " + describe());
      return out;
    }
    std::size_t i = 0;
    for (const simdjson::dom::element item : array) {
      out.push_back(Json(doc_, item, path_ + "[" + std::to_string(i++) + "]"));
    }
    return out;
  }

  // False when a lookup on the way here failed (see error()).
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  // The value as minified JSON ("" when not ok()).
  std::string dump() const { return ok() ? simdjson::minify(element_) : ""; }

  friend std::ostream& operator<<(std::ostream& os, const Json& j) {
    return os << (j.ok() ? j.dump() : "<" + j.error() + ">");
  }

 private:
  friend Json parse_json(const std::string& text, std::source_location loc);

  // The parser owns the document every element of it points into.
  using Document = std::shared_ptr<simdjson::dom::parser>;

  Json(Document doc, simdjson::dom::element element, std::string path)
      : doc_(std::move(doc)), element_(element), path_(std::move(path)) {}

  Json broken(std::string path, std::string error) const {
    Json j(doc_, element_, std::move(path));
    j.error_ = std::move(error);
    return j;
  }

  // Reports the failed lookup that led here, if any.
  bool readable(const Location& loc) const {
    if (!ok()) fail(loc, error_);
    return ok();
  }

  std::string describe() const {
    std::string text = simdjson::minify(element_);
    if (text.size() > 200) text = text.substr(0, 200) + "...";
    return path_ + " = " + text;
  }

  void fail(const Location& loc, const std::string& message) const {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << "JSON " << path_ << ": " << message;
  }

  Document doc_;
  simdjson::dom::element element_;
  std::string path_;
  std::string error_;  // why this value is missing; empty when it is there
};

// Parses a JSON document; text that is not JSON is a failure at the caller's line, and gives
// a Json whose every accessor fails.
inline Json parse_json(const std::string& text,
                       std::source_location loc = std::source_location::current()) {
  auto parser = std::make_shared<simdjson::dom::parser>();
  simdjson::dom::element root;
  const simdjson::error_code error = parser->parse(text).get(root);
  if (error == simdjson::SUCCESS) return Json(std::move(parser), root, "$");
  const std::string head = text.size() > 200 ? text.substr(0, 200) + "..." : text;
  ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
      << "not JSON (" << simdjson::error_message(error) << "): " << head;
  Json j(std::move(parser), root, "$");
  j.error_ = std::string("the text did not parse as JSON: ") + simdjson::error_message(error);
  return j;
}

// Each line of a JSON Lines text, parsed; a last line without its newline is a failure.
inline std::vector<Json> parse_json_lines(
    const std::string& text, std::source_location loc = std::source_location::current()) {
  std::vector<Json> out;
  std::size_t from = 0;
  for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', from)) {
    out.push_back(parse_json(text.substr(from, nl - from), loc));
    from = nl + 1;
  }
  if (from != text.size()) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << "JSON Lines: the last line has no newline: " << text.substr(from, 200);
  }
  return out;
}

}  // namespace kvtrace::testing
