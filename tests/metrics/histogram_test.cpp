#include "tasq/metrics/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tasq::metrics {
namespace {

std::size_t bucket_of(double value) {
  Histogram h;
  h.observe(value);
  for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
    if (h.counts()[i] == 1) return i;
  }
  return Histogram::kBuckets;
}

TEST(Histogram, AValueOnABoundLandsInThatBucket) {
  EXPECT_EQ(bucket_of(0.0001), 0u);
  EXPECT_EQ(bucket_of(0.00010001), 1u);
  EXPECT_EQ(bucket_of(1.0), 12u);
  EXPECT_EQ(kLatencyBounds[12], 1.0);
  EXPECT_EQ(bucket_of(1800), kLatencyBounds.size() - 1);
  EXPECT_EQ(bucket_of(1800.5), kLatencyBounds.size()) << "+Inf";
}

TEST(Histogram, NegativeAndNanCountAsZero) {
  Histogram h;
  h.observe(-3);
  h.observe(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(h.counts()[0], 2u);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.sum(), 0);
}

TEST(Histogram, CountsAndSum) {
  Histogram h;
  for (double v : {0.002, 0.003, 0.2, 7.0}) h.observe(v);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 7.205);
}

TEST(Histogram, QuantileInterpolatesWithinTheBucket) {
  Histogram h;
  // 100 values in (0.1, 0.25]: the median is halfway through that bucket.
  for (int i = 0; i < 100; ++i) h.observe(0.2);
  EXPECT_DOUBLE_EQ(h.quantile(0.5), 0.175);
  EXPECT_DOUBLE_EQ(h.quantile(1.0), 0.25);
  Histogram empty;
  EXPECT_EQ(empty.quantile(0.5), 0);
}

TEST(Histogram, QuantileFindsTheRightBucket) {
  Histogram h;
  for (int i = 0; i < 90; ++i) h.observe(0.0004);  // (0.00025, 0.0005]
  for (int i = 0; i < 10; ++i) h.observe(2.0);     // (1, 2.5]
  EXPECT_GT(h.quantile(0.5), 0.00025);
  EXPECT_LE(h.quantile(0.5), 0.0005);
  EXPECT_GT(h.quantile(0.95), 1.0);
  EXPECT_LE(h.quantile(0.95), 2.5);
}

TEST(Histogram, QuantileInTheInfBucketIsTheLastBound) {
  Histogram h;
  h.observe(5000);
  EXPECT_EQ(h.quantile(0.5), kLatencyBounds.back());
}

TEST(Histogram, SinceGivesTheObservationsInBetween) {
  Histogram h;
  h.observe(0.001);
  Histogram earlier = h;
  h.observe(3);
  h.observe(3);
  Histogram delta = h.since(earlier);
  EXPECT_EQ(delta.count(), 2u);
  EXPECT_DOUBLE_EQ(delta.sum(), 6);
  EXPECT_EQ(delta.counts()[3], 0u);
  EXPECT_EQ(delta.quantile(0.5), h.since(earlier).quantile(0.5));
  Histogram merged = earlier;
  merged.add(delta);
  EXPECT_EQ(merged.counts(), h.counts());
  EXPECT_EQ(merged.count(), h.count());
}

}  // namespace
}  // namespace tasq::metrics
