#pragma once
// Thousands of open streams need as many file descriptors, client and server side.

#include <cstdint>

namespace kvtrace::core {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit (0 when it
// cannot be read).
std::uint64_t raise_open_file_limit();

}  // namespace kvtrace::core
