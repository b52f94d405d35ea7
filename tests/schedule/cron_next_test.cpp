// next_due: calendar edges and daylight saving, in fixed time zones.

#include <gtest/gtest.h>

#include <vector>

#include "cron_test_support.h"

namespace tasq::schedule {
namespace {

using test::local;
using test::schedule_of;
using test::show;

// The due times of `fields` from `from` on, `count` of them.
std::vector<std::string> due_times(const std::string& fields, Clock::time_point from, int count) {
  auto schedule = schedule_of(fields);
  std::vector<std::string> out;
  std::optional<Clock::time_point> at = from;
  for (int i = 0; i < count && at; ++i) {
    at = next_due(schedule, *at);
    out.push_back(show(at));
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(CronNext, EveryMinuteAcrossAMonthAndYearEnd) {
  test::ScopedTz tz("UTC");
  EXPECT_EQ(due_times("* * * * *", local(2024, 1, 31, 23, 58, 30), 3),
            (Strings{"2024-01-31 23:59:00 UTC", "2024-02-01 00:00:00 UTC",
                     "2024-02-01 00:01:00 UTC"}));
  EXPECT_EQ(due_times("* * * * *", local(2023, 12, 31, 23, 59), 1),
            (Strings{"2024-01-01 00:00:00 UTC"}));
}

TEST(CronNext, StrictlyAfter) {
  test::ScopedTz tz("UTC");
  EXPECT_EQ(due_times("30 2 * * *", local(2024, 5, 1, 2, 30), 1),
            (Strings{"2024-05-02 02:30:00 UTC"}));
  EXPECT_EQ(due_times("30 2 * * *", local(2024, 5, 1, 2, 29, 59), 1),
            (Strings{"2024-05-01 02:30:00 UTC"}));
}

TEST(CronNext, LeapDay) {
  test::ScopedTz tz("UTC");
  EXPECT_EQ(due_times("0 0 29 2 *", local(2023, 3, 1, 0, 0), 3),
            (Strings{"2024-02-29 00:00:00 UTC", "2028-02-29 00:00:00 UTC",
                     "2032-02-29 00:00:00 UTC"}));
  // 2100 is no leap year.
  EXPECT_EQ(due_times("0 0 29 2 *", local(2096, 3, 1, 0, 0), 1),
            (Strings{"2104-02-29 00:00:00 UTC"}));
}

TEST(CronNext, MonthEndsSkipMissingDays) {
  test::ScopedTz tz("UTC");
  EXPECT_EQ(due_times("0 12 31 * *", local(2024, 1, 31, 13, 0), 3),
            (Strings{"2024-03-31 12:00:00 UTC", "2024-05-31 12:00:00 UTC",
                     "2024-07-31 12:00:00 UTC"}));
}

TEST(CronNext, StepsRangesAndNames) {
  test::ScopedTz tz("UTC");
  // 2024-06-07 is a Friday.
  EXPECT_EQ(due_times("*/20 9-10 * * mon-fri", local(2024, 6, 7, 10, 30), 4),
            (Strings{"2024-06-07 10:40:00 UTC", "2024-06-10 09:00:00 UTC",
                     "2024-06-10 09:20:00 UTC", "2024-06-10 09:40:00 UTC"}));
  EXPECT_EQ(due_times("0 0 1 jan,jul *", local(2024, 2, 1, 0, 0), 2),
            (Strings{"2024-07-01 00:00:00 UTC", "2025-01-01 00:00:00 UTC"}));
}

TEST(CronNext, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  test::ScopedTz tz("UTC");
  // The 13th, or any Friday: 2024-09-06 (Fri), 09-13 (Fri, 13th), 09-20 (Fri).
  EXPECT_EQ(due_times("0 0 13 * fri", local(2024, 9, 1, 0, 0), 3),
            (Strings{"2024-09-06 00:00:00 UTC", "2024-09-13 00:00:00 UTC",
                     "2024-09-20 00:00:00 UTC"}));
  // With one of them '*', the other alone decides.
  EXPECT_EQ(due_times("0 0 13 * *", local(2024, 9, 1, 0, 0), 1),
            (Strings{"2024-09-13 00:00:00 UTC"}));
  EXPECT_EQ(due_times("0 0 * * 7", local(2024, 9, 1, 0, 0), 1),
            (Strings{"2024-09-08 00:00:00 UTC"}));
}

// America/New_York 2024: 03-10 02:00 EST -> 03:00 EDT; 11-03 02:00 EDT -> 01:00 EST.
TEST(CronNext, SpringForwardGapFiresOnceAtTheFirstMinuteAfterIt) {
  test::ScopedTz tz("America/New_York");
  EXPECT_EQ(due_times("30 2 * * *", local(2024, 3, 9, 12, 0), 3),
            (Strings{"2024-03-10 03:00:00 EDT", "2024-03-11 02:30:00 EDT",
                     "2024-03-12 02:30:00 EDT"}));
  // Every minute: the whole skipped hour is one firing, at 03:00.
  EXPECT_EQ(due_times("* * * * *", local(2024, 3, 10, 1, 58), 3),
            (Strings{"2024-03-10 01:59:00 EST", "2024-03-10 03:00:00 EDT",
                     "2024-03-10 03:01:00 EDT"}));
  EXPECT_EQ(due_times("*/15 2 * * *", local(2024, 3, 10, 0, 0), 2),
            (Strings{"2024-03-10 03:00:00 EDT", "2024-03-11 02:00:00 EDT"}));
}

TEST(CronNext, FallBackRepeatedTimeFiresOnce) {
  test::ScopedTz tz("America/New_York");
  EXPECT_EQ(due_times("30 1 * * *", local(2024, 11, 2, 12, 0), 3),
            (Strings{"2024-11-03 01:30:00 EDT", "2024-11-04 01:30:00 EST",
                     "2024-11-05 01:30:00 EST"}));
  // Started in the repeated hour after 01:30 had passed the first time.
  EXPECT_EQ(due_times("30 1 * * *", local(2024, 11, 3, 1, 10, 0, 0), 1),
            (Strings{"2024-11-04 01:30:00 EST"}));
}

TEST(CronNext, FallBackRepeatedHourIsANewHourForHourlyLines) {
  test::ScopedTz tz("America/New_York");
  EXPECT_EQ(due_times("0 * * * *", local(2024, 11, 3, 0, 30), 3),
            (Strings{"2024-11-03 01:00:00 EDT", "2024-11-03 01:00:00 EST",
                     "2024-11-03 02:00:00 EST"}));
  EXPECT_EQ(due_times("* * * * *", local(2024, 11, 3, 1, 58, 0, 1), 3),
            (Strings{"2024-11-03 01:59:00 EDT", "2024-11-03 01:00:00 EST",
                     "2024-11-03 01:01:00 EST"}));
}

// Europe/Berlin 2024: 03-31 02:00 CET -> 03:00 CEST; 10-27 03:00 CEST -> 02:00 CET.
TEST(CronNext, Berlin) {
  test::ScopedTz tz("Europe/Berlin");
  EXPECT_EQ(due_times("15 2 * * *", local(2024, 3, 30, 12, 0), 2),
            (Strings{"2024-03-31 03:00:00 CEST", "2024-04-01 02:15:00 CEST"}));
  EXPECT_EQ(due_times("30 2 * * *", local(2024, 10, 26, 12, 0), 2),
            (Strings{"2024-10-27 02:30:00 CEST", "2024-10-28 02:30:00 CET"}));
}

TEST(CronNext, IntervalIsAfterPlusEvery) {
  auto at = Clock::from_time_t(1'700'000'000);
  EXPECT_EQ(next_due(schedule_of("@every 500ms"), at), at + std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace tasq::schedule
