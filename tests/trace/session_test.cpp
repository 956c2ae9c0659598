#include "kvtrace/trace/session.hpp"

#include <gtest/gtest.h>

namespace kvtrace::trace {
namespace {

Request turn(std::optional<std::string> session) {
  Request r;
  r.input_length = 1;
  r.session_id = std::move(session);
  return r;
}

TEST(GroupSessions, TurnsInFileOrderSessionsByFirstAppearance) {
  const std::vector<Request> requests = {turn("b"), turn(std::nullopt), turn("a"),
                                         turn("b"), turn(std::nullopt), turn("a"),
                                         turn("b")};
  const auto sessions = group_sessions(requests);
  ASSERT_EQ(sessions.size(), 4u);
  EXPECT_EQ(sessions[0].id, "b");
  EXPECT_EQ(sessions[0].turns, (std::vector<std::size_t>{0, 3, 6}));
  EXPECT_EQ(sessions[1].id, "session_000000");
  EXPECT_EQ(sessions[1].turns, (std::vector<std::size_t>{1}));
  EXPECT_EQ(sessions[2].id, "a");
  EXPECT_EQ(sessions[2].turns, (std::vector<std::size_t>{2, 5}));
  EXPECT_EQ(sessions[3].id, "session_000001");
}

TEST(GroupSessions, EveryRequestWithoutSessionIsItsOwnSession) {
  const std::vector<Request> requests(3, turn(std::nullopt));
  EXPECT_EQ(group_sessions(requests).size(), 3u);
  EXPECT_TRUE(group_sessions({}).empty());
}

TEST(SessionOrder, TurnsOfEachSessionTogetherInFirstAppearanceOrder) {
  const std::vector<Request> requests = {turn("b"), turn(std::nullopt), turn("a"),
                                         turn("b"), turn(std::nullopt), turn("a"),
                                         turn("b")};
  EXPECT_EQ(session_order(requests), (std::vector<std::size_t>{0, 3, 6, 1, 2, 5, 4}));
  // The same order group_sessions gives.
  std::vector<std::size_t> grouped;
  for (const auto& s : group_sessions(requests))
    grouped.insert(grouped.end(), s.turns.begin(), s.turns.end());
  EXPECT_EQ(session_order(requests), grouped);
}

TEST(SessionOrder, FileOrderWithoutSessions) {
  const std::vector<Request> requests(4, turn(std::nullopt));
  EXPECT_EQ(session_order(requests), (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_TRUE(session_order({}).empty());
}

}  // namespace
}  // namespace kvtrace::trace
