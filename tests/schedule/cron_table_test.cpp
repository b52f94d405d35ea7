// CronTable with a fake clock: each due time fires once, through stalls,
// clock steps and daylight saving.

#include <gtest/gtest.h>

#include <vector>

#include "cron_test_support.h"
#include "tasq/schedule/cron_table.h"

namespace tasq::schedule {
namespace {

using namespace std::chrono_literals;
using test::local;
using test::show;

CronLine line(const std::string& text) {
  auto parsed = parse_cron_line(text);
  if (!parsed) throw std::runtime_error(parsed.error().message());
  return parsed.value();
}

// A table and the log of what it fired, as "payload@due".
struct Harness {
  Harness(std::vector<std::string> texts, Clock::time_point start)
      : table(make(texts), start) {}

  static std::vector<CronLine> make(const std::vector<std::string>& texts) {
    std::vector<CronLine> lines;
    for (const auto& t : texts) lines.push_back(line(t));
    return lines;
  }

  std::size_t at(Clock::time_point now) {
    return table.fire_due(now, [&](const CronTable::Entry& entry, std::size_t) {
      fired.push_back(entry.line.payload + "@" + show(entry.last_fired));
    });
  }

  // Ticks the clock from `from` to `to` in `step`s, like a timer would.
  std::size_t run(Clock::time_point from, Clock::time_point to, Clock::duration step) {
    std::size_t n = 0;
    for (auto now = from; now <= to; now += step) n += at(now);
    return n;
  }

  CronTable table;
  std::vector<std::string> fired;
};

using Strings = std::vector<std::string>;

TEST(CronTable, FiresEachDueMinuteOnceAcrossAMonthEnd) {
  test::ScopedTz tz("UTC");
  Harness h({"* * * * * q m"}, local(2024, 1, 31, 23, 58, 30));
  EXPECT_EQ(show(h.table.next_wake()), "2024-01-31 23:59:00 UTC");
  EXPECT_EQ(h.run(local(2024, 1, 31, 23, 58, 30), local(2024, 2, 1, 0, 1, 30), 10s), 3u);
  EXPECT_EQ(h.fired, (Strings{"m@2024-01-31 23:59:00 UTC", "m@2024-02-01 00:00:00 UTC",
                              "m@2024-02-01 00:01:00 UTC"}));
  EXPECT_EQ(show(h.table.next_wake()), "2024-02-01 00:02:00 UTC");
}

TEST(CronTable, DoesNotFireTheMinuteItStartsIn) {
  test::ScopedTz tz("UTC");
  // A restart 20 s into a minute already fired does not fire it again.
  Harness h({"0 10 * * * q m"}, local(2024, 5, 1, 10, 0, 20));
  EXPECT_EQ(h.run(local(2024, 5, 1, 10, 0, 20), local(2024, 5, 1, 11, 0), 1s), 0u);
  EXPECT_EQ(show(h.table.next_wake()), "2024-05-02 10:00:00 UTC");
}

TEST(CronTable, AStallFiresOnce) {
  test::ScopedTz tz("UTC");
  Harness h({"* * * * * q m", "0 * * * * q h"}, local(2024, 5, 1, 10, 0, 30));
  // Suspended at 10:00:30, woken at 13:20:05: one firing each, not 200.
  EXPECT_EQ(h.at(local(2024, 5, 1, 13, 20, 5)), 2u);
  EXPECT_EQ(h.fired, (Strings{"m@2024-05-01 10:01:00 UTC", "h@2024-05-01 11:00:00 UTC"}));
  EXPECT_EQ(show(h.table.next_wake()), "2024-05-01 13:21:00 UTC");
  EXPECT_EQ(h.at(local(2024, 5, 1, 13, 20, 59)), 0u);
  EXPECT_EQ(h.at(local(2024, 5, 1, 13, 21, 0)), 1u);
}

TEST(CronTable, AClockJumpBackDoesNotRefire) {
  test::ScopedTz tz("UTC");
  Harness h({"* * * * * q m"}, local(2024, 5, 1, 10, 0, 30));
  EXPECT_EQ(h.at(local(2024, 5, 1, 10, 1, 0)), 1u);
  EXPECT_EQ(h.at(local(2024, 5, 1, 10, 1, 40)), 0u);
  // Stepped back 20 minutes: 09:42..10:01 were fired (or passed) already.
  EXPECT_EQ(h.run(local(2024, 5, 1, 9, 41, 40), local(2024, 5, 1, 10, 1, 59), 10s), 0u);
  EXPECT_EQ(h.at(local(2024, 5, 1, 10, 2, 0)), 1u);
  EXPECT_EQ(h.fired, (Strings{"m@2024-05-01 10:01:00 UTC", "m@2024-05-01 10:02:00 UTC"}));
}

TEST(CronTable, AClockCorrectionOfHoursStartsOver) {
  test::ScopedTz tz("UTC");
  Harness h({"* * * * * q m"}, local(2024, 5, 1, 10, 0, 30));
  EXPECT_EQ(h.at(local(2024, 5, 1, 10, 1, 0)), 1u);
  // Five hours back: the old clock was wrong; wait for the new next minute.
  EXPECT_EQ(h.at(local(2024, 5, 1, 5, 1, 10)), 0u);
  EXPECT_EQ(show(h.table.next_wake()), "2024-05-01 05:02:00 UTC");
  EXPECT_EQ(h.at(local(2024, 5, 1, 5, 2, 0)), 1u);
}

TEST(CronTable, SmallStepsBackDoNotAddUpToALongSilence) {
  test::ScopedTz tz("UTC");
  Harness h({"* * * * * q m"}, local(2024, 5, 1, 10, 0, 30));
  EXPECT_EQ(h.at(local(2024, 5, 1, 10, 1, 0)), 1u);
  EXPECT_EQ(h.at(local(2024, 5, 1, 8, 1, 10)), 0u);  // 2 h back: kept
  EXPECT_EQ(h.at(local(2024, 5, 1, 6, 1, 10)), 0u);  // 4 h behind the latest: start over
  EXPECT_EQ(h.at(local(2024, 5, 1, 6, 2, 0)), 1u);
}

TEST(CronTable, SpringForwardNight) {
  test::ScopedTz tz("America/New_York");
  Harness h({"30 2 * * * q nightly", "0 * * * * q hourly"}, local(2024, 3, 10, 0, 30));
  h.run(local(2024, 3, 10, 0, 30), local(2024, 3, 10, 4, 30), 15s);
  EXPECT_EQ(h.fired, (Strings{"hourly@2024-03-10 01:00:00 EST",
                              "nightly@2024-03-10 03:00:00 EDT",
                              "hourly@2024-03-10 03:00:00 EDT",
                              "hourly@2024-03-10 04:00:00 EDT"}));
}

TEST(CronTable, FallBackNight) {
  test::ScopedTz tz("America/New_York");
  Harness h({"30 1 * * * q nightly", "0 * * * * q hourly"}, local(2024, 11, 3, 0, 30));
  // 00:30 EDT to 03:30 EST is four real hours.
  auto from = local(2024, 11, 3, 0, 30);
  h.run(from, from + 4h, 15s);
  EXPECT_EQ(h.fired, (Strings{"hourly@2024-11-03 01:00:00 EDT",
                              "nightly@2024-11-03 01:30:00 EDT",
                              "hourly@2024-11-03 01:00:00 EST",
                              "hourly@2024-11-03 02:00:00 EST",
                              "hourly@2024-11-03 03:00:00 EST"}));
}

TEST(CronTable, EveryHalfSecond) {
  auto t0 = Clock::from_time_t(1'700'000'000);
  Harness h({"@every 500ms q tick"}, t0);
  EXPECT_EQ(h.at(t0 + 400ms), 0u);
  EXPECT_EQ(h.at(t0 + 500ms), 1u);
  EXPECT_EQ(h.at(t0 + 999ms), 0u);
  // A late wake keeps the rhythm: due at 1000 ms, seen at 1100 ms.
  EXPECT_EQ(h.at(t0 + 1100ms), 1u);
  EXPECT_EQ(h.table.next_wake(), t0 + 1500ms);
  EXPECT_EQ(h.run(t0 + 1200ms, t0 + 3000ms, 100ms), 4u);  // 1500 2000 2500 3000
}

TEST(CronTable, EveryAfterAStallFiresOnceAndRestartsItsRhythm) {
  auto t0 = Clock::from_time_t(1'700'000'000);
  Harness h({"@every 500ms q tick"}, t0);
  EXPECT_EQ(h.at(t0 + 500ms), 1u);
  EXPECT_EQ(h.at(t0 + 10'250ms), 1u);
  EXPECT_EQ(h.table.next_wake(), t0 + 10'750ms);
}

TEST(CronTable, EveryAfterAClockStepBackKeepsTicking) {
  auto t0 = Clock::from_time_t(1'700'000'000);
  Harness h({"@every 500ms q tick"}, t0);
  EXPECT_EQ(h.at(t0 + 500ms), 1u);
  EXPECT_EQ(h.at(t0 - 1h), 0u);
  EXPECT_EQ(h.table.next_wake(), t0 - 1h + 500ms);
  EXPECT_EQ(h.at(t0 - 1h + 500ms), 1u);
}

}  // namespace
}  // namespace tasq::schedule
