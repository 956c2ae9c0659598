// Fuzz target: a materialized requests file through replay::load_requests. The input's tail
// picks the options (an --extra-body object, include_usage), the rest is the file. Property:
// the file loads or is an InputError (a bad extra body a UsageError); every loaded body is a
// JSON object, a chat body's "messages" range sits between the brackets, and the session
// links point at requests of the same session.

#include <fuzzer/FuzzedDataProvider.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/replay/request_loader.hpp"

namespace {

// The file lives in memory (memfd): no disk traffic, nothing left behind.
int memory_file() {
  static const int fd = memfd_create("kvtrace-fuzz-requests", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  return fd;
}

void check_body(const kvtrace::replay::ReplayRequest& r) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS || !doc.is_object()) std::abort();
  if (r.messages) {
    const auto [begin, end] = *r.messages;
    if (begin == 0 || begin > end || end >= r.body.size()) std::abort();
    if (r.body[begin - 1] != '[' || r.body[end] != ']') std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  kvtrace::replay::LoadOptions options;
  options.include_usage = fdp.ConsumeBool();
  if (fdp.ConsumeBool()) options.extra_body = fdp.ConsumeRandomLengthString(256);
  const std::string file = fdp.ConsumeRemainingBytesAsString();

  const int fd = memory_file();
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, file.data(), file.size(), 0) != static_cast<ssize_t>(file.size())) {
    std::abort();
  }
  std::vector<kvtrace::replay::ReplayRequest> requests;
  try {
    requests = kvtrace::replay::load_requests("/proc/self/fd/" + std::to_string(fd), options);
  } catch (const kvtrace::InputError&) {
    return 0;
  } catch (const kvtrace::UsageError&) {
    return 0;
  }
  if (requests.empty()) std::abort();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    check_body(r);
    for (const std::size_t link : {r.previous_turn, r.next_turn}) {
      if (link == kvtrace::replay::kNoTurn) continue;
      if (link >= requests.size() || link == i) std::abort();
      if (requests[link].session_id != r.session_id) std::abort();
    }
    if (r.next_turn != kvtrace::replay::kNoTurn && requests[r.next_turn].previous_turn != i) {
      std::abort();
    }
  }
  return 0;
}
