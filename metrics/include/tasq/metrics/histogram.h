#pragma once
// A latency histogram in seconds with fixed bucket bounds, as Prometheus
// histograms are: each observation lands in the first bucket whose upper
// bound is at least the value. The bounds are one compile-time table, so a
// histogram is a flat array of counters that copies and subtracts cheaply
// (the dashboard's per-second history keeps one per second).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tasq::metrics {

/// Upper bounds in seconds, ascending; a last bucket (+Inf) follows them.
/// From 100 us (a push handed straight to an idle worker) to 30 min (a long
/// `exec:` task).
inline constexpr std::array<double, 20> kLatencyBounds{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25,   0.5,     1,      2.5,   5,      10,    30,   60,    300,  1800};

class Histogram {
 public:
  static constexpr std::size_t kBuckets = kLatencyBounds.size() + 1;
  using Counts = std::array<std::uint64_t, kBuckets>;

  /// Counts one value; negative values (a clock that stepped) count as 0.
  void observe(double seconds);
  /// Adds every count and the sum of `other` (merging series).
  void add(const Histogram& other);
  /// This minus an earlier state of the same histogram: the observations
  /// made in between. `earlier` must not be later than this.
  [[nodiscard]] Histogram since(const Histogram& earlier) const;

  /// Per bucket, not cumulative; the last is the +Inf bucket.
  [[nodiscard]] const Counts& counts() const { return counts_; }
  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] double sum() const { return sum_; }

  /// The q-quantile (0 <= q <= 1) estimated as Prometheus's
  /// histogram_quantile does: linear within the bucket the rank falls in,
  /// the last finite bound when it falls in +Inf. 0 when empty.
  [[nodiscard]] double quantile(double q) const;

 private:
  Counts counts_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace tasq::metrics
