#include "kvtrace/trace/for_each_request.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "kvtrace/core/progress.hpp"

namespace kvtrace::trace {

std::string reader_notes(const ReaderCounts& c) {
  std::string out;
  if (c.skipped_invalid > 0) {
    out += fmt::format("kvtrace: warning: skipped {} invalid line{} (first: {})\n",
                       c.skipped_invalid, c.skipped_invalid == 1 ? "" : "s", c.first_skipped);
  }
  if (c.outside_window > 0) {
    out += fmt::format("kvtrace: note: left out {} request{} outside the time window\n",
                       c.outside_window, c.outside_window == 1 ? "" : "s");
  }
  if (c.hash_id_mismatches > 0) {
    out += fmt::format(
        "kvtrace: warning: {} request{} with a hash_ids count other than "
        "ceil(input_length / block size), used as given (first: {}; block sizes that fit: {})\n",
        c.hash_id_mismatches, c.hash_id_mismatches == 1 ? "" : "s", c.first_mismatch,
        c.block_sizes.describe());
  }
  if (c.timestamps_backwards > 0) {
    out +=
        fmt::format("kvtrace: note: {} request{} stamped before the request above {} (first: {})\n",
                    c.timestamps_backwards, c.timestamps_backwards == 1 ? "" : "s",
                    c.timestamps_backwards == 1 ? "it" : "them", c.first_backwards);
  }
  for (const std::string& note : c.source_notes) out += "kvtrace: note: " + note + "\n";
  return out;
}

InputError no_requests(const TraceReader& reader, std::string_view verb) {
  return InputError(reader.name(), 0, "",
                    fmt::format("{}no requests to {}",
                                reader.counts().lines == 0 ? "the file is empty: " : "", verb));
}

std::uint64_t for_each_request(TraceReader& reader, std::string_view verb,
                               const BatchConsumer& consume) {
  core::Progress progress(std::string(verb), reader.total_bytes());
  std::uint64_t n = 0;
  read_batched(reader, [&](const RequestBatch& batch) {
    consume(batch);
    n += batch.requests.size();
    progress.update(batch.position, n);
  });
  progress.done();
  const std::string notes = reader_notes(reader.counts());
  if (!notes.empty()) fmt::print(stderr, "{}", notes);
  if (n == 0) throw no_requests(reader, verb);
  return n;
}

std::uint64_t extrapolate(const TraceReader& reader, std::uint64_t items, std::uint64_t position) {
  if (!reader.total_bytes() || position == 0) return items;
  const double scale =
      1.1 * static_cast<double>(*reader.total_bytes()) / static_cast<double>(position);
  return static_cast<std::uint64_t>(scale * static_cast<double>(items));
}

std::vector<Request> read_requests(TraceReader& reader, std::string_view verb,
                                   std::vector<std::uint64_t>* lines) {
  // Requests read before the arrays are sized from the file size.
  constexpr std::size_t kSampleRequests = 4096;
  std::vector<Request> requests;
  for_each_request(reader, verb, [&](const RequestBatch& batch) {
    for (Request& r : batch.requests) requests.push_back(std::move(r));
    if (lines != nullptr) lines->insert(lines->end(), batch.lines.begin(), batch.lines.end());
    if (requests.size() >= kSampleRequests && requests.capacity() < 2 * kSampleRequests) {
      // Size the arrays for the whole file once: no copies while they grow.
      const std::uint64_t total = extrapolate(reader, requests.size(), batch.position);
      requests.reserve(total);
      if (lines != nullptr) lines->reserve(total);
    }
  });
  return requests;
}

}  // namespace kvtrace::trace
