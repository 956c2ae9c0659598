#include "kvtrace/formats/open_trace.hpp"

#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/azure_source.hpp"
#include "kvtrace/formats/burstgpt_source.hpp"
#include "kvtrace/formats/detect.hpp"
#include "kvtrace/trace/mooncake_source.hpp"

namespace kvtrace::formats {

std::unique_ptr<trace::RequestSource> open_source(std::unique_ptr<trace::LineReader> input,
                                                  Format format,
                                                  const trace::ReaderOptions& options) {
  switch (format) {
    case Format::kMooncake:
      return std::make_unique<trace::MooncakeSource>(std::move(input));
    case Format::kBurstGpt:
      return burstgpt_source(std::move(input), options.block_size);
    case Format::kAzure:
      return azure_source(std::move(input), options.block_size);
    case Format::kAuto:
      break;
    default:
      throw InputError(input->name(), 0, "",
                       "reading " + std::string(description(format)) + " is not built yet");
  }
  throw std::logic_error("open_source: the format must be chosen first");
}

std::unique_ptr<trace::TraceReader> open_trace(const std::string& path,
                                               trace::ReaderOptions options, Format format) {
  auto input = std::make_unique<trace::LineReader>(path, options.max_line_bytes);
  if (format == Format::kAuto) {
    const Detection d = detect_input(input->peek(kDetectBytes));
    if (d.kind == InputKind::kRequests || d.kind == InputKind::kConversations ||
        d.kind == InputKind::kOther) {
      throw InputError(input->name(), 1, "", not_a_trace(d));
    }
    format = d.kind == InputKind::kTrace ? d.format : Format::kMooncake;
  }
  std::unique_ptr<trace::RequestSource> source = open_source(std::move(input), format, options);
  if (const auto recorded = source->block_size(); recorded && !options.block_size_given) {
    options.block_size = *recorded;
  }
  return std::make_unique<trace::TraceReader>(std::move(source), options);
}

}  // namespace kvtrace::formats
