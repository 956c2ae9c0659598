#include "kvtrace/replay/sse_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kvtrace::replay {
namespace {

// Feeds `stream` split at every given size in turn and returns the events.
std::vector<std::string> parse(std::string_view stream, std::size_t piece, SseParser& p) {
  std::vector<std::string> events;
  const auto on_event = [&](std::string_view data) { events.emplace_back(data); };
  for (std::size_t i = 0; i < stream.size(); i += piece) {
    p.feed(stream.substr(i, piece), on_event);
  }
  p.finish(on_event);
  return events;
}

std::vector<std::string> parse(std::string_view stream, std::size_t piece = 1 << 20) {
  SseParser p;
  return parse(stream, piece, p);
}

TEST(SseParser, DataEventsEndAtBlankLines) {
  EXPECT_EQ(parse("data: {\"a\":1}\n\ndata: [DONE]\n\n"),
            (std::vector<std::string>{"{\"a\":1}", "[DONE]"}));
}

TEST(SseParser, EverySplitGivesTheSameEvents) {
  const std::string stream =
      ": keep-alive\r\n\r\nevent: message\r\ndata: one\r\ndata:two\r\n\r\nid: 7\rdata: three\r\r"
      "data:  four\n\ndata: [DONE]\n\n";
  const std::vector<std::string> expected{"one\ntwo", "three", " four", "[DONE]"};
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    EXPECT_EQ(parse(stream, piece), expected) << "pieces of " << piece << " bytes";
  }
}

TEST(SseParser, CrLfSplitBetweenFeedsIsOneLineEnd) {
  SseParser p;
  std::vector<std::string> events;
  const auto on_event = [&](std::string_view d) { events.emplace_back(d); };
  p.feed("data: x\r", on_event);
  p.feed("\n", on_event);
  EXPECT_TRUE(events.empty());  // "\r\n" ended one line, not two: no blank line yet
  p.feed("\r\n", on_event);
  EXPECT_EQ(events, std::vector<std::string>{"x"});
}

TEST(SseParser, CountsCommentsAndUnknownLines) {
  SseParser p;
  const auto events = parse(": ping\n\nfoo: bar\nnocolon\ndata: a\n\n", 3, p);
  EXPECT_EQ(events, std::vector<std::string>{"a"});
  EXPECT_EQ(p.comments(), 1u);
  EXPECT_EQ(p.unknown_lines(), 2u);
  EXPECT_EQ(p.events(), 1u);
}

TEST(SseParser, EventWithoutDataIsNotDispatched) {
  EXPECT_TRUE(parse("event: ping\nid: 3\n\n\n\n").empty());
}

TEST(SseParser, LastEventWithoutBlankLineIsDispatchedAtTheEnd) {
  SseParser p;
  EXPECT_EQ(parse("data: last\n", 4, p), std::vector<std::string>{"last"});
  EXPECT_EQ(p.truncated_lines(), 0u);
}

TEST(SseParser, PartialLineAtTheEndIsCountedTruncated) {
  SseParser p;
  EXPECT_EQ(parse("data: a\n\ndata: cut", 5, p), std::vector<std::string>{"a"});
  EXPECT_EQ(p.truncated_lines(), 1u);
}

TEST(SseParser, OversizedEventIsDroppedAndCounted) {
  SseParser p(16);
  const auto events = parse("data: 0123456789abcdefXYZ\n\ndata: ok\n\n", 4, p);
  EXPECT_EQ(events, std::vector<std::string>{"ok"});
  EXPECT_EQ(p.oversized_events(), 1u);
}

// A line is over the limit by its whole length, "data: " included, whole or in pieces (the
// fuzzer found pieces and whole lines judged differently: fuzz/regressions/sse_parser/).
TEST(SseParser, ALineOverTheLimitIsJudgedTheSameHoweverItArrives) {
  // "data: 1234" is 10 bytes, over 8, though its data (4 bytes) is not; "data: ab" is 8.
  const std::string stream = "data: 1234\n\ndata: ab\n\na:0123456";
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    SseParser p(8);
    EXPECT_EQ(parse(stream, piece, p), std::vector<std::string>{"ab"}) << piece;
    EXPECT_EQ(p.oversized_events(), 2u) << piece;  // the first event, and the cut last line's
    EXPECT_EQ(p.truncated_lines(), 1u) << piece;
    EXPECT_EQ(p.unknown_lines(), 0u) << piece;
  }
}

TEST(SseParser, AnOversizedEventIsKnownBeforeItEnds) {
  SseParser p(16);
  const auto ignore = [](std::string_view) {};
  p.feed("data: 0123456789", ignore);
  EXPECT_FALSE(p.in_oversized_event());
  p.feed("abcdefXYZ", ignore);  // a line beyond the limit, not ended yet
  EXPECT_TRUE(p.in_oversized_event());
  EXPECT_EQ(p.oversized_events(), 0u);
  p.feed("\n\n", ignore);
  EXPECT_FALSE(p.in_oversized_event());
  EXPECT_EQ(p.oversized_events(), 1u);
}

TEST(SseParser, EventDataIsPaddedForInPlaceParsing) {
  SseParser p;
  std::size_t checked = 0;
  p.feed("data: {}\n\n", [&](std::string_view d) {
    // The padding bytes are readable (ASan would flag them otherwise) and not part of data.
    EXPECT_EQ(d, "{}");
    EXPECT_EQ(std::string_view(d.data(), d.size() + SseParser::kPadding).substr(2, 1), " ");
    ++checked;
  });
  EXPECT_EQ(checked, 1u);
}

TEST(SseParser, ResetStartsANewStream) {
  SseParser p;
  std::vector<std::string> events;
  const auto on_event = [&](std::string_view d) { events.emplace_back(d); };
  p.feed("data: half", on_event);
  p.reset();
  p.feed("data: new\n\n", on_event);
  EXPECT_EQ(events, std::vector<std::string>{"new"});
  EXPECT_EQ(p.events(), 1u);
}

}  // namespace
}  // namespace kvtrace::replay
