#include "kvtrace/trace/batch_reader.hpp"

#include <array>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace kvtrace::trace {
namespace {

// Enough batches for the reader to run ahead while the caller works on one.
constexpr std::size_t kBatches = 4;

struct Batch {
  std::vector<Request> requests;  // storage reused across rounds
  std::vector<std::uint64_t> lines;
  std::size_t size = 0;
  std::uint64_t position = 0;
};

// Batches move between the two threads through two queues guarded by one mutex.
class Exchange {
 public:
  void put_full(Batch* b) { push(full_, b); }
  void put_free(Batch* b) { push(free_, b); }
  // The next parsed batch; nullptr once the reader has finished and all were taken.
  Batch* take_full() { return pop(full_, finished_); }
  // The next batch to fill; nullptr once the consumer has stopped.
  Batch* take_free() { return pop(free_, stopped_); }
  void finish() { set(finished_); }
  void stop() { set(stopped_); }

 private:
  void push(std::deque<Batch*>& q, Batch* b) {
    std::lock_guard lock(mutex_);
    q.push_back(b);
    changed_.notify_all();
  }
  Batch* pop(std::deque<Batch*>& q, const bool& ended) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !q.empty() || ended; });
    if (q.empty() || (&q == &free_ && stopped_)) return nullptr;
    Batch* b = q.front();
    q.pop_front();
    return b;
  }
  void set(bool& flag) {
    std::lock_guard lock(mutex_);
    flag = true;
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch*> full_;
  std::deque<Batch*> free_;
  bool finished_ = false;
  bool stopped_ = false;
};

}  // namespace

void read_batched(TraceReader& reader, const BatchConsumer& consume, std::size_t batch_size) {
  std::array<Batch, kBatches> batches;
  Exchange exchange;
  for (Batch& b : batches) {
    b.requests.resize(batch_size);
    b.lines.resize(batch_size);
    exchange.put_free(&b);
  }
  std::exception_ptr reader_error;
  std::thread producer([&] {
    while (Batch* b = exchange.take_free()) {
      b->size = 0;
      bool last = false;
      try {
        while (b->size < batch_size && reader.next(b->requests[b->size])) {
          b->lines[b->size++] = reader.line();
        }
        last = b->size < batch_size;
      } catch (...) {
        // The requests before the bad line still reach the caller, then the error.
        reader_error = std::current_exception();
        last = true;
      }
      b->position = reader.input_position();
      if (b->size > 0) exchange.put_full(b);
      if (last) break;
    }
    exchange.finish();
  });

  std::exception_ptr consumer_error;
  try {
    while (Batch* b = exchange.take_full()) {
      consume({std::span<Request>(b->requests.data(), b->size),
               std::span<const std::uint64_t>(b->lines.data(), b->size), b->position});
      exchange.put_free(b);
    }
  } catch (...) {
    consumer_error = std::current_exception();
    exchange.stop();
  }
  producer.join();
  if (consumer_error) std::rethrow_exception(consumer_error);
  if (reader_error) std::rethrow_exception(reader_error);
}

}  // namespace kvtrace::trace
