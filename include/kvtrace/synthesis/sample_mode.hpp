#pragma once
// Sample mode of trace synthesis: learn a trace's prefix structure and generate any number
// of new requests from it (the Dynamo prefix data generator's idea, without its losses).
//
// Learning: the radix tree of all hash-id paths. Its "core" is the nodes that two or more
// requests pass through (shared prefixes); each request's path is a core part (up to the
// deepest core node on it) and its own suffix. Output ids are renumbered from the tree: a
// core node always gives the same ids, suffix blocks get fresh ids.
//
// Generating: Dynamo walks the tree drawing each step from the transition probabilities,
// which is sampling paths *with* replacement: popular prefixes are over-drawn and rare ones
// missed, which inflates the hit rate (measured: +0.026 on the FAST25 conversation trace) and
// separates suffix and output lengths from the path they came with. kvtrace walks *without*
// replacement: each epoch uses every learned path once, in a random order (consuming the
// visit counts of the walk is the same as shuffling the requests), keeping each path with its
// own suffix length, partial-block fill, output length and, for multi-turn traces, its whole
// session (turns, delays, growth). Every epoch after the first uses its own id namespace, so
// N far beyond the input repeats the traffic pattern rather than re-hitting the same
// prefixes ever more. Arrivals: burst sizes (requests per timestamp) and the gaps between
// timestamps are drawn from the input's.
//
// Knobs: speedup divides the gaps (and the offsets of later turns); P stretches the core (a
// node at depth d gives floor(d*P) - floor((d-1)*P) blocks, the same ids in every request); Q
// scales suffix tokens; R puts each session in namespace t ~ U{0..R-1} (id*R + t); the output
// multiplier, max OSL and max ISL (a cap, ids trimmed) apply as in rewrite mode.

#include <cstdint>
#include <functional>
#include <span>

#include "kvtrace/synthesis/synthesis_params.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::synthesis {

struct SampleStats {
  std::uint64_t learned_requests = 0;
  std::uint64_t core_nodes = 0;  // shared prefix blocks in the learned tree
  std::uint64_t generated = 0;
  std::uint64_t sessions = 0;  // generated sessions (a request without one counts as one)
  std::uint64_t epochs = 0;    // passes over the learned sessions
};

using RequestSink = std::function<void(const trace::Request&)>;

// Learns from `input` and hands `num_requests` generated requests to `sink`, in order.
// Deterministic for the same input, params (the seed included) and count. Throws
// UsageError for bad params or an empty input.
SampleStats sample_trace(std::span<const trace::Request> input, const SynthesisParams& params,
                         std::uint64_t num_requests, const RequestSink& sink);

// The identifier of sample mode's random stream under the root seed.
inline constexpr const char* kSampleStream = "kvtrace.synthesis.sample";

}  // namespace kvtrace::synthesis
