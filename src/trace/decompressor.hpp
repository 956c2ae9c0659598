#pragma once
// A gzip or zstd stream decompressed on a thread of its own, so that decompression overlaps
// with the parsing of the lines already handed over. The text passes through a bounded queue
// of a few 1 MiB chunks; the thread stops (also when blocked reading a pipe) and is joined
// when the Decompressor is destroyed.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kvtrace/trace/compression.hpp"

namespace kvtrace::trace {

class Decompressor {
 public:
  // Decompresses what `fd` holds after `head`, the bytes already read from it. `fd` is not
  // owned and must stay open while this lives. `name` names the input in messages;
  // `total_bytes`, its size when known, is given in them too. c must not be kNone.
  Decompressor(Compression c, int fd, std::string head, std::string name,
               std::optional<std::uint64_t> total_bytes);
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Copies up to `size` bytes of text to `dst` and returns how many: waits for the first one,
  // not for more. 0 at the end of the stream, after all its text. Throws IoError when
  // reading the input failed, after the text before it was read.
  std::size_t read(char* dst, std::size_t size);

  // After read() returned 0: why the stream ended before its end ("" when it ended well):
  // truncated, or corrupt, with the offsets where.
  const std::string& problem() const { return problem_; }

  // The compressed bytes consumed to produce the first `text` bytes read, interpolated
  // within a chunk: for progress. `text` must be at least what forget_before() was given.
  std::uint64_t input_position(std::uint64_t text) const;
  // Drops what input_position() needs only for offsets below `text`.
  void forget_before(std::uint64_t text);

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
    std::uint64_t input_end = 0;  // compressed bytes consumed when the chunk was closed
  };
  struct Mark {
    std::uint64_t text = 0;   // text bytes up to the end of a chunk
    std::uint64_t input = 0;  // its input_end
  };

  void run();
  void decompress();
  // Reads compressed input after the head; 0 at its end, nullopt once asked to stop.
  std::optional<std::size_t> read_input(char* dst, std::size_t size);
  // The next empty chunk, nullptr once asked to stop.
  std::unique_ptr<Chunk> take_free();
  void put_full(std::unique_ptr<Chunk> chunk);

  const Compression compression_;
  const int fd_;
  std::string head_;
  const std::string name_;
  const std::optional<std::uint64_t> total_bytes_;
  int wake_fd_ = -1;  // an eventfd that interrupts the thread's wait for input

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Chunk>> free_;
  std::deque<std::unique_ptr<Chunk>> full_;
  bool finished_ = false;  // the thread put its last chunk
  bool stop_ = false;      // the reader is going away
  std::exception_ptr error_;
  std::string thread_problem_;

  // The reader's side.
  std::unique_ptr<Chunk> current_;
  std::size_t current_at_ = 0;
  std::uint64_t text_delivered_ = 0;
  std::string problem_;
  Mark base_;
  std::deque<Mark> marks_;

  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace kvtrace::trace
