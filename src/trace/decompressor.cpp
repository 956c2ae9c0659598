#include "trace/decompressor.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <span>
#include <stdexcept>
#include <string_view>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/text_table.hpp"

namespace kvtrace::trace {
namespace {

// Text per chunk, chunks in all (the reader's, the thread's and those queued between them),
// compressed bytes per read: a few MiB whatever the input's size.
constexpr std::size_t kTextChunkBytes = std::size_t{1} << 20;
constexpr std::size_t kQueuedChunks = 4;
constexpr std::size_t kInputBlockBytes = std::size_t{256} << 10;

struct DecodeStep {
  std::size_t in_used = 0;
  std::size_t out_made = 0;
  bool frame_end = false;  // a gzip member or a zstd frame ended here
  std::string error;       // the library's message when the data is corrupt
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Decodes from `in` into `out` as far as both allow.
  virtual DecodeStep step(std::string_view in, std::span<char> out) = 0;
};

class GzipDecoder final : public Decoder {
 public:
  GzipDecoder() {
    // 16 + the largest window: gzip only (no zlib or raw deflate stream).
    if (::inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw std::bad_alloc();
  }
  ~GzipDecoder() override { ::inflateEnd(&z_); }
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  DecodeStep step(std::string_view in, std::span<char> out) override {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    const int r = ::inflate(&z_, Z_NO_FLUSH);
    DecodeStep s{in.size() - z_.avail_in, out.size() - z_.avail_out};
    if (r == Z_STREAM_END) {
      // The next member, if any, starts afresh (concatenated .gz files, as zcat reads them).
      s.frame_end = true;
      ::inflateReset(&z_);
    } else if (r != Z_OK && r != Z_BUF_ERROR) {
      s.error = z_.msg != nullptr ? z_.msg : ::zError(r);
    }
    return s;
  }

 private:
  z_stream z_{};
};

class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder() : ctx_(::ZSTD_createDCtx()) {
    if (ctx_ == nullptr) throw std::bad_alloc();
  }
  ~ZstdDecoder() override { ::ZSTD_freeDCtx(ctx_); }
  ZstdDecoder(const ZstdDecoder&) = delete;
  ZstdDecoder& operator=(const ZstdDecoder&) = delete;

  DecodeStep step(std::string_view in, std::span<char> out) override {
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    // Frame after frame: the context starts the next frame by itself.
    const std::size_t r = ::ZSTD_decompressStream(ctx_, &ob, &ib);
    DecodeStep s{ib.pos, ob.pos};
    if (::ZSTD_isError(r)) {
      s.error = ::ZSTD_getErrorName(r);
    } else if (r == 0) {
      s.frame_end = true;
    }
    return s;
  }

 private:
  ZSTD_DCtx* ctx_;
};

std::unique_ptr<Decoder> make_decoder(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<GzipDecoder>();
    case Compression::kZstd:
      return std::make_unique<ZstdDecoder>();
    case Compression::kNone:
      break;
  }
  throw std::logic_error("Decompressor: no compression to decode");
}

}  // namespace

Decompressor::Decompressor(Compression c, int fd, std::string head, std::string name,
                           std::optional<std::uint64_t> total_bytes)
    : compression_(c),
      fd_(fd),
      head_(std::move(head)),
      name_(std::move(name)),
      total_bytes_(total_bytes) {
  if (c == Compression::kNone) throw std::logic_error("Decompressor: no compression to decode");
  for (std::size_t i = 0; i < kQueuedChunks; ++i) {
    auto chunk = std::make_unique<Chunk>();
    chunk->data = std::make_unique_for_overwrite<char[]>(kTextChunkBytes);
    free_.push_back(std::move(chunk));
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) throw IoError("cannot read " + name_ + ": eventfd: " + std::strerror(errno));
  try {
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    ::close(wake_fd_);
    throw;
  }
}

Decompressor::~Decompressor() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  // Wakes the thread out of a wait for input from a pipe that may never come.
  [[maybe_unused]] const int woken = ::eventfd_write(wake_fd_, 1);
  thread_.join();
  ::close(wake_fd_);
}

void Decompressor::run() {
  try {
    decompress();
  } catch (...) {
    std::lock_guard lock(mutex_);
    error_ = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  finished_ = true;
  changed_.notify_all();
}

void Decompressor::decompress() {
  const std::unique_ptr<Decoder> decoder = make_decoder(compression_);
  const auto block = std::make_unique_for_overwrite<char[]>(kInputBlockBytes);
  std::string_view pending = head_;
  std::uint64_t consumed = 0;  // compressed bytes the decoder took
  std::uint64_t text = 0;
  bool in_frame = false;  // inside a member or frame: its end not seen yet
  bool eof = false;
  std::unique_ptr<Chunk> chunk = take_free();
  if (!chunk) return;
  for (;;) {
    if (pending.empty() && !eof) {
      if (chunk->size > 0) {
        // Handed over before a read that may wait (a pipe): the text so far is not held back.
        chunk->input_end = consumed;
        put_full(std::move(chunk));
        chunk = take_free();
        if (!chunk) return;
      }
      const std::optional<std::size_t> n = read_input(block.get(), kInputBlockBytes);
      if (!n) return;
      eof = *n == 0;
      pending = std::string_view(block.get(), *n);
      continue;
    }
    if (chunk->size == kTextChunkBytes) {
      chunk->input_end = consumed;
      put_full(std::move(chunk));
      chunk = take_free();
      if (!chunk) return;
    }
    const DecodeStep s = decoder->step(
        pending, std::span<char>(chunk->data.get() + chunk->size, kTextChunkBytes - chunk->size));
    pending.remove_prefix(s.in_used);
    consumed += s.in_used;
    chunk->size += s.out_made;
    text += s.out_made;
    const std::string_view kind = compression_name(compression_);
    if (!s.error.empty()) {
      thread_problem_ = "corrupt " + std::string(kind) + " data at compressed byte " +
                        core::grouped_int(consumed) + ": " + s.error;
      break;
    }
    if (s.frame_end) {
      in_frame = false;
    } else if (s.in_used > 0) {
      in_frame = true;
    }
    if (s.in_used == 0 && s.out_made == 0) {
      if (pending.empty()) {
        // All input read and all text out.
        if (in_frame) {
          thread_problem_ = "the " + std::string(kind) +
                            " stream ends early (truncated file?) after " +
                            core::grouped_int(text) + " bytes of text, at compressed byte " +
                            core::grouped_int(consumed);
          if (total_bytes_) thread_problem_ += " of " + core::grouped_int(*total_bytes_);
        }
        break;
      }
      thread_problem_ = "corrupt " + std::string(kind) + " data at compressed byte " +
                        core::grouped_int(consumed) + ": the decoder cannot go on";
      break;
    }
  }
  chunk->input_end = consumed;
  put_full(std::move(chunk));
}

std::optional<std::size_t> Decompressor::read_input(char* dst, std::size_t size) {
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot read " + name_ + ": " + std::strerror(errno));
    }
    if (fds[1].revents != 0) return std::nullopt;
    const ssize_t n = ::read(fd_, dst, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR && errno != EAGAIN) {
      throw IoError("cannot read " + name_ + ": " + std::strerror(errno));
    }
  }
}

std::unique_ptr<Decompressor::Chunk> Decompressor::take_free() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !free_.empty() || stop_; });
  if (stop_) return nullptr;
  std::unique_ptr<Chunk> chunk = std::move(free_.front());
  free_.pop_front();
  chunk->size = 0;
  return chunk;
}

void Decompressor::put_full(std::unique_ptr<Chunk> chunk) {
  std::lock_guard lock(mutex_);
  full_.push_back(std::move(chunk));
  changed_.notify_all();
}

std::size_t Decompressor::read(char* dst, std::size_t size) {
  std::size_t copied = 0;
  while (copied < size) {
    if (current_ && current_at_ < current_->size) {
      const std::size_t n = std::min(size - copied, current_->size - current_at_);
      std::memcpy(dst + copied, current_->data.get() + current_at_, n);
      current_at_ += n;
      copied += n;
      continue;
    }
    std::unique_lock lock(mutex_);
    if (current_) {
      free_.push_back(std::move(current_));
      changed_.notify_all();
    }
    if (copied > 0 && full_.empty()) break;  // no waiting once there is something
    changed_.wait(lock, [&] { return !full_.empty() || finished_; });
    if (full_.empty()) {
      if (error_) std::rethrow_exception(error_);
      problem_ = thread_problem_;
      break;
    }
    current_ = std::move(full_.front());
    full_.pop_front();
    current_at_ = 0;
    text_delivered_ += current_->size;
    marks_.push_back({text_delivered_, current_->input_end});
  }
  return copied;
}

std::uint64_t Decompressor::input_position(std::uint64_t text) const {
  Mark before = base_;
  for (const Mark& m : marks_) {
    if (m.text <= text) {
      before = m;
      continue;
    }
    const double share =
        static_cast<double>(text - before.text) / static_cast<double>(m.text - before.text);
    return before.input +
           static_cast<std::uint64_t>(share * static_cast<double>(m.input - before.input));
  }
  return before.input;
}

void Decompressor::forget_before(std::uint64_t text) {
  while (!marks_.empty() && marks_.front().text <= text) {
    base_ = marks_.front();
    marks_.pop_front();
  }
}

}  // namespace kvtrace::trace
