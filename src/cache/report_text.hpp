#pragma once
// What the cache part's reports (report.cpp, target_report.cpp) say alike.

#include <string>
#include <string_view>

#include "kvtrace/cache/cluster_sim.hpp"

namespace kvtrace::cache {

// UsageError: the format is none of table, json and csv.
[[noreturn]] void unknown_format(std::string_view format);

// The timing model in words: "none", or "timestamps, prefill 10000 tok/s, decode 50 tok/s".
std::string timing_text(const TimingConfig& t);

// The timing model in one word, for a CSV column: none, timestamps or closed-loop.
std::string_view timing_kind(const TimingConfig& t);

// A rate's share of its ideal (1 when the ideal is 0: nothing could be hit).
double share_of_ideal(double rate, double ideal);

// A CSV cell for free text: quoted, quotes doubled, when it holds a comma, quote or newline.
std::string csv_cell(std::string_view text);

}  // namespace kvtrace::cache
