#include "kvtrace/trace/session.hpp"

#include <fmt/format.h>

#include <boost/unordered/unordered_flat_map.hpp>

namespace kvtrace::trace {

std::vector<Session> group_sessions(std::span<const Request> requests) {
  std::vector<Session> sessions;
  boost::unordered_flat_map<std::string_view, std::size_t> by_id;
  std::size_t anonymous = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    if (!r.session_id) {
      sessions.push_back({fmt::format("session_{:06d}", anonymous++), {i}});
      continue;
    }
    const auto [it, inserted] = by_id.try_emplace(*r.session_id, sessions.size());
    if (inserted) sessions.push_back({*r.session_id, {}});
    sessions[it->second].turns.push_back(i);
  }
  return sessions;
}

}  // namespace kvtrace::trace
