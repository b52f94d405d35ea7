#include "tasq/metrics/histogram.h"

#include <algorithm>

namespace tasq::metrics {

void Histogram::observe(double seconds) {
  if (!(seconds > 0)) seconds = 0;  // also NaN
  auto bound = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);
  ++counts_[static_cast<std::size_t>(bound - kLatencyBounds.begin())];
  ++count_;
  sum_ += seconds;
}

void Histogram::add(const Histogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
}

Histogram Histogram::since(const Histogram& earlier) const {
  Histogram delta;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    delta.counts_[i] = counts_[i] >= earlier.counts_[i] ? counts_[i] - earlier.counts_[i] : 0;
  }
  delta.count_ = count_ >= earlier.count_ ? count_ - earlier.count_ : 0;
  delta.sum_ = sum_ >= earlier.sum_ ? sum_ - earlier.sum_ : 0;
  return delta;
}

double Histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(count_);
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    const std::uint64_t in_bucket = counts_[i];
    if (in_bucket == 0 || static_cast<double>(below + in_bucket) < rank) {
      below += in_bucket;
      continue;
    }
    if (i == kLatencyBounds.size()) return kLatencyBounds.back();
    const double lower = i == 0 ? 0 : kLatencyBounds[i - 1];
    const double upper = kLatencyBounds[i];
    const double within = (rank - static_cast<double>(below)) / static_cast<double>(in_bucket);
    return lower + (upper - lower) * std::clamp(within, 0.0, 1.0);
  }
  return kLatencyBounds.back();
}

}  // namespace tasq::metrics
