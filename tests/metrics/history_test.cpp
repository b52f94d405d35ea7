#include "tasq/metrics/history.h"

#include <gtest/gtest.h>

namespace tasq::metrics {
namespace {

TEST(History, PointsAreRatesBetweenRecords) {
  History history(60, 2);
  Totals totals;
  history.record(1000, totals);
  totals.enqueued = 10;
  totals.completed = 6;
  for (int i = 0; i < 6; ++i) totals.run.observe(0.2);
  history.record(1001, totals);
  totals.enqueued = 30;
  totals.completed = 10;
  totals.failed = 2;
  for (int i = 0; i < 4; ++i) totals.run.observe(0.2);
  history.record(1003, totals);  // a late tick: two seconds
  auto points = history.points();
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].unix_seconds, 1001);
  EXPECT_DOUBLE_EQ(points[0].enqueued_per_second, 10);
  EXPECT_DOUBLE_EQ(points[0].completed_per_second, 6);
  EXPECT_EQ(points[0].ends, 6u);
  EXPECT_DOUBLE_EQ(points[1].enqueued_per_second, 10);
  EXPECT_DOUBLE_EQ(points[1].completed_per_second, 2);
  EXPECT_DOUBLE_EQ(points[1].failed_per_second, 1);
  EXPECT_EQ(points[1].ends, 10u) << "the 2-record window reaches back to the first";
  EXPECT_GT(points[1].run_p50, 0.1);
  EXPECT_LE(points[1].run_p50, 0.25);
}

TEST(History, KeepsOnlyItsCapacity) {
  History history(10, 5);
  Totals totals;
  for (int t = 0; t < 100; ++t) {
    totals.completed += 3;
    history.record(t, totals);
  }
  EXPECT_EQ(history.size(), 11u);
  auto points = history.points();
  EXPECT_EQ(points.size(), 10u);
  EXPECT_EQ(points.back().unix_seconds, 99);
  EXPECT_DOUBLE_EQ(points.back().completed_per_second, 3);
}

TEST(History, SinceSkipsWhatTheCallerHas) {
  History history(10, 1);
  Totals totals;
  for (int t = 0; t < 5; ++t) history.record(t, totals);
  auto points = history.points(2);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].unix_seconds, 3);
}

TEST(History, AClockSteppedBackReplacesTheLastRecord) {
  History history(10, 1);
  Totals totals;
  history.record(100, totals);
  totals.completed = 5;
  history.record(101, totals);
  totals.completed = 7;
  history.record(50, totals);
  auto points = history.points();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_DOUBLE_EQ(points[0].completed_per_second, 7);
}

TEST(History, FindsTheRecordOfASecond) {
  History history(10, 1);
  EXPECT_EQ(history.at_or_before(5), nullptr);
  Totals totals;
  for (int t = 10; t < 15; ++t) {
    totals.completed = static_cast<std::uint64_t>(t);
    history.record(t, totals);
  }
  EXPECT_EQ(history.at_or_before(12)->completed, 12u);
  EXPECT_EQ(history.at_or_before(100)->completed, 14u);
  EXPECT_EQ(history.at_or_before(3)->completed, 10u) << "the oldest kept";
}

}  // namespace
}  // namespace tasq::metrics
