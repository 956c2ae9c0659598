// Encode and decode throughput of one tokenizer on one text, for bench/tokenizer_bench.py.
//
//   tokenizer_bench TOKENIZER TEXT [--runs N] [--threads T]
//
// Encodes the whole text in one call, then decodes the ids, N times after one warm-up run
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: tokenizer_bench TOKENIZER TEXT [--runs N] [--threads T]\n";
    return 64;
  }
  int runs = 5;
  int threads = 1;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--threads") threads = std::max(1, std::atoi(argv[i + 1]));
  }
  try {
    const auto tokenizer = kvtrace::tokenizer::load_tokenizer(argv[1]);
    std::ifstream in(argv[2], std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const double mb = static_cast<double>(text.size()) / 1e6;

    std::vector<double> encode_rates;
    std::vector<double> encode_cpu_rates;
    std::vector<double> decode_rates;
    std::vector<kvtrace::tokenizer::TokenId> ids;
    for (int run = 0; run <= runs; ++run) {
      auto start = Clock::now();
      const std::clock_t cpu_start = std::clock();  // the process's CPU time, all threads
      if (threads == 1) {
        ids = tokenizer->encode(text);
      } else {
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
          pool.emplace_back([&, t] {
            auto mine = tokenizer->encode(text);
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
              << ", \"bytes\": " << text.size() << ", \"threads\": " << threads << "}\n";
  } catch (const kvtrace::Error& e) {
    std::cerr << "tokenizer_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
