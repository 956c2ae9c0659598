#include "kvtrace/formats/bailian_source.hpp"

#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <charconv>
#include <cstdlib>
#include <deque>

#include "kvtrace/trace/request_parser.hpp"

namespace kvtrace::formats {

namespace {

// One request and what links it to its session.
struct Turn {
  std::uint64_t line = 0;
  std::int64_t chat_id = 0;
  std::int64_t parent = -1;
  trace::Request request;
};

// The integer written as `raw` (JSON text), if it is one that fits in 64 bits.
std::optional<std::int64_t> integer_text(std::string_view raw) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (ec != std::errc{} || end != raw.data() + raw.size()) return std::nullopt;
  return v;
}

std::string turns_count(std::uint64_t n) {
  return std::to_string(n) + (n == 1 ? " turn" : " turns");
}

}  // namespace

trace::Number seconds_to_ms(const trace::Number& seconds) {
  constexpr std::int64_t kLimit = INT64_MAX / 1000;
  if (seconds.is_integer) {
    if (seconds.integer <= kLimit && seconds.integer >= -kLimit) {
      return trace::Number::of_int(seconds.integer * 1000);
    }
    return trace::Number::of_real(static_cast<double>(seconds.integer) * 1000.0);
  }
  // The shortest text that reads back as the same double: the digits the trace gave.
  char text[64];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, seconds.real);
  if (ec != std::errc{}) return trace::Number::of_real(seconds.real * 1000.0);
  const std::string_view s(text, static_cast<std::size_t>(end - text));
  // s = [-]digits[.digits][e[+-]exp] -> value = sign * mantissa * 10^exponent.
  bool negative = false;
  std::string mantissa;
  int exponent = 0;
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') {
    negative = true;
    ++i;
  }
  for (; i < s.size() && s[i] != 'e'; ++i) {
    if (s[i] == '.') continue;
    mantissa += s[i];
  }
  if (const std::size_t dot = s.find('.'); dot != std::string_view::npos) {
    const std::size_t stop = s.find('e') == std::string_view::npos ? s.size() : s.find('e');
    exponent -= static_cast<int>(stop - dot - 1);
  }
  if (i < s.size()) exponent += std::atoi(std::string(s.substr(i + 1)).c_str());
  exponent += 3;  // seconds -> milliseconds
  while (exponent < 0 && !mantissa.empty() && mantissa.back() == '0') {
    mantissa.pop_back();
    ++exponent;
  }
  if (exponent >= 0 && mantissa.size() + static_cast<std::size_t>(exponent) <= 18) {
    const std::string digits = mantissa + std::string(static_cast<std::size_t>(exponent), '0');
    if (const auto v = integer_text(digits)) return trace::Number::of_int(negative ? -*v : *v);
  }
  std::string scaled = negative ? "-" : "";
  scaled.append(mantissa.empty() ? "0" : mantissa).append("e").append(std::to_string(exponent));
  return trace::Number::of_real(std::strtod(scaled.c_str(), nullptr));
}

struct BailianSource::State {
  trace::RequestParser parser;
  // chat_id -> the chat_id of its session's first turn, for every turn placed so far.
  boost::unordered_flat_map<std::int64_t, std::int64_t> roots;
  // Turns whose parent has not been read yet, in file order, and who waits for whom.
  std::vector<std::optional<Turn>> parked;
  boost::unordered_flat_map<std::int64_t, std::vector<std::size_t>> waiting;
  std::deque<Turn> ready;
  bool at_end = false;
  std::uint64_t late = 0;        // turns read before their parent, placed when it came
  std::uint64_t orphans = 0;     // turns whose parent never came: first turns of their own
  std::uint64_t duplicates = 0;  // chat_ids seen before

  // Places `first` in the session of `root`, then every turn that waited for it (breadth
  // first, each level in file order).
  void place(Turn first, std::int64_t root) {
    std::deque<Turn> queue;
    queue.push_back(std::move(first));
    while (!queue.empty()) {
      Turn turn = std::move(queue.front());
      queue.pop_front();
      const auto [it, fresh] = roots.try_emplace(turn.chat_id, root);
      if (!fresh) {
        ++duplicates;
        it->second = root;  // AIPerf keeps the last turn of a chat_id
      }
      if (const auto w = waiting.find(turn.chat_id); w != waiting.end()) {
        for (const std::size_t index : w->second) {
          if (!parked[index]) continue;
          queue.push_back(std::move(*parked[index]));
          parked[index].reset();
          if (!at_end) ++late;
        }
        waiting.erase(w);
      }
      turn.request.session_id = std::to_string(root);
      ready.push_back(std::move(turn));
    }
  }

  void add(Turn turn) {
    if (turn.parent == -1 || turn.parent == turn.chat_id) {
      const std::int64_t root = turn.chat_id;
      place(std::move(turn), root);
    } else if (const auto it = roots.find(turn.parent); it != roots.end()) {
      const std::int64_t root = it->second;
      place(std::move(turn), root);
    } else {
      waiting[turn.parent].push_back(parked.size());
      parked.push_back(std::move(turn));
    }
  }

  // At the end: a turn still waiting names a parent that is not in the trace (or a cycle).
  // AIPerf walks up the parent links while the parent is in the trace and takes the turn it
  // stops at, one whose parent is missing, as the session's first.
  void finish() {
    at_end = true;
    boost::unordered_flat_map<std::int64_t, std::size_t> parked_by_chat;
    for (std::size_t i = 0; i < parked.size(); ++i) {
      if (parked[i]) parked_by_chat[parked[i]->chat_id] = i;
    }
    for (std::size_t i = 0; i < parked.size(); ++i) {
      if (!parked[i]) continue;
      std::size_t top = i;
      boost::unordered_flat_set<std::size_t> seen;
      while (seen.insert(top).second) {
        const auto up = parked_by_chat.find(parked[top]->parent);
        if (up == parked_by_chat.end() || !parked[up->second]) break;
        top = up->second;
      }
      Turn first = std::move(*parked[top]);
      parked[top].reset();
      ++orphans;
      const std::int64_t root = first.chat_id;
      place(std::move(first), root);
    }
    parked.clear();
  }
};

BailianSource::BailianSource(std::unique_ptr<trace::LineReader> input)
    : lines_(std::move(input)), state_(std::make_unique<State>()) {}

BailianSource::~BailianSource() = default;

trace::SourceResult BailianSource::next(trace::Request& out, std::uint64_t& line,
                                        std::vector<trace::FieldProblem>& problems) {
  State& s = *state_;
  trace::Line text;
  while (true) {
    if (!s.ready.empty()) {
      line = s.ready.front().line;
      out = std::move(s.ready.front().request);
      s.ready.pop_front();
      return trace::SourceResult::kRequest;
    }
    if (s.at_end) return trace::SourceResult::kEnd;
    if (!lines_->next(text)) {
      s.finish();
      continue;
    }
    ++line_count_;
    line = text.number;
    if (auto p = trace::unread_line_problem(text, *lines_)) {
      problems.push_back(std::move(*p));
      return trace::SourceResult::kBad;
    }
    if (trace::is_blank(text.text)) {
      ++blank_lines_;
      continue;
    }
    Turn turn;
    turn.line = text.number;
    const std::size_t before = problems.size();
    // Bailian's fields beside chat_id, parent_chat_id, type and turn are Mooncake's own.
    if (!s.parser.parse(text, turn.request, problems)) {
      for (std::size_t i = before; i < problems.size(); ++i) {
        if (problems[i].field != "timestamp") continue;
        const std::size_t at = problems[i].problem.find("(milliseconds)");
        if (at != std::string::npos) problems[i].problem.replace(at, 14, "(seconds)");
      }
      return trace::SourceResult::kBad;
    }
    std::optional<std::int64_t> chat_id;
    for (const trace::ExtraField& f : turn.request.extra) {
      if (f.key == "chat_id" || f.key == "parent_chat_id" || f.key == "turn") {
        const auto v = integer_text(f.raw_value);
        if (f.raw_value == "null" && f.key != "chat_id") continue;
        if (!v) {
          problems.push_back({f.key, "expected an integer, got " + f.raw_value.substr(0, 40)});
        } else if (f.key == "chat_id") {
          chat_id = v;
        } else if (f.key == "parent_chat_id") {
          turn.parent = *v;
        }
      } else if (f.key == "type" && f.raw_value != "null" && f.raw_value.front() != '"') {
        problems.push_back({"type", "expected a string, got " + f.raw_value.substr(0, 40)});
      }
    }
    const bool has_chat_id = std::any_of(turn.request.extra.begin(), turn.request.extra.end(),
                                         [](const auto& f) { return f.key == "chat_id"; });
    if (!has_chat_id) problems.push_back({"chat_id", "missing"});
    if (!turn.request.timestamp) problems.push_back({"timestamp", "missing"});
    if (!turn.request.output_length) problems.push_back({"output_length", "missing"});
    if (problems.size() != before) return trace::SourceResult::kBad;
    turn.chat_id = *chat_id;
    turn.request.timestamp = seconds_to_ms(*turn.request.timestamp);
    s.add(std::move(turn));
  }
}

std::vector<std::string> BailianSource::notes() const {
  std::vector<std::string> notes;
  const State& s = *state_;
  if (s.late > 0) {
    notes.push_back(turns_count(s.late) +
                    (s.late == 1 ? " came before the turn its parent_chat_id names and was read "
                                   "after it"
                                 : " came before the turns their parent_chat_id names and were "
                                   "read after them"));
  }
  if (s.orphans > 0) {
    notes.push_back(turns_count(s.orphans) +
                    (s.orphans == 1 ? " names a parent_chat_id that is not in the trace: it "
                                      "starts a session of its own, as in AIPerf"
                                    : " name a parent_chat_id that is not in the trace: each "
                                      "starts a session of its own, as in AIPerf"));
  }
  if (s.duplicates > 0) {
    notes.push_back(std::to_string(s.duplicates) +
                    (s.duplicates == 1 ? " chat_id appears" : " chat_ids appear") +
                    " more than once: a later turn naming one joins the session of its last "
                    "appearance");
  }
  return notes;
}

}  // namespace kvtrace::formats
