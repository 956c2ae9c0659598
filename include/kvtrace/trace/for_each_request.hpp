#pragma once
// The pass over a whole trace that every tool makes: the requests in batches (read_batched),
// a progress line on stderr, the reader's notes on stderr (skipped lines, requests outside
// the time window, hash_ids count mismatches) and one error for a trace without requests.
//
// It lives in the trace part, not in the command-line tool, because the library makes this
// pass too (cache::run_sweep reads the trace for its first simulation) and a library part
// cannot see the tool; hence core::Progress. The pieces that write nothing (reader_notes,
// no_requests) are separate for callers that report in their own way.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/batch_reader.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::trace {

// The counts a user must know about, one "kvtrace: warning: ..." or "kvtrace: note: ..."
// line each (with its newline); empty when there is nothing to say.
std::string reader_notes(const ReaderCounts& counts);

// The error for a trace that gave no request: "<name>: the file is empty: no requests to
// <verb>" when it has no line at all, "<name>: no requests to <verb>" otherwise.
InputError no_requests(const TraceReader& reader, std::string_view verb);

// Hands every request of `reader` to `consume`, batch by batch in file order, with a
// progress line labelled `verb`; then writes reader_notes to stderr and throws
// no_requests(reader, verb) when there was no request. Errors of the reader and of
// `consume` propagate as in read_batched (the notes are not written then). Returns the
// number of requests.
std::uint64_t for_each_request(TraceReader& reader, std::string_view verb,
                               const BatchConsumer& consume);

// Reads a whole trace into memory with for_each_request (progress, the reader's notes, the
// error when there is no request to `verb`). `lines`, when given, gets the 1-based line of
// each request.
std::vector<Request> read_requests(TraceReader& reader, std::string_view verb,
                                   std::vector<std::uint64_t>* lines = nullptr);

// The number of items a whole file holds, extrapolated from the `items` read up to byte
// `position` of the file (RequestBatch::position: compressed bytes for compressed input, as
// total_bytes()) with 10% to spare; `items` when the size is unknown (stdin). For sizing
// arrays once instead of growing them.
std::uint64_t extrapolate(const TraceReader& reader, std::uint64_t items, std::uint64_t position);

}  // namespace kvtrace::trace
