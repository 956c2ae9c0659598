#pragma once
// Rewrite mode of trace synthesis: AIPerf's per-trace rewrite (reference 4.3-4.6), applied
// to a whole trace in memory. Shared leading blocks are stretched or squeezed, the rest of
// each prompt is rescaled with fresh ids, requests are spread over R disjoint id namespaces,
// timestamps and output lengths are scaled and lengths capped.
//
// Two modes: kvtrace's (default) fixes AIPerf's known bugs (reference 4.10; docs/synthesize.md
// lists each), AIPerf-compat reproduces AIPerf's output exactly, and its errors.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/synthesis/synthesis_params.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::synthesis {

enum class RewriteMode {
  kKvtrace,       // AIPerf's algorithm with its bugs fixed
  kAiperfCompat,  // AIPerf MAIN-0707 byte for byte, its ValueError included
};

struct RewriteStats {
  std::uint64_t requests_in = 0;
  std::uint64_t dropped_over_max_isl = 0;  // AIPerf's loader filter: original ISL > max_isl
  bool rewritten = false;                  // false when no multiplier asked for a rewrite
  std::uint64_t shared_ids = 0;            // ids that occur more than once
  bool renumbered = false;      // AIPerf's numbering did not fit in 64 bits: shared ids renumbered
  std::uint64_t fresh_ids = 0;  // ids handed out for new blocks
  std::uint64_t partial_prefix = 0;  // shared prefixes ending in a partial block
  std::uint64_t capped_isl = 0;      // requests whose new ISL was capped at max_isl
  std::uint64_t capped_osl = 0;      // requests whose output_length was capped at max_osl
};

// Rewrites `requests` in place, in AIPerf's order (sessions grouped as its loader does).
// Requests dropped by the max_isl filter are removed. `source` and `lines` (1-based line of
// each request; may be empty) name the request in errors. Throws kvtrace::InputError for a
// request that cannot be rewritten or when the ids would exceed 64 bits even renumbered
// (docs/synthesize.md, "64-bit ids"), UsageError for bad params.
RewriteStats rewrite_trace(std::vector<trace::Request>& requests, const SynthesisParams& params,
                           RewriteMode mode, std::string_view source = {},
                           std::span<const std::uint64_t> lines = {});

// AIPerf's Synthesizer._apply_multipliers by itself (reference 4.4) for a caller that does
// the rest of the rewrite (kvtrace.aiperf, docs/python.md): every request in the given order,
// without the loader's steps (no max_isl filter, no session order, no multiplier gate, no
// bounds on the multipliers beyond AIPerf's >= 0) and without the root namespaces. Each
// request's hash_ids become its new ids (empty when it gets none), in AIPerf-compat mode.
// `source` and `lines` name a request in errors, as for rewrite_trace.
struct MultipliedIds {
  std::vector<std::int64_t> input_lengths;  // AIPerf's new ISL of each request
  std::uint64_t namespace_base = 0;         // AIPerf's final max_id + 1
  bool renumbered = false;                  // shared ids renumbered to fit 64 bits
};
MultipliedIds apply_multipliers(std::vector<trace::Request>& requests,
                                const SynthesisParams& params, std::string_view source = {},
                                std::span<const std::uint64_t> lines = {});

// What a user should know about a rewrite, one "kvtrace: note: ..." line each (with its
// newline), in this order: shared ids renumbered, no multiplier asked for a rewrite, requests
// dropped over max_isl, shared prefixes ending in a partial block, input and output lengths capped.
// Empty when there is nothing to say. `params` are the ones the rewrite ran with.
std::string rewrite_notes(const RewriteStats& stats, const SynthesisParams& params);

}  // namespace kvtrace::synthesis
