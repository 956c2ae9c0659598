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

std::vector<std::size_t> session_order(std::span<const Request> requests) {
  std::vector<std::size_t> order(requests.size());
  // Session number of each request, by first appearance; anonymous requests get their own.
  std::vector<std::size_t> session(requests.size());
  boost::unordered_flat_map<std::string_view, std::size_t> by_id;
  std::size_t sessions = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!requests[i].session_id) {
      session[i] = sessions++;
      continue;
    }
    const auto [it, inserted] = by_id.try_emplace(*requests[i].session_id, sessions);
    if (inserted) ++sessions;
    session[i] = it->second;
  }
  // A stable counting sort by session number keeps the turns in file order.
  std::vector<std::size_t> start(sessions + 1, 0);
  for (std::size_t s : session) ++start[s + 1];
  for (std::size_t s = 0; s < sessions; ++s) start[s + 1] += start[s];
  for (std::size_t i = 0; i < requests.size(); ++i) order[start[session[i]]++] = i;
  return order;
}

}  // namespace kvtrace::trace
