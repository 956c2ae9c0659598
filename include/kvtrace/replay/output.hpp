#pragma once
// The replay's outputs (docs/replay.md, "Outputs"): one JSON line and one CSV row per
// record, the summary as JSON and as a table, and the output directory's record files,
// flushed record by record so an interrupted run keeps everything that ended.

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "kvtrace/core/output_file.hpp"
#include "kvtrace/replay/metrics.hpp"
#include "kvtrace/replay/record.hpp"

namespace kvtrace::replay {

// What the summary says about the run's set-up.
struct RunInfo {
  std::string input;
  std::string url;
  std::string mode;  // "trace", "rate" or "concurrency"
  double speedup = 1;
  double rate = 0;
  std::uint32_t concurrency = 0;
  std::uint64_t seed = 0;
  std::string slo;  // as given, "" for none
  bool interrupted = false;
};

void append_record_json(std::string& out, const Record& r);  // one line, '\n' included
std::string_view csv_header();                               // '\n' included
void append_record_csv(std::string& out, const Record& r);   // '\n' included

std::string summary_json(const RunSummary& s, const RunInfo& info);
std::string summary_table(const RunSummary& s, const RunInfo& info);

// records.jsonl and records.csv in a directory (created). Lines are formatted by write() and
// written and flushed by a background thread as soon as they come, so the replay's thread
// never waits on the disk and a killed run keeps every record that ended. After a failed
// write (a full disk) nothing more is written.
class RecordFiles {
 public:
  // Throws IoError. `on_failure`, when set, gets the first failed write's IoError at once, on
  // the writer's thread (replay() stops the run with it).
  explicit RecordFiles(const std::string& dir,
                       std::function<void(std::exception_ptr)> on_failure = {});
  ~RecordFiles();
  RecordFiles(const RecordFiles&) = delete;
  RecordFiles& operator=(const RecordFiles&) = delete;

  void write(const Record& r);  // throws IoError when an earlier write failed
  void close();                 // writes what is pending; throws IoError

 private:
  void drain();

  core::OutputFile jsonl_;
  core::OutputFile csv_;
  std::function<void(std::exception_ptr)> on_failure_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_jsonl_;  // guarded by mutex_
  std::string pending_csv_;    // guarded by mutex_
  std::string error_;          // guarded by mutex_: the first write error
  bool stop_ = false;          // guarded by mutex_
  std::thread writer_;
};

}  // namespace kvtrace::replay
