#pragma once
// The completion token of the replay coroutines: an operation's error comes back as the first
// element of a tuple instead of an exception, since a failed request is a record, not a throw.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kvtrace::replay {

inline constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace kvtrace::replay
