#pragma once
// The correctly rounded mean of doubles, as Python's `statistics.mean` returns it: the values
// are summed exactly and the exact quotient is rounded once. AIPerf's `cache_hit_rate` is
// computed this way, so kvtrace uses it where parity to the last bit matters.

#include <span>

namespace kvtrace::stats {

// values must be finite and >= 0 (throws kvtrace::UsageError otherwise); 0.0 when empty.
double exact_mean(std::span<const double> values);

}  // namespace kvtrace::stats
