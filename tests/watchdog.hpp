#pragma once
// For tests of runs that used to hang: a call that does not return in time fails the whole
// test binary at once (a hung run is a failure, not a test that never ends). Nothing sleeps:
// the watchdog waits on a condition the call's return signals.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <utility>

namespace kvtrace::testing {

template <class F>
decltype(auto) returns_within(std::chrono::seconds limit, const char* what, F&& call) {
  struct Dog {
    std::mutex mutex;
    std::condition_variable returned;
    bool done = false;
    std::thread thread;
    ~Dog() {
      {
        std::lock_guard lock(mutex);
        done = true;
      }
      returned.notify_one();
      thread.join();
    }
  } dog;
  dog.thread = std::thread([&dog, limit, what] {
    std::unique_lock lock(dog.mutex);
    if (!dog.returned.wait_for(lock, limit, [&] { return dog.done; })) {
      std::fprintf(stderr, "FAILED: %s did not return within %lld s (hung)\n", what,
                   static_cast<long long>(limit.count()));
      std::_Exit(1);
    }
  });
  return std::forward<F>(call)();
}

}  // namespace kvtrace::testing
