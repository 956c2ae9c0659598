#include "kvtrace/formats/open_trace.hpp"

#include <fmt/format.h>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/text_table.hpp"
#include "kvtrace/formats/azure_source.hpp"
#include "kvtrace/formats/bailian_source.hpp"
#include "kvtrace/formats/burstgpt_source.hpp"
#include "kvtrace/formats/detect.hpp"
#include "kvtrace/formats/dynamo_source.hpp"
#include "kvtrace/formats/infer_block_size.hpp"
#include "kvtrace/trace/mooncake_source.hpp"

namespace kvtrace::formats {

std::unique_ptr<trace::RequestSource> open_source(std::unique_ptr<trace::LineReader> input,
                                                  Format format,
                                                  const trace::ReaderOptions& options) {
  switch (format) {
    case Format::kMooncake:
      return std::make_unique<trace::MooncakeSource>(std::move(input));
    case Format::kDynamo:
      return std::make_unique<DynamoSource>(std::move(input));
    case Format::kBailian:
      return std::make_unique<BailianSource>(std::move(input));
    case Format::kBurstGpt:
      return burstgpt_source(std::move(input), options.block_size);
    case Format::kAzure:
      return azure_source(std::move(input), options.block_size);
    case Format::kAuto:
      break;
  }
  throw std::logic_error("open_source: the format must be chosen first");
}

OpenedSource open_trace_source(const std::string& path, trace::ReaderOptions options,
                               Format format) {
  auto input = std::make_unique<trace::LineReader>(path, options.max_line_bytes);
  if (format == Format::kAuto) {
    const Detection d = detect_input(input->peek(kDetectBytes));
    if (d.kind == InputKind::kRequests || d.kind == InputKind::kConversations ||
        d.kind == InputKind::kOther) {
      throw InputError(input->name(), 1, "", not_a_trace(d));
    }
    format = d.kind == InputKind::kTrace ? d.format : Format::kMooncake;
  }
  std::string note;
  if (options.block_size_auto && format == Format::kMooncake) {
    const std::string_view head = input->peek(kInferBlockSizeBytes);
    const trace::BlockSizeFit fit = fit_of_head(head, head.size() == kInferBlockSizeBytes);
    const std::optional<std::uint64_t> likely = fit.likely();
    if (likely) options.block_size = static_cast<std::uint32_t>(*likely);
    note = likely ? fmt::format(
                        "block size {} (--block-size auto: the sizes the first {} "
                        "requests with hash_ids fit: {})",
                        *likely, core::grouped_int(fit.requests()), fit.describe())
                  : fmt::format(
                        "block size {} (--block-size auto: no request at the start "
                        "of the trace has hash_ids that fit a size)",
                        options.block_size);
  }
  std::unique_ptr<trace::RequestSource> source = open_source(std::move(input), format, options);
  if (const auto recorded = source->block_size();
      recorded && (options.block_size_auto || !options.block_size_given)) {
    options.block_size = *recorded;
  }
  return {std::move(source), options, std::move(note)};
}

std::unique_ptr<trace::TraceReader> open_trace(const std::string& path,
                                               trace::ReaderOptions options, Format format) {
  OpenedSource opened = open_trace_source(path, std::move(options), format);
  auto reader = std::make_unique<trace::TraceReader>(std::move(opened.source), opened.options);
  if (!opened.note.empty()) reader->add_note(std::move(opened.note));
  return reader;
}

}  // namespace kvtrace::formats
