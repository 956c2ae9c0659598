#pragma once
// The server's address from --url: http://host[:port][/base] or https://… (TLS).

#include <cstdint>
#include <string>

namespace kvtrace::replay {

struct Url {
  bool tls = false;
  std::string host;  // without brackets for IPv6 literals
  std::uint16_t port = 80;
  std::string base_path;  // "" or "/prefix" (no trailing '/'), put before the endpoint
  // The Host header's value: host, with ":port" unless it is the scheme's default.
  std::string host_header() const;

  // Throws UsageError for another scheme, an empty host or a bad port.
  static Url parse(const std::string& text);
};

}  // namespace kvtrace::replay
