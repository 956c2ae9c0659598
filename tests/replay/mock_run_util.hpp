#pragma once
// What the replay tests that run against the in-process mock server share: a fast server and
// run options aimed at it.

#include <fmt/format.h>

#include <cstdint>

#include "kvtrace/mock/mock_server.hpp"
#include "kvtrace/replay/runner.hpp"
#include "kvtrace/replay/url.hpp"

namespace kvtrace::replay::mock_run {

// A run on `schedule` against 127.0.0.1:port, leaving SIGINT to the test runner.
inline RunOptions options(std::uint16_t port, ScheduleOptions schedule) {
  RunOptions o;
  o.client.url = Url::parse(fmt::format("http://127.0.0.1:{}", port));
  o.schedule = schedule;
  o.handle_signals = false;
  return o;
}

// A mock server with a 1 ms TTFT and 0.1 ms ITL: runs take milliseconds.
inline mock::MockServerConfig fast_server() {
  mock::MockServerConfig c;
  c.latency.ttft_ms = 1;
  c.latency.itl_ms = 0.1;
  return c;
}

}  // namespace kvtrace::replay::mock_run
