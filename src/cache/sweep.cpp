#include "kvtrace/cache/sweep.hpp"

#include <fmt/format.h>

#include <cmath>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/progress.hpp"
#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::cache {

SweepOptions sweep_options(const SweepSpec& spec, std::uint32_t block_size) {
  SweepOptions o{.base = spec.base, .capacities = spec.capacities};
  o.base.block_size = block_size;
  o.base.timing.enabled = spec.timestamps || o.base.timing.concurrency > 0;
  o.base.timing.use_timestamps = spec.timestamps;
  if (spec.gpu_mem_gib) {
    o.capacities.push_back(
        capacity_from_memory(*spec.gpu_mem_gib, spec.kv_bytes_per_token.value_or(0), block_size));
  }
  for (const std::string& p : spec.policies) o.policies.push_back(parse_policy(p));
  for (const std::string& r : spec.routers) o.routers.push_back(parse_router(r));
  return o;
}

std::vector<SimConfig> sweep_configs(const SweepOptions& options) {
  std::vector<SimConfig> out;
  for (const std::uint64_t c : options.capacities) {
    for (const Policy p : options.policies) {
      for (const RouterKind r : options.routers) {
        SimConfig cfg = options.base;
        cfg.cache = {.capacity_blocks = c, .policy = p};
        cfg.router.kind = r;
        validate(cfg);
        out.push_back(cfg);
      }
    }
  }
  return out;
}

std::uint64_t capacity_from_memory(double gib, std::uint64_t kv_bytes_per_token,
                                   std::uint32_t block_size) {
  if (!(gib > 0) || !std::isfinite(gib)) {
    throw UsageError("gpu_mem_gib", "must be a positive number of GiB");
  }
  if (kv_bytes_per_token == 0) throw UsageError("kv_bytes_per_token", "must be at least 1");
  if (block_size == 0) throw UsageError("block_size", "must be at least 1");
  const double blocks =
      std::floor(gib * 1073741824.0 /
                 (static_cast<double>(kv_bytes_per_token) * static_cast<double>(block_size)));
  if (blocks < 1) {
    throw UsageError(fmt::format("{} GiB holds no block of {} tokens at {} bytes per token", gib,
                                 block_size, kv_bytes_per_token));
  }
  return static_cast<std::uint64_t>(blocks);
}

void CompactTrace::add(const trace::Request& r) {
  if (r.hash_ids) ids_.insert(ids_.end(), r.hash_ids->begin(), r.hash_ids->end());
  end_.push_back(ids_.size());
  input_length_.push_back(r.input_length.value_or(0));
  output_length_.push_back(r.output_length.value_or(0));
  timestamp_ms_.push_back(r.timestamp ? std::optional(r.timestamp->value()) : std::nullopt);
  const trace::CachedTokensField field = trace::cached_tokens_field(r);
  if (field.present || !cached_tokens_.empty()) {
    cached_tokens_.resize(end_.size() - 1);  // the requests before the first one that has it
    cached_tokens_.push_back(field);
  }
}

trace::CachedTokensField CompactTrace::cached_tokens(std::size_t i) const {
  return i < cached_tokens_.size() ? cached_tokens_[i] : trace::CachedTokensField{};
}

RequestResult CompactTrace::replay(std::size_t i, ClusterSim& sim) const {
  const std::uint64_t begin = i == 0 ? 0 : end_[i - 1];
  return sim.add(std::span(ids_).subspan(begin, end_[i] - begin), input_length_[i],
                 output_length_[i], timestamp_ms_[i]);
}

std::vector<Run> run_sweep(trace::TraceReader& reader, std::span<const SimConfig> configs,
                           const RequestSink& per_request) {
  if (configs.empty()) throw UsageError("run_sweep needs at least one configuration");
  std::vector<Run> runs;
  CompactTrace kept;
  {
    ClusterSim sim(configs[0]);
    trace::MeasuredCache measured;
    trace::for_each_request(reader, "simulate", [&](const trace::RequestBatch& batch) {
      for (std::size_t i = 0; i < batch.requests.size(); ++i) {
        const trace::Request& r = batch.requests[i];
        const RequestResult res = sim.add(r);
        measured.add(r, res.hit_tokens);
        if (configs.size() > 1) kept.add(r);
        if (per_request) per_request(batch.lines[i], res);
      }
    });
    runs.push_back({configs[0], sim.finish(), measured});
  }
  // The later runs replay requests held in memory: they watch the reader's stop flag too.
  const std::atomic<bool>* stop = reader.options().stop;
  for (std::size_t k = 1; k < configs.size(); ++k) {
    ClusterSim sim(configs[k]);
    // Progress in the file's bytes, as if the run read it again.
    const auto total = reader.total_bytes();
    core::Progress progress(fmt::format("simulate {}/{}", k + 1, configs.size()), total);
    trace::MeasuredCache measured;
    for (std::size_t i = 0; i < kept.size(); ++i) {
      const RequestResult res = kept.replay(i, sim);
      measured.add(kept.cached_tokens(i), static_cast<std::int64_t>(res.input_tokens),
                   res.hit_tokens);
      if ((i & 0xFFF) == 0) {
        if (stop != nullptr && *stop) {
          throw Interrupted(fmt::format("interrupted: simulate {}/{} stopped at request {}", k + 1,
                                        configs.size(), i + 1));
        }
        if (total) progress.update(*total / kept.size() * i, i);
      }
    }
    progress.done();
    runs.push_back({configs[k], sim.finish(), measured});
  }
  return runs;
}

HitCurve run_curve(trace::TraceReader& reader, std::uint32_t block_size) {
  LruCurve curve(block_size);
  trace::for_each_request(reader, "simulate", [&](const trace::RequestBatch& batch) {
    for (const trace::Request& r : batch.requests) curve.add(r);
  });
  return curve.finish();
}

}  // namespace kvtrace::cache
