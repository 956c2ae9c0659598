// Traces as columns of NumPy arrays: read_trace and write_trace (docs/python.md).

#include <pybind11/stl.h>

#include <cmath>
#include <limits>

#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/format.hpp"
#include "kvtrace/formats/open_trace.hpp"
#include "kvtrace/trace/for_each_request.hpp"
#include "kvtrace/trace/trace_writer.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {
namespace {

constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

std::string extra_json(const trace::Request& r) {
  std::string out = "{";
  for (const trace::ExtraField& f : r.extra) {
    if (out.size() > 1) out += ", ";
    out += '"' + f.key + "\": " + f.raw_value;
  }
  return out + "}";
}

py::dict read_trace(const std::string& path, const OpenOptions& o) {
  const ResolvedOpen opening = resolve(path, o);
  TraceColumns c;
  std::uint32_t block_size = 0;
  std::string format;
  run_interruptible([&](const std::atomic<bool>* stop) {
    const std::unique_ptr<trace::TraceReader> reader = open_resolved(opening, stop);
    block_size = reader->options().block_size;
    format = std::string(reader->source().format_name());
    trace::for_each_request(*reader, "read", [&](const trace::RequestBatch& batch) {
      for (std::size_t i = 0; i < batch.requests.size(); ++i) {
        c.add(batch.requests[i], batch.lines[i]);
      }
    });
    return 0;
  });
  return std::move(c).to_dict(block_size, format);
}

std::optional<trace::Number> number(double v) {
  if (std::isnan(v)) return std::nullopt;
  if (v == std::floor(v) && std::abs(v) < 9.0e15) {
    return trace::Number::of_int(static_cast<std::int64_t>(v));
  }
  return trace::Number::of_real(v);
}

// The rows of `d` as Requests, each handed to `write`.
template <typename Write>
void for_each_row(const py::dict& d, Write&& write) {
  const auto ts = column<double>(d, "timestamp");
  const auto isl = column<std::int64_t>(d, "input_length");
  const auto osl = column<std::int64_t>(d, "output_length");
  const auto offsets = column<std::int64_t>(d, "offsets");
  const auto ids = column<std::uint64_t>(d, "ids");
  const py::ssize_t n = ts.size();
  if (isl.size() != n || osl.size() != n || offsets.size() != n + 1) {
    throw UsageError("columns",
                     "timestamp, input_length and output_length need one value per "
                     "request and offsets one more");
  }
  const auto optional_strings = [&](const char* name) {
    std::vector<std::optional<std::string>> v;
    if (d.contains(name)) v = d[name].cast<std::vector<std::optional<std::string>>>();
    if (!v.empty() && static_cast<py::ssize_t>(v.size()) != n) {
      throw UsageError(name, "needs one value per request");
    }
    return v;
  };
  const auto sessions = optional_strings("session_id");
  std::vector<double> delays;
  if (d.contains("delay")) {
    const auto a = column<double>(d, "delay");
    if (a.size() != n) throw UsageError("delay", "needs one value per request");
    delays.assign(a.data(), a.data() + a.size());
  }
  const std::span<const std::uint64_t> all_ids(ids.data(), static_cast<std::size_t>(ids.size()));
  trace::Request r;
  r.hash_ids.emplace();
  for (py::ssize_t i = 0; i < n; ++i) {
    const std::span<const std::uint64_t> row = csr_row(offsets.data(), all_ids, i);
    r.timestamp = number(ts.at(i));
    r.input_length = isl.at(i) < 0 ? std::nullopt : std::optional(isl.at(i));
    r.output_length = osl.at(i) < 0 ? std::nullopt : std::optional(osl.at(i));
    r.hash_ids->assign(row.begin(), row.end());
    r.session_id = sessions.empty() ? std::nullopt : sessions[i];
    r.delay = delays.empty() ? std::nullopt : number(delays[i]);
    write(r);
  }
}

void write_trace(const std::string& path, const py::dict& d) {
  trace::TraceWriter writer(path);
  for_each_row(d, [&](const trace::Request& r) { writer.write(r); });
  writer.close();
}

}  // namespace

void TraceColumns::add(const trace::Request& r, std::uint64_t line) {
  timestamp_.push_back(r.timestamp ? r.timestamp->value() : kNone);
  input_length_.push_back(r.input_length.value_or(-1));
  output_length_.push_back(r.output_length.value_or(-1));
  if (r.hash_ids) ids_.insert(ids_.end(), r.hash_ids->begin(), r.hash_ids->end());
  offsets_.push_back(static_cast<std::int64_t>(ids_.size()));
  session_id_.push_back(r.session_id);
  delay_.push_back(r.delay ? r.delay->value() : kNone);
  extra_.push_back(r.extra.empty() ? std::nullopt : std::optional(extra_json(r)));
  line_.push_back(line);
}

py::dict TraceColumns::to_dict(std::uint32_t block_size, const std::string& format) && {
  py::dict d;
  d["timestamp"] = to_numpy(std::move(timestamp_));
  d["input_length"] = to_numpy(std::move(input_length_));
  d["output_length"] = to_numpy(std::move(output_length_));
  d["offsets"] = to_numpy(std::move(offsets_));
  d["ids"] = to_numpy(std::move(ids_));
  d["session_id"] = py::cast(session_id_);
  d["delay"] = to_numpy(std::move(delay_));
  d["extra"] = py::cast(extra_);
  d["line"] = to_numpy(std::move(line_));
  d["block_size"] = block_size;
  d["format"] = format;
  return d;
}

const char* const kOpenOptionsDoc = R"(
    block_size: tokens per block: None (512, or the size the format records), an int, or
        "auto" (the size the trace's first requests fit).
    format_in: "auto" (detected), "mooncake", "dynamo", "bailian", "burstgpt" or "azure".
    skip_invalid: skip bad lines and count them instead of raising InputError.
    start_ms, end_ms: leave out requests outside this time window (counted).
    hash_id_check: "ignore", "warn" or "error" when len(hash_ids) does not fit input_length.)";

ResolvedOpen resolve(const std::string& path, const OpenOptions& o) {
  ResolvedOpen out{path, {}, formats::Format::kAuto};
  trace::ReaderOptions& r = out.options;
  if (py::isinstance<py::str>(o.block_size)) {
    if (o.block_size.cast<std::string>() != "auto") {
      throw UsageError("block_size", "expected an int, \"auto\" or None");
    }
    r.block_size_auto = true;
  } else if (!o.block_size.is_none()) {
    const auto b = o.block_size.cast<std::int64_t>();
    if (b < 1 || b > (1 << 30)) throw UsageError("block_size", "must be between 1 and 2^30");
    r.block_size = static_cast<std::uint32_t>(b);
    r.block_size_given = true;
  }
  r.skip_invalid = o.skip_invalid;
  r.window.start_ms = o.start_ms;
  r.window.end_ms = o.end_ms;
  if (o.hash_id_check == "ignore") {
    r.hash_id_check = trace::HashIdCheck::kIgnore;
  } else if (o.hash_id_check == "error") {
    r.hash_id_check = trace::HashIdCheck::kError;
  } else if (o.hash_id_check != "warn") {
    throw UsageError("hash_id_check", "expected \"ignore\", \"warn\" or \"error\"");
  }
  const auto format = formats::parse_format(o.format_in);
  if (!format) throw UsageError("format_in", "unknown format \"" + o.format_in + "\"");
  out.format = *format;
  return out;
}

std::span<const std::uint64_t> csr_row(const std::int64_t* offsets,
                                       std::span<const std::uint64_t> ids, std::size_t i) {
  const std::int64_t begin = offsets[i];
  const std::int64_t end = offsets[i + 1];
  if (begin < 0 || end < begin || static_cast<std::uint64_t>(end) > ids.size()) {
    throw UsageError("offsets", "must rise from 0 to len(ids), at request " + std::to_string(i));
  }
  return ids.subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin));
}

std::unique_ptr<trace::TraceReader> open_resolved(ResolvedOpen r, const std::atomic<bool>* stop) {
  r.options.stop = stop;
  return formats::open_trace(r.path, r.options, r.format);
}

void bind_trace(py::module_& m) {
  m.def(
      "read_trace",
      [](const std::string& path, py::object block_size, std::string format_in, bool skip_invalid,
         std::optional<double> start_ms, std::optional<double> end_ms, std::string hash_id_check) {
        return read_trace(path, {block_size, std::move(format_in), skip_invalid, start_ms, end_ms,
                                 std::move(hash_id_check)});
      },
      py::arg("path"), py::kw_only(), py::arg("block_size") = py::none(),
      py::arg("format_in") = "auto", py::arg("skip_invalid") = false,
      py::arg("start_ms") = py::none(), py::arg("end_ms") = py::none(),
      py::arg("hash_id_check") = "warn",
      (std::string("Reads a trace of any format into columns (see kvtrace.read_trace).") +
       kOpenOptionsDoc)
          .c_str());
  m.def("write_trace", &write_trace, py::arg("path"), py::arg("columns"),
        "Writes columns (as read_trace returns them) as Mooncake JSONL.");
}

}  // namespace kvtrace::python
