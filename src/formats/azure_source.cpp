#include "kvtrace/formats/azure_source.hpp"

#include "formats/csv_source.hpp"

namespace kvtrace::formats {

std::unique_ptr<trace::RequestSource> azure_source(std::unique_ptr<trace::LineReader> input,
                                                   std::uint32_t block_size) {
  const CsvTraceSpec spec{.format_name = "Azure LLM inference CSV",
                          .timestamp_column = "TIMESTAMP",
                          .calendar_time = true,
                          .input_column = "ContextTokens",
                          .output_column = "GeneratedTokens"};
  return std::make_unique<CsvTraceSource>(std::move(input), spec, block_size);
}

}  // namespace kvtrace::formats
