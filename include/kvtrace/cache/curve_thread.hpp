#pragma once
// An LruCurve on a thread of its own, fed requests in batches while the caller reads the
// trace: the curve is the longest part of a pass that computes it, and reading leaves a core
// idle (kvtrace report's curve; one per worker in WorkerCurves). The queue holds a few
// batches at most, so memory stays bounded when the curve falls behind; push() then waits.
//
// Contract: push() and finish() from one thread; finish() once. An error of the curve (a
// LimitError past 2^32 distinct blocks) comes back from finish(); the destructor stops the
// thread without throwing.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/trace/measured_cache.hpp"

namespace kvtrace::cache {

class CurveThread {
 public:
  struct Batch {
    std::vector<std::uint64_t> ids;   // the requests' hash ids, end to end
    std::vector<std::uint64_t> ends;  // request i's ids end at ends[i]
    std::vector<std::int64_t> input_lengths;
    // Per request, or empty when no request of the batch carries cached_tokens.
    std::vector<trace::CachedTokensField> cached_tokens;
    // LruCurve::reserve's hints, applied before the batch when accesses > 0.
    std::uint64_t reserve_distinct = 0;
    std::uint64_t reserve_accesses = 0;

    // Appends one request.
    void add(std::span<const std::uint64_t> blocks, std::int64_t input_length,
             const trace::CachedTokensField& cached = {});
    bool empty() const { return ends.empty() && reserve_accesses == 0; }
  };

  explicit CurveThread(std::uint32_t block_size);
  ~CurveThread();
  CurveThread(const CurveThread&) = delete;
  CurveThread& operator=(const CurveThread&) = delete;

  void push(Batch batch);
  // Waits for every batch pushed; rethrows the curve's error.
  HitCurve finish();

 private:
  static constexpr std::size_t kMaxQueued = 8;

  void close();
  void run();

  LruCurve curve_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable room_;
  std::deque<Batch> queue_;  // guarded by mutex_
  bool closed_ = false;      // guarded by mutex_
  bool failed_ = false;      // guarded by mutex_
  std::exception_ptr error_;
  std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace kvtrace::cache
