#include "kvtrace/report/trace_figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <limits>

#include <boost/unordered/unordered_flat_map.hpp>

#include "kvtrace/analysis/report.hpp"
#include "kvtrace/cache/curve_thread.hpp"
#include "kvtrace/core/text_table.hpp"
#include "kvtrace/trace/for_each_request.hpp"
#include "report/figure_util.hpp"

namespace kvtrace::report {
namespace {

constexpr std::size_t kLargestGroups = 12;
// Requests read before the arrays are sized from the file size.
constexpr std::uint64_t kReserveAfter = 4096;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Block uses per distinct block, and the prefix groups (AIPerf's: requests sharing their
// first block) with the longest prefix all their requests share, from the analyzer's dense ids.
void sharing(const analysis::PrefixAnalyzer& a, TraceData& d) {
  const std::vector<std::uint32_t>& ids = a.dense_blocks();
  const std::vector<std::uint64_t>& ends = a.block_ends();
  d.block_uses.assign(a.distinct_blocks(), 0);
  for (const std::uint32_t id : ids) ++d.block_uses[id];
  struct Open {
    std::uint64_t requests = 0;
    std::uint64_t first_begin = 0;  // the group's first request's ids
    std::uint64_t common = 0;       // blocks it shares with every later one
  };
  boost::unordered_flat_map<std::uint32_t, Open> groups;
  std::uint64_t begin = 0;
  for (const std::uint64_t end : ends) {
    if (end > begin) {
      auto [it, added] = groups.try_emplace(ids[begin]);
      Open& g = it->second;
      if (added) {
        g.first_begin = begin;
        g.common = end - begin;
      } else {
        std::uint64_t same = 0;
        while (same < g.common && begin + same < end &&
               ids[begin + same] == ids[g.first_begin + same]) {
          ++same;
        }
        g.common = same;
      }
      ++g.requests;
    }
    begin = end;
  }
  std::vector<TraceData::Group> all;
  all.reserve(groups.size());
  for (const auto& [id, g] : groups) {
    if (g.requests >= 2) all.push_back({g.requests, g.common});
  }
  const auto larger = [](const TraceData::Group& x, const TraceData::Group& y) {
    return x.requests != y.requests ? x.requests > y.requests : x.common_blocks > y.common_blocks;
  };
  const std::size_t keep = std::min(all.size(), kLargestGroups);
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                    larger);
  all.resize(keep);
  d.largest_groups = std::move(all);
}

std::vector<double> as_doubles(const std::vector<std::int64_t>& v) {
  return {v.begin(), v.end()};
}

Figure arrivals_figure(const TraceData& d) {
  Figure f;
  f.id = "trace-arrivals";
  f.title = "Arrivals over time";
  f.x.name = "time since the first request (s)";
  f.y.name = "requests/s";
  f.y2 = Axis{"tokens/s"};
  f.zoom = true;
  const Range r = range_of({d.timestamps_ms});
  if (r.empty) return f;
  const TimeBins bins = time_bins(r.lo, r.hi);
  std::vector<double> requests(bins.count), input(bins.count), output(bins.count);
  for (std::size_t i = 0; i < d.timestamps_ms.size(); ++i) {
    const double t = d.timestamps_ms[i];
    if (std::isnan(t)) continue;
    const std::size_t b = bins.index(t);
    requests[b] += 1;
    input[b] += d.isl[i];
    output[b] += d.osl[i];
  }
  const double per_s = 1000 / bins.width_ms;
  Series req{"requests/s", Style::kLine, {}};
  Series in{"input tokens/s", Style::kLine, {}, true};
  Series out{"output tokens/s", Style::kLine, {}, true};
  for (std::size_t b = 0; b < bins.count; ++b) {
    req.points.push_back({bins.start_s(b), requests[b] * per_s});
    in.points.push_back({bins.start_s(b), input[b] * per_s});
    out.points.push_back({bins.start_s(b), output[b] * per_s});
  }
  f.series = {std::move(req), std::move(in), std::move(out)};
  f.note = fmt::format(
      "Arrivals per {} s bin, as rates; input and output tokens of the requests arriving in "
      "each bin on the right axis. Drag or scroll to zoom.",
      bins.width_ms / 1000);
  return f;
}

Figure inter_arrival_figure(const TraceData& d) {
  std::vector<double> t;
  t.reserve(d.timestamps_ms.size());
  for (const double v : d.timestamps_ms) {
    if (!std::isnan(v)) t.push_back(v);
  }
  std::sort(t.begin(), t.end());
  std::vector<double> gaps;
  gaps.reserve(t.size());
  for (std::size_t i = 1; i < t.size(); ++i) gaps.push_back(t[i] - t[i - 1]);
  std::string note = "Gaps between consecutive arrivals (timestamps in arrival order).";
  if (d.stats.workload) {
    note += fmt::format(
        " Coefficient of variation {:.2f}: 1 for Poisson arrivals, above 1 "
        "for bursty ones.",
        d.stats.workload->arrivals.inter_arrival_cv);
  }
  return histogram_figure("trace-inter-arrival", "Inter-arrival time", std::move(note), gaps,
                          "gap (ms)");
}

Figure reuse_figure(const TraceData& d) {
  // Blocks by use count first: a trace has millions of blocks but few distinct counts, and
  // only those need placing in bins.
  std::vector<std::uint64_t> blocks_used;  // by use count
  for (const std::uint32_t u : d.block_uses) {
    if (u >= blocks_used.size()) blocks_used.resize(std::size_t{u} + 1);
    ++blocks_used[u];
  }
  std::vector<double> counts;
  for (std::size_t u = 1; u < blocks_used.size(); ++u) {
    if (blocks_used[u] > 0) counts.push_back(static_cast<double>(u));
  }
  Histogram h = histogram(counts, 40);
  std::fill(h.counts.begin(), h.counts.end(), 0);
  std::vector<double> accesses(h.counts.size());
  double total_uses = 0;
  for (const double u : counts) {
    const std::size_t bin = h.bin_of(u);
    const std::uint64_t n = blocks_used[static_cast<std::size_t>(u)];
    h.counts[bin] += n;
    accesses[bin] += u * static_cast<double>(n);
    total_uses += u * static_cast<double>(n);
  }
  Figure f;
  f.id = "trace-block-reuse";
  f.title = "Prefix sharing: blocks by reuse count";
  f.note =
      "How many requests use each distinct KV block. Share of distinct blocks, and share "
      "of all block uses (what a cache serves), by the number of requests using the block.";
  f.x.name = "requests using the block";
  f.x.scale = h.log ? Scale::kLog : Scale::kLinear;
  f.y.name = "share";
  f.y.percent = true;
  Series distinct{"distinct blocks", Style::kHistogram, {}};
  Series used{"block uses", Style::kHistogram, {}};
  const double n = static_cast<double>(d.block_uses.size());
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    distinct.points.push_back({h.edges[i], static_cast<double>(h.counts[i]) / n});
    used.points.push_back({h.edges[i], accesses[i] / total_uses});
  }
  if (!h.counts.empty()) {
    distinct.points.push_back({h.edges.back(), distinct.points.back()[1]});
    used.points.push_back({h.edges.back(), used.points.back()[1]});
  }
  f.series = {std::move(distinct), std::move(used)};
  return f;
}

Figure groups_figure(const TraceData& d) {
  Figure f;
  f.id = "trace-prefix-groups";
  f.title = "Largest prefix groups";
  f.note = fmt::format(
      "Requests sharing their first block (AIPerf's prefix groups: {} in all), the {} largest; "
      "and the blocks all requests of the group share from the start.",
      core::grouped_int(d.stats.num_prefix_groups), d.largest_groups.size());
  f.x.name = "group, by size";
  f.x.scale = Scale::kCategory;
  f.y.name = "requests";
  f.y2 = Axis{"common prefix (blocks)"};
  Series requests{"requests", Style::kBar, {}};
  Series common{"common prefix (blocks)", Style::kBar, {}, true};
  for (std::size_t i = 0; i < d.largest_groups.size(); ++i) {
    f.x.categories.push_back(fmt::format("#{}", i + 1));
    requests.points.push_back(
        {static_cast<double>(i), static_cast<double>(d.largest_groups[i].requests)});
    common.points.push_back(
        {static_cast<double>(i), static_cast<double>(d.largest_groups[i].common_blocks)});
  }
  f.series = {std::move(requests), std::move(common)};
  return f;
}

}  // namespace

TraceData gather_trace(trace::TraceReader& reader, const std::string& source, bool lru_curve_too) {
  const std::uint32_t block_size = reader.options().block_size;
  analysis::PrefixAnalyzer analyzer(block_size);
  analysis::WorkloadStats workload;
  TraceData d;
  d.source = source;
  // The curve runs on a thread of its own, fed each batch while the pass goes on: it is the
  // report's longest part, and the pass leaves a core idle. It gets the analyzer's dense ids
  // (first-seen numbers: renaming ids one-to-one changes no hit, and they are the curve's
  // fastest path).
  std::optional<cache::CurveThread> curve;
  if (lru_curve_too) curve.emplace(block_size);
  bool reserved = false;
  trace::for_each_request(reader, "report", [&](const trace::RequestBatch& batch) {
    const std::uint64_t first_request = analyzer.requests();
    const std::uint64_t first_block = analyzer.blocks();
    analyzer.add(batch.requests);
    cache::CurveThread::Batch chunk;
    if (curve) {
      const std::vector<std::uint32_t>& dense = analyzer.dense_blocks();
      chunk.ids.assign(dense.begin() + static_cast<std::ptrdiff_t>(first_block), dense.end());
      for (std::uint64_t t = first_request; t < analyzer.requests(); ++t) {
        chunk.ends.push_back(analyzer.block_ends()[t] - first_block);
        chunk.input_lengths.push_back(analyzer.input_lengths()[t]);
      }
    }
    for (const trace::Request& r : batch.requests) {
      workload.add(r);
      d.timestamps_ms.push_back(r.timestamp ? r.timestamp->value() : kNaN);
    }
    // Arrays sized once from the first requests and the file size, as analyze does.
    if (!reserved && analyzer.requests() >= kReserveAfter) {
      reserved = true;
      const std::uint64_t requests =
          trace::extrapolate(reader, analyzer.requests(), batch.position);
      const std::uint64_t blocks = trace::extrapolate(reader, analyzer.blocks(), batch.position);
      workload.reserve(requests);
      d.timestamps_ms.reserve(requests);
      analyzer.reserve(requests, blocks);
      chunk.reserve_distinct =
          trace::extrapolate(reader, analyzer.distinct_blocks(), batch.position);
      chunk.reserve_accesses = blocks;
    }
    if (curve) curve->push(std::move(chunk));
  });
  d.counts = reader.counts();
  auto workload_done = std::async(std::launch::async, [&] { return workload.finish(); });
  sharing(analyzer, d);
  analysis::RequestLengths lengths;
  d.stats = analyzer.finish(&lengths);
  d.stats.workload = workload_done.get();
  d.isl = as_doubles(analyzer.input_lengths());
  d.osl = as_doubles(analyzer.output_lengths());
  d.context = as_doubles(lengths.context);
  d.hit_rates = analyzer.hit_rates();
  d.turns_per_session = as_doubles(workload.turns_per_session());
  if (curve) d.curve = curve->finish();
  return d;
}

Section trace_section(const TraceData& d) {
  Section s;
  s.id = "trace";
  s.title = "Trace";
  const auto& w = d.stats.workload;
  s.intro = fmt::format("{}: {} requests, block size {}", d.source,
                        core::grouped_int(d.stats.total_requests), d.stats.block_size);
  if (w && w->arrivals.timed_requests > 1) {
    s.intro += fmt::format(", {:.1f} s at {:.2f} requests/s on average", w->arrivals.duration_s,
                           w->arrivals.mean_rate);
  }
  s.intro += '.';
  s.tables.push_back({"kvtrace analyze", analysis::render_table(d.stats, {d.source, d.counts})});

  s.figures.push_back(histogram_figure("trace-isl", "Input length (ISL)",
                                       "Prompt tokens per request.", d.isl, "input tokens"));
  s.figures.push_back(histogram_figure("trace-osl", "Output length (OSL)",
                                       "Generated tokens per request.", d.osl, "output tokens"));
  s.figures.push_back(histogram_figure(
      "trace-context", "Context length",
      "AIPerf's context length: the tokens of a request's blocks seen before in the trace "
      "(repeated position and id), or the whole ISL when all are.",
      d.context, "context tokens"));
  s.figures.push_back(cdf_figure("trace-lengths-cdf", "ISL, OSL and context CDFs",
                                 "Share of requests at or below each length.", "tokens",
                                 {{"ISL", d.isl}, {"OSL", d.osl}, {"context", d.context}}));
  if (w && w->arrivals.timed_requests > 0) {
    s.figures.push_back(arrivals_figure(d));
    if (w->arrivals.timed_requests > 1) s.figures.push_back(inter_arrival_figure(d));
  }
  if (!d.turns_per_session.empty()) {
    s.figures.push_back(histogram_figure("trace-turns", "Turns per session",
                                         fmt::format("Requests per session_id ({} sessions).",
                                                     core::grouped_int(d.turns_per_session.size())),
                                         d.turns_per_session, "turns"));
  }
  if (!d.hit_rates.empty()) {
    s.figures.push_back(histogram_figure(
        "trace-hit-rate", "Per-request hit rate (infinite cache)",
        "AIPerf's per-request cache hit rate: the share of a request's blocks that are the "
        "longest prefix already seen. Its mean is AIPerf's cache_hit_rate.",
        d.hit_rates, "hit rate", true));
  }
  if (!d.block_uses.empty()) s.figures.push_back(reuse_figure(d));
  if (!d.largest_groups.empty()) s.figures.push_back(groups_figure(d));
  return s;
}

Section cache_section(const cache::HitCurve& c, std::optional<std::uint64_t> kv_bytes_per_token) {
  Section s;
  s.id = "cache";
  s.title = "Cache";
  s.intro = fmt::format(
      "The hit rate of an lru KV cache of every capacity on one worker, without timing "
      "(kvtrace simulate --curve): {} distinct blocks of {} tokens.",
      core::grouped_int(c.distinct_blocks), c.block_size);
  const double gib_per_block =
      kv_bytes_per_token ? *kv_bytes_per_token * c.block_size / (1024.0 * 1024 * 1024) : 0;
  const auto x_of = [&](double blocks) {
    return kv_bytes_per_token ? blocks * gib_per_block : blocks;
  };

  Figure f;
  f.id = "cache-hit-curve";
  f.title = "Hit rate against cache capacity (lru)";
  f.x.name = kv_bytes_per_token
                 ? fmt::format("capacity (GiB at {} bytes per token)", *kv_bytes_per_token)
                 : std::string("capacity (blocks)");
  f.x.scale = Scale::kLog;
  if (kv_bytes_per_token) f.x_also = SecondUnit{1 / gib_per_block, "blocks"};
  f.y.name = "hit rate";
  f.y.percent = true;
  f.y.min = 0;
  f.y.max = 1;
  Series blocks{"block hit rate", Style::kLine, {}};
  Series tokens{"token hit rate", Style::kLine, {}};
  const auto distinct = static_cast<double>(std::max<std::uint64_t>(c.distinct_blocks, 1));
  constexpr int kPoints = 300;
  double last = 0;
  for (int i = 0; i <= kPoints; ++i) {
    const double cap = std::round(std::pow(distinct, static_cast<double>(i) / kPoints));
    if (cap <= last) continue;
    last = cap;
    const auto capacity = static_cast<std::uint64_t>(cap);
    blocks.points.push_back({x_of(cap), c.block_hit_rate(capacity)});
    tokens.points.push_back({x_of(cap), c.token_hit_rate(capacity)});
  }
  f.series = {std::move(blocks), std::move(tokens)};
  const double ceiling = c.token_hit_rate(c.distinct_blocks);
  f.marks.push_back(
      {false, ceiling, fmt::format("infinite cache: {:.1f}% of tokens", 100 * ceiling)});
  f.marks.push_back({true, x_of(distinct), "every distinct block fits"});
  f.note =
      "Block hit rate: cached blocks over all blocks. Token hit rate: cached input tokens "
      "over all input tokens. Beyond the distinct blocks, capacity changes nothing.";
  if (kv_bytes_per_token) {
    f.note += fmt::format(" One block is {:.4g} MiB.", gib_per_block * 1024);
  }
  s.figures.push_back(std::move(f));

  std::vector<std::vector<std::string>> rows;
  rows.push_back(
      {"Share of the infinite cache's token hit rate", "Token hit rate", "Capacity (blocks)"});
  if (kv_bytes_per_token) rows[0].push_back("Capacity (GiB)");
  for (const double share : {0.5, 0.8, 0.9, 0.95, 0.99, 1.0}) {
    const auto cap = c.capacity_for_token_rate(share * ceiling);
    if (!cap) continue;
    std::vector<std::string> row = {fmt::format("{:.0f}%", 100 * share),
                                    fmt::format("{:.2f}%", 100 * c.token_hit_rate(*cap)),
                                    core::grouped_int(*cap)};
    if (kv_bytes_per_token) row.push_back(fmt::format("{:.2f}", x_of(static_cast<double>(*cap))));
    rows.push_back(std::move(row));
  }
  s.tables.push_back({"Capacity for a token hit rate", core::box_table("lru, one worker", rows)});
  return s;
}

}  // namespace kvtrace::report
