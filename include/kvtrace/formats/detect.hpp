#pragma once
// What an input looks like, from its first line: which trace format it is, or what else it
// is (a requests file, a conversations file, a CSV of unknown columns, binary data), so
// that a command given the wrong file says what the file is and which command reads it.

#include <string>
#include <string_view>

#include "kvtrace/formats/format.hpp"

namespace kvtrace::formats {

enum class InputKind {
  kTrace,          // a trace in `format`
  kEmpty,          // no line with text in what was looked at
  kRequests,       // replay's input: an OpenAI request `body` per line
  kConversations,  // kvtrace hash's input: prompts as tokens or text
  kOther,          // nothing kvtrace reads
};

struct Detection {
  InputKind kind = InputKind::kEmpty;
  Format format = Format::kMooncake;  // for kTrace
  std::string looks_like;             // e.g. "a BurstGPT CSV (header: Timestamp, Model, …)"
};

// How many bytes of an input detect_input needs at most: its first line, or this much of it.
inline constexpr std::size_t kDetectBytes = 64 * 1024;

// Looks at `head`, the first bytes of an input's text (decompressed, byte order mark
// included or not): its first line with text decides. An object that is not valid JSON is
// taken for Mooncake, whose reader then names the problem.
Detection detect_input(std::string_view head);

// The problem to report for an input a trace command cannot read: what it looks like and
// which command or flag reads it, e.g. "this looks like a requests file (…): `kvtrace
// replay` sends it; this command reads a trace".
std::string not_a_trace(const Detection& detection);

}  // namespace kvtrace::formats
