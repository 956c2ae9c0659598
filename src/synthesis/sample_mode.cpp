#include "kvtrace/synthesis/sample_mode.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "arith.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/random/derive_seed.hpp"
#include "kvtrace/random/py_random.hpp"
#include "kvtrace/synthesis/empirical_sampler.hpp"
#include "kvtrace/synthesis/radix_tree.hpp"

namespace kvtrace::synthesis {
namespace {

using trace::Number;
using trace::Request;

using arith::ceil_div;
using arith::id_mul_add;
using arith::millis;

// Sub-streams of the arrival process, so that its draws do not shift the others'.
constexpr const char* kBurstStream = "kvtrace.synthesis.sample.bursts";
constexpr const char* kGapStream = "kvtrace.synthesis.sample.gaps";

// What the input teaches: the core of its prefix tree (the core part of each request's path),
// its sessions, and the arrival process of the sessions' first turns.
class Model {
 public:
  Model(std::span<const Request> input) : input_(input), core_end_(input.size()) {
    std::vector<NodeId> end(input.size());
    for (std::size_t i = 0; i < input.size(); ++i) {
      const auto& ids = input[i].hash_ids;
      end[i] = tree_.add_path(ids ? std::span<const std::uint64_t>(*ids)
                                  : std::span<const std::uint64_t>());
    }
    const std::vector<NodeId> nodes = tree_.get_all_nodes();
    depth_.assign(nodes.back() + 1, 0);
    for (NodeId n : nodes) {  // parents have smaller ids than their children
      if (n == kRootId) continue;
      depth_[n] = depth_[tree_.get_node(n)->parent()] + 1;
      if (tree_.get_node(n)->visit_count() >= 2) ++core_nodes_;
    }
    for (std::size_t i = 0; i < input.size(); ++i) {
      NodeId n = end[i];
      while (n != kRootId && tree_.get_node(n)->visit_count() < 2) n = tree_.get_node(n)->parent();
      core_end_[i] = n;
    }
    group_sessions();
    learn_arrivals();
  }

  // The core nodes from the root's child down to where request i's core part ends.
  std::vector<NodeId> core_path(std::size_t i) const {
    NodeId v = core_end_[i];
    std::vector<NodeId> path(depth_[v]);
    for (std::size_t k = path.size(); k-- > 0; v = tree_.get_node(v)->parent()) path[k] = v;
    return path;
  }

  const Request& request(std::size_t i) const { return input_[i]; }
  std::uint32_t depth(NodeId v) const { return depth_[v]; }
  std::uint64_t core_nodes() const { return core_nodes_; }
  NodeId max_node() const { return static_cast<NodeId>(depth_.size() - 1); }
  // Sessions in first-appearance order, each its requests in file order.
  const std::vector<std::vector<std::size_t>>& sessions() const { return sessions_; }

  bool timed() const { return first_ts_.has_value(); }
  double first_timestamp() const { return *first_ts_; }
  const std::vector<std::int64_t>& bursts() const { return bursts_; }
  const std::vector<double>& gaps() const { return gaps_; }

 private:
  void group_sessions() {
    boost::unordered_flat_map<std::string_view, std::size_t> index;
    for (std::size_t i = 0; i < input_.size(); ++i) {
      if (!input_[i].session_id) {
        sessions_.push_back({i});
        continue;
      }
      const auto [it, inserted] = index.try_emplace(*input_[i].session_id, sessions_.size());
      if (inserted) sessions_.emplace_back();
      sessions_[it->second].push_back(i);
    }
  }

  // Sessions per distinct first-turn timestamp and the positive gaps between those.
  void learn_arrivals() {
    std::vector<double> ts;
    for (const auto& s : sessions_) {
      if (input_[s.front()].timestamp) ts.push_back(input_[s.front()].timestamp->value());
    }
    if (ts.empty()) return;
    std::sort(ts.begin(), ts.end());
    first_ts_ = ts.front();
    std::int64_t burst = 1;
    for (std::size_t i = 1; i < ts.size(); ++i) {
      if (ts[i] == ts[i - 1]) {
        ++burst;
        continue;
      }
      bursts_.push_back(burst);
      gaps_.push_back(ts[i] - ts[i - 1]);
      burst = 1;
    }
    bursts_.push_back(burst);
  }

  std::span<const Request> input_;
  RadixTree tree_;
  std::vector<std::uint32_t> depth_;
  std::vector<NodeId> core_end_;
  std::uint64_t core_nodes_ = 0;
  std::vector<std::vector<std::size_t>> sessions_;
  std::optional<double> first_ts_;
  std::vector<std::int64_t> bursts_;
  std::vector<double> gaps_;
};

class Generator {
 public:
  Generator(const Model& model, const SynthesisParams& p, std::uint64_t num_requests)
      : m_(model),
        p_(p),
        rng_(random::derive_seed(p.seed, kSampleStream)),
        bursts_(model.bursts(), random::PyRandom(random::derive_seed(p.seed, kBurstStream))),
        gaps_(model.gaps(), random::PyRandom(random::derive_seed(p.seed, kGapStream))),
        per_node_(std::max<std::uint64_t>(
            1, static_cast<std::uint64_t>(std::ceil(p.prefix_len_multiplier)))),
        node_span_(static_cast<std::uint64_t>(model.max_node()) + 1) {
    // Epochs needed at most (each has at least one request per session): their core ids
    // come first, fresh ids after all of them.
    const std::uint64_t epochs = std::max<std::uint64_t>(
        1, (num_requests + model.sessions().size() - 1) / model.sessions().size());
    next_fresh_ = id_mul_add(id_mul_add(epochs, node_span_, 0), per_node_, 0);
    if (m_.timed()) clock_ = m_.first_timestamp();
  }

  SampleStats run(std::uint64_t n, const RequestSink& sink) {
    SampleStats st;
    std::vector<std::size_t> order(m_.sessions().size());
    while (st.generated < n) {
      // One epoch: every learned session once, in a random order (Fisher-Yates).
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
      for (std::size_t k = order.size(); k > 1; --k) {
        std::swap(order[k - 1], order[rng_.choice_index(k)]);
      }
      for (std::size_t s : order) {
        if (st.generated == n) break;
        st.generated += emit_session(m_.sessions()[s], st.sessions++, n - st.generated, sink);
      }
      ++epoch_;
    }
    st.epochs = epoch_;
    st.core_nodes = m_.core_nodes();
    return st;
  }

 private:
  std::int64_t block() const { return p_.block_size; }

  std::uint64_t emit_session(const std::vector<std::size_t>& turns, std::uint64_t number,
                             std::uint64_t room, const RequestSink& sink) {
    const auto t = static_cast<std::uint64_t>(rng_.randint(0, p_.prefix_root_multiplier - 1));
    const double arrival = next_arrival();
    const Request& first = m_.request(turns.front());
    std::uint64_t emitted = 0;
    for (std::size_t i : turns) {
      if (emitted == room) break;
      const Request& in = m_.request(i);
      Request out = rebuild(i);
      if (in.timestamp) {
        // Later turns keep their offset from the first turn, sped up.
        const double offset =
            first.timestamp ? in.timestamp->value() - first.timestamp->value() : 0;
        out.timestamp = millis(arrival + offset / p_.speedup_ratio);
      }
      out.delay = in.delay;
      if (in.session_id) out.session_id = fmt_session(number);
      finish(out, t);
      sink(out);
      ++emitted;
    }
    return emitted;
  }

  static std::string fmt_session(std::uint64_t number) {
    std::string s = std::to_string(number);
    return "synth-" + std::string(s.size() < 6 ? 6 - s.size() : 0, '0') + s;
  }

  double next_arrival() {
    if (!m_.timed()) return 0;
    if (burst_left_ == 0) {
      if (started_) clock_ += gaps_.sample() / p_.speedup_ratio;
      started_ = true;
      burst_left_ = static_cast<std::uint64_t>(bursts_.sample());
    }
    --burst_left_;
    return clock_;
  }

  void append_fresh(std::vector<std::uint64_t>& ids, std::int64_t blocks) {
    for (std::int64_t k = 0; k < blocks; ++k) {
      ids.push_back(next_fresh_);
      next_fresh_ = id_mul_add(next_fresh_, 1, 1);
    }
  }

  // Request i's structure with this epoch's ids: its core blocks from the tree (stretched by
  // P), then its own suffix (scaled by Q) in fresh blocks.
  Request rebuild(std::size_t i) {
    const Request& in = m_.request(i);
    Request r;
    r.output_length = in.output_length;
    if (!in.input_length) {  // a literal prompt (text_input, messages, payload): as is
      r.text_input = in.text_input;
      r.extra = in.extra;
      return r;
    }
    r.input_length = in.input_length;
    if (!in.hash_ids || in.hash_ids->empty()) return r;

    std::vector<std::uint64_t> ids;
    const double P = p_.prefix_len_multiplier;
    std::uint32_t prev_depth = 0;
    const std::vector<NodeId> path = m_.core_path(i);
    for (NodeId v : path) {
      const std::uint32_t d = m_.depth(v);
      const auto blocks =
          static_cast<std::uint64_t>(std::floor(d * P) - std::floor(prev_depth * P));
      const std::uint64_t node = id_mul_add(epoch_, node_span_, v);
      for (std::uint64_t j = 0; j < blocks; ++j) ids.push_back(id_mul_add(node, per_node_, j));
      prev_depth = d;
    }
    const std::int64_t core_tokens = static_cast<std::int64_t>(ids.size()) * block();
    const std::int64_t suffix = *in.input_length - static_cast<std::int64_t>(path.size()) * block();
    std::int64_t isl = 0;
    if (suffix > 0) {
      const std::int64_t scaled = std::max<std::int64_t>(
          1, static_cast<std::int64_t>(static_cast<double>(suffix) * p_.prompt_len_multiplier));
      append_fresh(ids, ceil_div(scaled, block()));
      isl = core_tokens + scaled;
    } else if (!ids.empty()) {
      // The last shared block was partial (by less than a block, if the input is consistent).
      isl = core_tokens + std::max<std::int64_t>(suffix, 1 - block());
    } else {
      isl = std::max<std::int64_t>(1, block() + suffix);  // a squeezed-away prefix: one block
      append_fresh(ids, 1);
    }
    r.input_length = isl;
    r.hash_ids = std::move(ids);
    return r;
  }

  // Namespace, caps and the output multiplier.
  void finish(Request& r, std::uint64_t t) {
    if (r.hash_ids && p_.prefix_root_multiplier > 1) {
      const auto R = static_cast<std::uint64_t>(p_.prefix_root_multiplier);
      for (std::uint64_t& h : *r.hash_ids) h = id_mul_add(h, R, t);
    }
    if (r.input_length && p_.max_isl && *r.input_length > *p_.max_isl) {
      r.input_length = *p_.max_isl;
      if (r.hash_ids) r.hash_ids->resize(static_cast<std::size_t>(ceil_div(*p_.max_isl, block())));
    }
    if (r.output_length) {
      r.output_length = arith::scaled_output_length(*r.output_length, p_.output_len_multiplier,
                                                    p_.max_osl, false);
    }
  }

  const Model& m_;
  const SynthesisParams& p_;
  random::PyRandom rng_;  // session order and root namespaces
  EmpiricalSampler<std::int64_t> bursts_;
  EmpiricalSampler<double> gaps_;
  std::uint64_t per_node_;   // ids reserved per core node: ceil(P)
  std::uint64_t node_span_;  // node ids per epoch
  std::uint64_t next_fresh_ = 0;
  std::uint64_t epoch_ = 0;
  double clock_ = 0;
  bool started_ = false;
  std::uint64_t burst_left_ = 0;
};

}  // namespace

SampleStats sample_trace(std::span<const Request> input, const SynthesisParams& params,
                         std::uint64_t num_requests, const RequestSink& sink) {
  params.validate();
  if (input.empty()) throw UsageError("sample mode needs at least one input request");
  const Model model(input);
  SampleStats st = Generator(model, params, num_requests).run(num_requests, sink);
  st.learned_requests = input.size();
  return st;
}

}  // namespace kvtrace::synthesis
