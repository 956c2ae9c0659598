#include "kvtrace/synthesis/rewrite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arith.hpp"
#include "kvtrace/analysis/id_index.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/random/derive_seed.hpp"
#include "kvtrace/random/py_random.hpp"
#include "kvtrace/trace/session.hpp"

namespace kvtrace::synthesis {
namespace {

using trace::Number;
using trace::Request;

using arith::ceil_div;
using arith::id_mul_add;
using arith::py_int;

// Which ids occur more than once in the whole trace (repeats inside one request count too),
// and the largest of them.
class SharedIds {
 public:
  explicit SharedIds(std::span<const Request> requests) {
    for (const Request& r : requests) {
      if (!r.hash_ids) continue;
      for (std::uint64_t h : *r.hash_ids) {
        bool created = false;
        const std::uint32_t d = index_.intern(h, created);
        if (created) {
          seen_twice_.push_back(false);
        } else if (!seen_twice_[d]) {
          seen_twice_[d] = true;
          ++count_;
          max_ = std::max(max_, h);
        }
      }
    }
  }
  bool contains(std::uint64_t h) const {
    const std::uint32_t d = index_.find(h);
    return d != analysis::IdIndex::kNone && seen_twice_[d];
  }
  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }  // 0 when none, as AIPerf

  // Numbers the shared ids 0, 1, 2, ... in order of first appearance: max() becomes the
  // largest number and number() gives each id's.
  void renumber() {
    numbers_.assign(seen_twice_.size(), 0);
    std::uint32_t next = 0;
    for (std::size_t d = 0; d < seen_twice_.size(); ++d) {
      if (seen_twice_[d]) numbers_[d] = next++;
    }
    max_ = next == 0 ? 0 : next - 1;
  }
  // A shared id's number after renumber().
  std::uint64_t number(std::uint64_t h) const { return numbers_[index_.find(h)]; }

 private:
  analysis::IdIndex index_;
  std::vector<bool> seen_twice_;
  std::vector<std::uint32_t> numbers_;  // by dense id, after renumber()
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

// The shape of one request's rewrite (the core of AIPerf's _apply_multipliers) before any id
// is handed out, so that the fresh ids of the whole trace are counted first.
struct Plan {
  std::size_t prefix_ids = 0;     // leading shared ids kept (P <= 1) or stretched (P > 1)
  std::int64_t prefix_fresh = 0;  // P > 1: fresh ids completing ceil(n * P)
  std::int64_t prompt_fresh = 0;  // fresh blocks of the unique part
  std::int64_t new_isl = 0;
};

class Rewriter {
 public:
  Rewriter(const SynthesisParams& p, RewriteMode mode, std::string_view source,
           std::span<const std::uint64_t> lines)
      : p_(p), compat_(mode == RewriteMode::kAiperfCompat), source_(source), lines_(lines) {}

  RewriteStats run(std::vector<Request>& requests) {
    stats_.requests_in = requests.size();
    drop_over_max_isl(requests);
    if (!p_.any_multiplier()) {
      // AIPerf synthesizes only when a multiplier is set; the loader still caps max_osl.
      for (Request& r : requests) cap_osl(r);
      return stats_;
    }
    stats_.rewritten = true;
    const std::vector<std::size_t> order = trace::session_order(requests);
    const std::vector<Plan> plans = multiply(requests, order);
    if (p_.prefix_root_multiplier > 1) spread_over_roots(requests, order);
    for (std::size_t i = 0; i < requests.size(); ++i) assemble(requests[i], plans[i].new_isl);
    return stats_;
  }

  // AIPerf's _apply_multipliers over the requests in `order`: their ids are rewritten in
  // place; the plans give each request's new ISL.
  std::vector<Plan> multiply(std::vector<Request>& requests, std::span<const std::size_t> order) {
    SharedIds shared(requests);
    stats_.shared_ids = shared.count();
    const auto m =
        static_cast<std::uint64_t>(p_.prefix_len_multiplier > 1.0 ? p_.prefix_len_multiplier : 1);

    std::vector<Plan> plans(requests.size());
    unsigned __int128 fresh = 0;
    for (std::size_t i : order) {
      plans[i] = plan(requests[i], i, shared_run(requests[i], shared), m);
      fresh += static_cast<std::uint64_t>(plans[i].prefix_fresh);
      fresh += static_cast<std::uint64_t>(plans[i].prompt_fresh);
    }
    if (!numbering_fits(shared.max(), m, fresh)) {
      // Raw 64-bit hashes: AIPerf's numbering would pass 2^64 - 1 (Python's ints grow).
      shared.renumber();
      renumber_ = true;
      stats_.renumbered = true;
      if (!numbering_fits(shared.max(), m, fresh)) {
        throw InputError(std::string(source_), 0, "hash_ids",
                         "the synthesized ids would exceed 2^64-1 even with the shared ids "
                         "renumbered: the 64-bit id space is exhausted (lower the prefix "
                         "length, prompt length or root multiplier)");
      }
    }
    next_fresh_ = id_mul_add(shared.max() + 1, m, 1);  // AIPerf: max_id = (max + 1) * m

    for (std::size_t i : order) write_ids(requests[i], plans[i], shared, m);
    return plans;
  }

  // AIPerf's final max_id + 1, after multiply(): the size of one root namespace.
  std::uint64_t namespace_base() const { return next_fresh_; }
  const RewriteStats& stats() const { return stats_; }

 private:
  InputError input_error(std::size_t i, std::string field, std::string problem) const {
    return InputError(std::string(source_), i < lines_.size() ? lines_[i] : 0, std::move(field),
                      std::move(problem));
  }

  // AIPerf's loader drops requests whose original ISL exceeds max_isl, before synthesis.
  void drop_over_max_isl(std::vector<Request>& requests) {
    if (!p_.max_isl) return;
    std::size_t kept = 0;
    std::vector<std::uint64_t> kept_lines;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (requests[i].input_length && *requests[i].input_length > *p_.max_isl) {
        ++stats_.dropped_over_max_isl;
        continue;
      }
      if (i < lines_.size()) kept_lines.push_back(lines_[i]);
      if (kept != i) requests[kept] = std::move(requests[i]);
      ++kept;
    }
    requests.resize(kept);
    if (!lines_.empty()) {
      own_lines_ = std::move(kept_lines);
      lines_ = own_lines_;
    }
  }

  // Whether AIPerf's numbering fits in 64 bits: stretched ids h * m + j, fresh ids from
  // (max + 1) * m + 1, and R namespaces of (its final max_id + 1) ids each.
  bool numbering_fits(std::uint64_t max_shared, std::uint64_t m, unsigned __int128 fresh) const {
    using u128 = unsigned __int128;
    const u128 limit = u128{1} << 64;  // every id, and AIPerf's final max_id + 1, below it
    if ((u128{max_shared} + 1) * m + 1 >= limit) return false;
    const u128 base = (u128{max_shared} + 1) * m + 1 + fresh;  // final max_id + 1
    return base < limit &&
           base * static_cast<std::uint64_t>(p_.prefix_root_multiplier) <= limit - 1;
  }

  std::uint64_t take_fresh(std::uint64_t n) {
    const std::uint64_t first = next_fresh_;
    next_fresh_ = id_mul_add(next_fresh_, 1, n);
    stats_.fresh_ids += n;
    return first;
  }

  void append_fresh(std::vector<std::uint64_t>& out, std::int64_t n) {
    if (n <= 0) return;
    const std::uint64_t first = take_fresh(static_cast<std::uint64_t>(n));
    for (std::uint64_t k = 0; k < static_cast<std::uint64_t>(n); ++k) out.push_back(first + k);
  }

  // The leading run of shared ids: it stops at the first id that is not shared.
  static std::size_t shared_run(const Request& r, const SharedIds& shared) {
    if (!r.hash_ids) return 0;
    const std::vector<std::uint64_t>& ids = *r.hash_ids;
    std::size_t n = 0;
    while (n < ids.size() && shared.contains(ids[n])) ++n;
    return n;
  }

  Plan plan(const Request& r, std::size_t i, std::size_t n, std::uint64_t m) {
    const std::int64_t L = r.input_length.value_or(0);
    if (!r.hash_ids || r.hash_ids->empty()) return {.new_isl = L};
    const std::vector<std::uint64_t>& ids = *r.hash_ids;
    const auto B = static_cast<std::int64_t>(p_.block_size);
    const std::int64_t prefix_len = static_cast<std::int64_t>(n) * B;
    std::int64_t prompt_len = L - prefix_len;
    std::int64_t deficit = 0;  // tokens the shared prefix's partial last block lacks
    if (prompt_len < 0) {
      if (compat_) {
        throw input_error(i, "hash_ids",
                          fmt::format("input_len ({}) < prefix_len ({}): trace has fewer tokens "
                                      "than its shared prefix blocks (AIPerf raises this "
                                      "ValueError; kvtrace's own rewrite handles it)",
                                      L, prefix_len));
      }
      deficit = -prompt_len;
      if (deficit >= B) {
        throw input_error(i, "hash_ids",
                          fmt::format("{} ids for input_length {} (block size {}): more ids than "
                                      "the tokens fill; fix the trace or the block size",
                                      ids.size(), L, B));
      }
      prompt_len = 0;
      ++stats_.partial_prefix;
    }

    Plan out;
    out.prefix_ids = n;
    std::int64_t prefix_blocks = 0;  // ids of the new prefix
    std::int64_t new_prefix_len = 0;
    const double P = p_.prefix_len_multiplier;
    if (P > 1.0) {
      // Interleaved stretch: h -> h*m .. h*m+m-1, consistent across requests; the
      // fractional extra blocks are fresh per request.
      std::int64_t stretched = 0;
      if (__builtin_mul_overflow(static_cast<std::int64_t>(n), static_cast<std::int64_t>(m),
                                 &stretched)) {
        throw LimitError("a stretched prefix of more than 2^63 blocks");
      }
      const auto target = py_int(std::ceil(static_cast<double>(n) * P));
      out.prefix_fresh = std::max<std::int64_t>(0, target - stretched);
      prefix_blocks = stretched + out.prefix_fresh;
      new_prefix_len = prefix_blocks * B - deficit;
    } else if (P < 1.0) {
      const std::int64_t k = std::max<std::int64_t>(1, py_int(static_cast<double>(n) * P));
      out.prefix_ids =
          static_cast<std::size_t>(std::min<std::int64_t>(k, static_cast<std::int64_t>(n)));
      prefix_blocks = static_cast<std::int64_t>(out.prefix_ids);
      if (compat_) {
        new_prefix_len = k * B;  // k blocks of tokens even when there is no prefix (AIPerf)
      } else {
        // The kept blocks' tokens; the partial last block only when it is kept.
        new_prefix_len = prefix_blocks * B - (out.prefix_ids == n ? deficit : 0);
      }
    } else {
      prefix_blocks = static_cast<std::int64_t>(n);
      new_prefix_len = prefix_len - deficit;
    }

    std::int64_t new_prompt_len =
        py_int(static_cast<double>(prompt_len) * p_.prompt_len_multiplier);
    if (!compat_ && prefix_blocks == 0 && new_prompt_len == 0) {
      new_prompt_len = 1;  // AIPerf would drop the hash ids and keep the old ISL; keep a block
    }
    out.prompt_fresh = std::max<std::int64_t>(0, ceil_div(new_prompt_len, B));
    out.new_isl = new_prefix_len + new_prompt_len;
    return out;
  }

  // A shared id as the output carries it: itself, or its number when renumbered.
  std::uint64_t shared_id(std::uint64_t h, const SharedIds& shared) const {
    return renumber_ ? shared.number(h) : h;
  }

  // A request's new ids (in place), as planned.
  void write_ids(Request& r, const Plan& plan, const SharedIds& shared, std::uint64_t m) {
    if (!r.hash_ids || r.hash_ids->empty()) return;
    std::vector<std::uint64_t>& ids = *r.hash_ids;
    std::vector<std::uint64_t>& out = scratch_;  // reused: no allocation per request
    out.clear();
    if (p_.prefix_len_multiplier > 1.0) {
      for (std::size_t k = 0; k < plan.prefix_ids; ++k) {
        const std::uint64_t h = shared_id(ids[k], shared);
        for (std::uint64_t j = 0; j < m; ++j) out.push_back(id_mul_add(h, m, j));
      }
      append_fresh(out, plan.prefix_fresh);
    } else {
      for (std::size_t k = 0; k < plan.prefix_ids; ++k) out.push_back(shared_id(ids[k], shared));
    }
    append_fresh(out, plan.prompt_fresh);
    ids.assign(out.begin(), out.end());
  }

  // Each request with ids moves to namespace t ~ U{0..R-1}: ids + t * (max_id + 1). One
  // randint per non-empty request, in AIPerf's order, from its derived stream.
  void spread_over_roots(std::vector<Request>& requests, std::span<const std::size_t> order) {
    random::PyRandom rng(random::derive_seed(p_.seed, kSynthesizerStream));
    const std::uint64_t base = next_fresh_;  // AIPerf: max_id + 1 after every fresh id
    for (std::size_t i : order) {
      auto& ids = requests[i].hash_ids;
      if (!ids || ids->empty()) continue;
      const auto t = static_cast<std::uint64_t>(rng.randint(0, p_.prefix_root_multiplier - 1));
      if (t == 0) continue;
      const std::uint64_t offset = id_mul_add(t, base, 0);
      for (std::uint64_t& h : *ids) h = id_mul_add(h, 1, offset);
    }
  }

  void cap_osl(Request& r) {
    if (p_.max_osl && r.output_length && *r.output_length > *p_.max_osl) {
      r.output_length = *p_.max_osl;
      ++stats_.capped_osl;
    }
  }

  // Per-request output assembly (reference 4.3).
  void assemble(Request& r, std::int64_t new_isl) {
    const bool had_input_length = r.input_length.has_value();
    std::int64_t isl = new_isl;
    if (!r.hash_ids || r.hash_ids->empty()) {
      isl = compat_ ? r.input_length.value_or(p_.block_size) : r.input_length.value_or(0);
      r.hash_ids.reset();
    }
    if (p_.max_isl && isl > *p_.max_isl) {
      isl = *p_.max_isl;
      ++stats_.capped_isl;
      // kvtrace keeps the trace consistent: as many ids as the capped ISL fills.
      if (!compat_ && r.hash_ids) {
        r.hash_ids->resize(static_cast<std::size_t>(ceil_div(isl, p_.block_size)));
      }
    }
    const bool has_messages = std::ranges::any_of(r.extra, [](const trace::ExtraField& f) {
      return f.key == "messages" && f.raw_value != "null";
    });
    if (compat_ ? (!r.text_input && !has_messages) : had_input_length) r.input_length = isl;

    if (r.timestamp) r.timestamp = scale_timestamp(*r.timestamp);
    if (r.output_length) {
      // The cap commutes with the floor at 1 (max_osl >= 1): cap last, to count it.
      r.output_length = arith::scaled_output_length(*r.output_length, p_.output_len_multiplier,
                                                    std::nullopt, compat_);
      cap_osl(r);
    }
  }

  Number scale_timestamp(const Number& ts) const {
    const double q = ts.value() / p_.speedup_ratio;
    // AIPerf truncates to whole ms; kvtrace keeps the fraction, and integers where exact.
    if (compat_) return Number::of_int(py_int(std::trunc(q)));
    return ts.is_integer ? arith::millis(q) : Number::of_real(q);
  }

  const SynthesisParams& p_;
  bool compat_;
  std::string_view source_;
  std::span<const std::uint64_t> lines_;
  std::vector<std::uint64_t> own_lines_;
  std::uint64_t next_fresh_ = 0;  // AIPerf's max_id + 1
  bool renumber_ = false;         // the shared ids are renumbered (numbering_fits)
  std::vector<std::uint64_t> scratch_;
  RewriteStats stats_;
};

}  // namespace

RewriteStats rewrite_trace(std::vector<trace::Request>& requests, const SynthesisParams& params,
                           RewriteMode mode, std::string_view source,
                           std::span<const std::uint64_t> lines) {
  params.validate();
  return Rewriter(params, mode, source, lines).run(requests);
}

MultipliedIds apply_multipliers(std::vector<trace::Request>& requests,
                                const SynthesisParams& params, std::string_view source,
                                std::span<const std::uint64_t> lines) {
  if (params.block_size == 0) throw UsageError("block_size must be at least 1");
  Rewriter rewriter(params, RewriteMode::kAiperfCompat, source, lines);
  std::vector<std::size_t> order(requests.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const std::vector<Plan> plans = rewriter.multiply(requests, order);
  MultipliedIds out;
  out.input_lengths.reserve(plans.size());
  for (const Plan& p : plans) out.input_lengths.push_back(p.new_isl);
  out.namespace_base = rewriter.namespace_base();
  out.renumbered = rewriter.stats().renumbered;
  return out;
}

std::string rewrite_notes(const RewriteStats& st, const SynthesisParams& p) {
  std::string out;
  if (st.renumbered) {
    out += fmt::format(
        "kvtrace: note: the trace's ids are too large for AIPerf's numbering within 64 bits: "
        "its {} shared ids were renumbered 0, 1, 2, ... in order of first appearance "
        "(docs/synthesize.md)\n",
        st.shared_ids);
  }
  if (!st.rewritten) {
    out +=
        "kvtrace: note: no multiplier differs from 1, so ids and lengths are unchanged (as in "
        "AIPerf); only the max ISL/OSL limits applied\n";
  }
  if (st.dropped_over_max_isl > 0) {
    if (!p.max_isl) throw std::logic_error("rewrite_notes: requests dropped without a max_isl");
    out += fmt::format("kvtrace: note: dropped {} requests whose input length exceeds max_isl {}\n",
                       st.dropped_over_max_isl, *p.max_isl);
  }
  if (st.partial_prefix > 0) {
    out += fmt::format(
        "kvtrace: note: {} requests have a shared prefix ending in a partial block (AIPerf "
        "stops with 'input_len < prefix_len' on them; see docs/synthesize.md)\n",
        st.partial_prefix);
  }
  if (st.capped_isl > 0) {
    out += fmt::format("kvtrace: note: capped {} input lengths at max_isl\n", st.capped_isl);
  }
  if (st.capped_osl > 0) {
    out += fmt::format("kvtrace: note: capped {} output lengths at max_osl\n", st.capped_osl);
  }
  return out;
}

}  // namespace kvtrace::synthesis
