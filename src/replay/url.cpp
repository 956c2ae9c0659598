#include "kvtrace/replay/url.hpp"

#include <fmt/format.h>

#include <charconv>

#include "kvtrace/core/error.hpp"

namespace kvtrace::replay {

std::string Url::host_header() const {
  const std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port == (tls ? 443 : 80)) return name;
  return fmt::format("{}:{}", name, port);
}

Url Url::parse(const std::string& text) {
  const auto fail = [&](std::string_view why) {
    return UsageError("url",
                      fmt::format("{}: {} (expected http://host:port or https://host)", text, why));
  };
  Url url;
  std::string_view rest = text;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
    url.tls = true;
    url.port = 443;
  } else {
    throw fail("the scheme must be http or https");
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    url.base_path = path;
  }
  std::string_view port;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) throw fail("unclosed '[' in the host");
    url.host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw fail("unexpected text after the host");
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) throw fail("no host");
  if (!port.empty() || authority.ends_with(":")) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      throw fail(fmt::format("bad port \"{}\"", port));
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace kvtrace::replay
