#include "kvtrace/formats/burstgpt_source.hpp"

#include <array>

#include "formats/csv_source.hpp"

namespace kvtrace::formats {

namespace {

// Request tokens + Response tokens.
constexpr std::array<std::string_view, 1> kDerived{"Total tokens"};

}  // namespace

std::unique_ptr<trace::RequestSource> burstgpt_source(std::unique_ptr<trace::LineReader> input,
                                                      std::uint32_t block_size) {
  const CsvTraceSpec spec{.format_name = "BurstGPT CSV",
                          .timestamp_column = "Timestamp",
                          .calendar_time = false,
                          .input_column = "Request tokens",
                          .output_column = "Response tokens",
                          .session_column = "Session ID",
                          .derived_columns = kDerived};
  return std::make_unique<CsvTraceSource>(std::move(input), spec, block_size);
}

}  // namespace kvtrace::formats
