#pragma once
// For tests' scripted loopback servers: one HTTP/1.1 request read off a socket.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <string>

namespace kvtrace::testing {

// The request's bytes (head and body, by its Content-Length); `head` gets the head's size.
// Whatever arrived is returned when the client goes away early.
inline std::string read_http_request(boost::asio::ip::tcp::socket& s, std::size_t& head) {
  namespace asio = boost::asio;
  std::string in;
  boost::system::error_code ec;
  head = asio::read_until(s, asio::dynamic_buffer(in), "\r\n\r\n", ec);
  const std::size_t at = in.find("Content-Length: ");
  if (ec || at == std::string::npos) return in;
  const std::size_t from = at + 16;
  const std::size_t length = std::stoul(in.substr(from, in.find("\r\n", from) - from));
  if (in.size() < head + length) {
    asio::read(s, asio::dynamic_buffer(in), asio::transfer_exactly(head + length - in.size()), ec);
  }
  return in;
}

}  // namespace kvtrace::testing
