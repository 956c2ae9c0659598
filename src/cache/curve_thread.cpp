#include "kvtrace/cache/curve_thread.hpp"

namespace kvtrace::cache {

void CurveThread::Batch::add(std::span<const std::uint64_t> blocks, std::int64_t input_length,
                             const trace::CachedTokensField& cached) {
  ids.insert(ids.end(), blocks.begin(), blocks.end());
  ends.push_back(ids.size());
  input_lengths.push_back(input_length);
  // Kept from the first request that carries the field on, earlier ones without it.
  if (cached.present || !cached_tokens.empty()) {
    cached_tokens.resize(ends.size() - 1);
    cached_tokens.push_back(cached);
  }
}

CurveThread::CurveThread(std::uint32_t block_size)
    : curve_(block_size), thread_([this] { run(); }) {}

CurveThread::~CurveThread() {
  close();
}

void CurveThread::push(Batch batch) {
  std::unique_lock lock(mutex_);
  room_.wait(lock, [&] { return queue_.size() < kMaxQueued || failed_; });
  if (failed_) return;  // finish() rethrows the error
  queue_.push_back(std::move(batch));
  ready_.notify_one();
}

HitCurve CurveThread::finish() {
  close();
  if (error_) std::rethrow_exception(error_);
  return curve_.finish();
}

void CurveThread::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void CurveThread::run() {
  for (;;) {
    Batch b;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty()) return;
      b = std::move(queue_.front());
      queue_.pop_front();
    }
    room_.notify_one();
    try {
      if (b.reserve_accesses > 0) curve_.reserve(b.reserve_distinct, b.reserve_accesses);
      const std::span<const std::uint64_t> ids(b.ids);
      std::uint64_t begin = 0;
      for (std::size_t i = 0; i < b.ends.size(); ++i) {
        const auto blocks = ids.subspan(begin, b.ends[i] - begin);
        if (b.cached_tokens.empty()) {
          curve_.add(blocks, b.input_lengths[i]);
        } else {
          curve_.add(blocks, b.input_lengths[i], b.cached_tokens[i]);
        }
        begin = b.ends[i];
      }
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
      failed_ = true;
      room_.notify_one();
      return;
    }
  }
}

}  // namespace kvtrace::cache
