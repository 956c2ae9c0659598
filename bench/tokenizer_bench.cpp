// Encode and decode throughput of one tokenizer on one text, for bench/tokenizer_bench.py.
//
//   tokenizer_bench TOKENIZER TEXT [--runs N] [--threads T] [--chunk BYTES]
//
// Encodes the whole text in one call (with --chunk, in pieces of at least BYTES bytes cut
// after a newline, one call each: what a caller that splits its text gets), then decodes the
// ids, N times after one warm-up run
// (which also fills the pre-token cache); with T threads, each thread encodes the whole text
// at once, sharing the tokenizer. Prints one JSON object: median MB/s (10^6 bytes of text per
// second, all threads together), encode MB per CPU-second (what threads cost each other,
// whatever else the machine runs), token count and bytes.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// `text` cut into pieces of at least `bytes` bytes, each ending after a newline (the last one
// at the end); the whole text when `bytes` is 0.
std::vector<std::string_view> pieces(std::string_view text, std::size_t bytes) {
  if (bytes == 0) return {text};
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t cut = text.find('\n', std::min(bytes, text.size()) - 1);
    const std::size_t n = cut == std::string_view::npos ? text.size() : cut + 1;
    out.push_back(text.substr(0, n));
    text.remove_prefix(n);
  }
  return out;
}

std::vector<kvtrace::tokenizer::TokenId> encode(const kvtrace::tokenizer::Tokenizer& tokenizer,
                                                const std::vector<std::string_view>& parts) {
  if (parts.size() == 1) return tokenizer.encode(parts[0]);
  std::vector<kvtrace::tokenizer::TokenId> ids;
  for (const std::string_view part : parts) {
    const auto more = tokenizer.encode(part);
    ids.insert(ids.end(), more.begin(), more.end());
  }
  return ids;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: tokenizer_bench TOKENIZER TEXT [--runs N] [--threads T] [--chunk BYTES]\n";
    return 64;
  }
  int runs = 5;
  int threads = 1;
  std::size_t chunk = 0;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--threads") threads = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--chunk") chunk = static_cast<std::size_t>(std::max(0, std::atoi(argv[i + 1])));
  }
  try {
    const auto tokenizer = kvtrace::tokenizer::load_tokenizer(argv[1]);
    std::ifstream in(argv[2], std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const double mb = static_cast<double>(text.size()) / 1e6;
    const std::vector<std::string_view> parts = pieces(text, chunk);

    std::vector<double> encode_rates;
    std::vector<double> encode_cpu_rates;
    std::vector<double> decode_rates;
    std::vector<kvtrace::tokenizer::TokenId> ids;
    for (int run = 0; run <= runs; ++run) {
      auto start = Clock::now();
      const std::clock_t cpu_start = std::clock();  // the process's CPU time, all threads
      if (threads == 1) {
        ids = encode(*tokenizer, parts);
      } else {
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
          pool.emplace_back([&, t] {
            auto mine = encode(*tokenizer, parts);
            if (t == 0) ids = std::move(mine);
          });
        }
        for (auto& th : pool) th.join();
      }
      const double encode_s = seconds_since(start);
      const double encode_cpu_s = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
      start = Clock::now();
      const std::string back = tokenizer->decode(ids);
      const double decode_s = seconds_since(start);
      if (back != text) {
        std::cerr << "tokenizer_bench: decode(encode(text)) differs from the text\n";
        return 1;
      }
      if (run == 0) continue;  // warm-up
      encode_rates.push_back(mb * threads / encode_s);
      encode_cpu_rates.push_back(mb * threads / encode_cpu_s);
      decode_rates.push_back(mb / decode_s);
    }
    std::cout << "{\"encode_mb_s\": " << median(encode_rates)
              << ", \"encode_mb_per_cpu_s\": " << median(encode_cpu_rates)
              << ", \"decode_mb_s\": " << median(decode_rates) << ", \"tokens\": " << ids.size()
              << ", \"bytes\": " << text.size() << ", \"threads\": " << threads
              << ", \"pieces\": " << parts.size() << "}\n";
  } catch (const kvtrace::Error& e) {
    std::cerr << "tokenizer_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
