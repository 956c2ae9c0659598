#pragma once
// Session grouping as AIPerf's loader does it (reference 1.1): requests that share a
// session_id are the turns of one session in file order; sessions are ordered by their
// first appearance; a request without session_id is a session of its own.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "kvtrace/trace/request.hpp"

namespace kvtrace::trace {

struct Session {
  std::string id;                  // the session_id, or "session_%06d" for anonymous ones
  std::vector<std::size_t> turns;  // indices into the request list, in file order
};

// Anonymous sessions are named "session_000000", "session_000001", ... in file order, like
// AIPerf's seeded session id generator.
std::vector<Session> group_sessions(std::span<const Request> requests);

// The request indices in session order: the turns of the first session, then those of the
// next, ... (AIPerf processes grouped sessions in this order). Without any session_id it is
// the file order. Cheaper than group_sessions for large traces (no per-session storage).
std::vector<std::size_t> session_order(std::span<const Request> requests);

}  // namespace kvtrace::trace
