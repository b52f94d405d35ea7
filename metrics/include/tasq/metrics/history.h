#pragma once
// The last minutes of throughput and latency, for the dashboard's charts:
// the running totals are recorded once a second, and a chart point is the
// difference between two records. Bounded: `seconds` records are kept.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "tasq/metrics/histogram.h"

namespace tasq::metrics {

/// Running totals since start.
struct Totals {
  std::uint64_t enqueued = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  std::uint64_t dead = 0;
  Histogram wait;
  Histogram run;
};

/// One chart point: rates over the second before `unix_seconds`, latency
/// quantiles over the attempts that ended in the `window` seconds before it
/// (one second holds too few ends to say much about a p95).
struct HistoryPoint {
  std::int64_t unix_seconds = 0;
  double enqueued_per_second = 0;
  double completed_per_second = 0;
  double failed_per_second = 0;
  double dead_per_second = 0;
  std::uint64_t ends = 0;  ///< attempts behind the quantiles
  double wait_p50 = 0, wait_p95 = 0, wait_p99 = 0;
  double run_p50 = 0, run_p95 = 0, run_p99 = 0;
};

class History {
 public:
  explicit History(std::size_t seconds = 300, std::size_t window = 5);

  /// The totals at `unix_seconds`; a time not after the last one recorded
  /// (a stepped clock) replaces that record.
  void record(std::int64_t unix_seconds, const Totals& totals);
  /// Points after `since` (unix seconds; 0 for all), oldest first.
  [[nodiscard]] std::vector<HistoryPoint> points(std::int64_t since = 0) const;
  [[nodiscard]] std::size_t size() const { return records_.size(); }
  /// The totals recorded at the latest second not after `unix_seconds`, or
  /// the oldest record when all are after it; nullptr when none is kept.
  [[nodiscard]] const Totals* at_or_before(std::int64_t unix_seconds) const;

 private:
  struct Record {
    std::int64_t unix_seconds;
    Totals totals;
  };

  std::size_t capacity_;
  std::size_t window_;
  std::deque<Record> records_;
};

}  // namespace tasq::metrics
