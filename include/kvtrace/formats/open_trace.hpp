#pragma once
// Opens a trace of any format for reading: looks at its first line (Format::kAuto), says
// clearly when the input is not a trace, and puts the format's RequestSource under a
// TraceReader, so that every trace command reads every format the same way.

#include <memory>
#include <string>

#include "kvtrace/formats/format.hpp"
#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request_source.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::formats {

// The source that reads `input` as `format` (not kAuto). Formats without block ids give
// each block of `options.block_size` tokens an id of its own.
std::unique_ptr<trace::RequestSource> open_source(std::unique_ptr<trace::LineReader> input,
                                                  Format format,
                                                  const trace::ReaderOptions& options);

// What open_trace puts under its reader: the source that reads `path` and the options settled
// for it (the block size the user gave, the format records, or --block-size auto inferred),
// with the note that says how auto chose (empty otherwise). For a reader of the records
// themselves (kvtrace validate).
struct OpenedSource {
  std::unique_ptr<trace::RequestSource> source;
  trace::ReaderOptions options;
  std::string note;
};
OpenedSource open_trace_source(const std::string& path, trace::ReaderOptions options,
                               Format format = Format::kAuto);

// Opens `path` ("-": stdin) as `format`; kAuto detects it (detect_input). Throws IoError when
// it cannot be opened, and InputError (line 1) when kAuto finds something other than a trace
// (not_a_trace). When the format records its block size, the reader uses it, unless
// `options.block_size_given`.
std::unique_ptr<trace::TraceReader> open_trace(const std::string& path,
                                               trace::ReaderOptions options,
                                               Format format = Format::kAuto);

}  // namespace kvtrace::formats
