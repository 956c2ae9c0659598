// Builds a large Mooncake trace deterministically from a smaller one: the input repeated
// with each copy's hash ids shifted past the previous copy's largest id and its timestamps
// shifted past the previous copy's last timestamp, so every copy keeps the original prefix
// structure and the whole stays one valid, time-ordered trace.
//
//   make_big_trace INPUT OUTPUT REQUESTS

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <string>

#include "kvtrace/trace/trace_reader.hpp"
#include "kvtrace/trace/trace_writer.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    fmt::print(stderr, "usage: make_big_trace INPUT OUTPUT REQUESTS\n");
    return 64;
  }
  try {
    using namespace kvtrace::trace;
    const std::vector<Request> base = read_all(argv[1]);
    const std::uint64_t wanted = std::strtoull(argv[3], nullptr, 10);
    if (base.empty() || wanted == 0) throw std::runtime_error("nothing to repeat");
    std::uint64_t id_span = 0;
    std::int64_t ts_span = 0;
    for (const Request& r : base) {
      if (r.hash_ids) {
        for (std::uint64_t id : *r.hash_ids) id_span = std::max(id_span, id + 1);
      }
      if (r.timestamp)
        ts_span = std::max(ts_span, static_cast<std::int64_t>(r.timestamp->value()) + 1);
    }
    TraceWriter writer(argv[2]);
    Request out;
    for (std::uint64_t i = 0; i < wanted; ++i) {
      const std::uint64_t copy = i / base.size();
      out = base[i % base.size()];
      if (out.hash_ids) {
        for (std::uint64_t& id : *out.hash_ids) id += copy * id_span;
      }
      if (out.timestamp && out.timestamp->is_integer) {
        out.timestamp->integer += static_cast<std::int64_t>(copy) * ts_span;
      }
      writer.write(out);
    }
    writer.close();
  } catch (const std::exception& e) {
    fmt::print(stderr, "make_big_trace: {}\n", e.what());
    return 1;
  }
  return 0;
}
