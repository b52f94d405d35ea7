// parse_cron_line: what each field accepts, and the error that names it.

#include <gtest/gtest.h>

#include "cron_test_support.h"

namespace tasq::schedule {
namespace {

std::string error_of(const std::string& text) {
  auto parsed = parse_cron_line(text);
  return parsed ? std::string("(parsed)") : parsed.error().message();
}

std::string bits(const auto& set) {
  std::string out;
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (set.test(i)) out += (out.empty() ? "" : ",") + std::to_string(i);
  }
  return out;
}

TEST(CronParse, QueueAndPayloadTakeTheRestOfTheLine) {
  auto parsed = parse_cron_line("30 2 * * *  reports   nightly run  --full \t");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed.value().queue, "reports");
  EXPECT_EQ(parsed.value().payload, "nightly run  --full");
  EXPECT_EQ(parsed.value().text, "30 2 * * *  reports   nightly run  --full \t");
  EXPECT_EQ(bits(parsed.value().schedule.minutes), "30");
  EXPECT_EQ(bits(parsed.value().schedule.hours), "2");
  EXPECT_TRUE(parsed.value().schedule.days_star);
}

TEST(CronParse, ListsRangesStepsAndNames) {
  auto s = test::schedule_of("0,15,30-32 */6 1-10/3 JAN,mar-May sun");
  EXPECT_EQ(bits(s.minutes), "0,15,30,31,32");
  EXPECT_EQ(bits(s.hours), "0,6,12,18");
  EXPECT_EQ(bits(s.days), "1,4,7,10");
  EXPECT_EQ(bits(s.months), "1,3,4,5");
  EXPECT_EQ(bits(s.weekdays), "0");
  EXPECT_FALSE(s.days_star);
  EXPECT_FALSE(s.weekdays_star);

  EXPECT_EQ(bits(test::schedule_of("* * * * mon-FRI").weekdays), "1,2,3,4,5");
  EXPECT_EQ(bits(test::schedule_of("* * * * 5-7").weekdays), "0,5,6");
  EXPECT_EQ(bits(test::schedule_of("* * * * 7").weekdays), "0");
  EXPECT_EQ(bits(test::schedule_of("*/25 * * * *").minutes), "0,25,50");
  EXPECT_EQ(bits(test::schedule_of("* * * * *").weekdays), "0,1,2,3,4,5,6");
}

TEST(CronParse, Shorthands) {
  auto daily = test::schedule_of("@daily");
  EXPECT_EQ(bits(daily.minutes), "0");
  EXPECT_EQ(bits(daily.hours), "0");
  EXPECT_TRUE(daily.days_star);
  auto midnight = test::schedule_of("@MIDNIGHT");
  EXPECT_EQ(bits(midnight.hours), "0");
  EXPECT_TRUE(test::schedule_of("@hourly").hours.all());
  EXPECT_EQ(bits(test::schedule_of("@hourly").minutes), "0");
  EXPECT_EQ(bits(test::schedule_of("@weekly").weekdays), "0");
  EXPECT_EQ(bits(test::schedule_of("@monthly").days), "1");
  auto yearly = test::schedule_of("@yearly");
  EXPECT_EQ(bits(yearly.months), "1");
  EXPECT_EQ(bits(yearly.days), "1");
  EXPECT_EQ(bits(test::schedule_of("@annually").months), "1");
}

TEST(CronParse, Every) {
  using namespace std::chrono;
  EXPECT_EQ(test::schedule_of("@every 500ms").every, milliseconds(500));
  EXPECT_EQ(test::schedule_of("@every 5s").every, seconds(5));
  EXPECT_EQ(test::schedule_of("@every 10m").every, minutes(10));
  EXPECT_EQ(test::schedule_of("@every 2H").every, hours(2));
  auto parsed = parse_cron_line("@every 500ms heartbeat tick tock");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.value().queue, "heartbeat");
  EXPECT_EQ(parsed.value().payload, "tick tock");
  EXPECT_TRUE(parsed.value().schedule.is_interval());
}

TEST(CronParse, ErrorsNameTheLineAndTheField) {
  EXPECT_EQ(error_of("61 * * * * q p"), "cron: '61 * * * * q p': minute 61 is out of range 0..59");
  EXPECT_EQ(error_of("0 24 * * * q p"), "cron: '0 24 * * * q p': hour 24 is out of range 0..23");
  EXPECT_EQ(error_of("0 0 0 * * q p"),
            "cron: '0 0 0 * * q p': day of month 0 is out of range 1..31");
  EXPECT_EQ(error_of("0 0 * 13 * q p"), "cron: '0 0 * 13 * q p': month 13 is out of range 1..12");
  EXPECT_EQ(error_of("0 0 * * 8 q p"),
            "cron: '0 0 * * 8 q p': day of week 8 is out of range 0..7");
  EXPECT_EQ(error_of("*/0 * * * * q p"),
            "cron: '*/0 * * * * q p': minute step '0' must be a whole number of at least 1");
  EXPECT_EQ(error_of("0 0 * foo * q p"),
            "cron: '0 0 * foo * q p': month 'foo' is not a number or a name (jan..dec)");
  EXPECT_EQ(error_of("0 0 * * funday q p"),
            "cron: '0 0 * * funday q p': day of week 'funday' is not a number or a name "
            "(sun..sat)");
  EXPECT_EQ(error_of("x * * * * q p"), "cron: 'x * * * * q p': minute 'x' is not a number");
  EXPECT_EQ(error_of("30-10 * * * * q p"),
            "cron: '30-10 * * * * q p': minute range '30-10' runs backwards");
  EXPECT_EQ(error_of("5/10 * * * * q p"),
            "cron: '5/10 * * * * q p': minute '5/10': a step needs a range or * before it");
  EXPECT_EQ(error_of("1,,2 * * * * q p"),
            "cron: '1,,2 * * * * q p': minute '1,,2' has an empty list item");
  EXPECT_EQ(error_of("0 0 30 feb * q p"),
            "cron: '0 0 30 feb * q p': day of month '30' never occurs in month 'feb'");
}

TEST(CronParse, ErrorsForTheShapeOfTheLine) {
  EXPECT_EQ(error_of("* * * q"),
            "cron: '* * * q': only 4 time field(s): a line is MIN HOUR DOM MON DOW QUEUE "
            "PAYLOAD, @daily QUEUE PAYLOAD or @every DURATION QUEUE PAYLOAD");
  EXPECT_EQ(error_of("* * * * *"),
            "cron: '* * * * *': missing queue and payload: a line is MIN HOUR DOM MON DOW "
            "QUEUE PAYLOAD, @daily QUEUE PAYLOAD or @every DURATION QUEUE PAYLOAD");
  EXPECT_EQ(error_of("* * * * * q"), "cron: '* * * * * q': missing payload after queue 'q'");
  EXPECT_EQ(error_of("@daily reports"),
            "cron: '@daily reports': missing payload after queue 'reports'");
  EXPECT_EQ(error_of("@every 5s"), "cron: '@every 5s': missing queue and payload: a line is MIN "
                                   "HOUR DOM MON DOW QUEUE PAYLOAD, @daily QUEUE PAYLOAD or "
                                   "@every DURATION QUEUE PAYLOAD");
  EXPECT_EQ(error_of("@every"), "cron: '@every': @every needs a duration (500ms, 5s, 10m, 1h)");
  EXPECT_EQ(error_of("@every 5 q p"),
            "cron: '@every 5 q p': @every: bad duration '5': want a whole number and ms, s, m or "
            "h (500ms, 5s, 10m, 1h)");
  EXPECT_EQ(error_of("@every 1d q p"),
            "cron: '@every 1d q p': @every: bad duration '1d': want a whole number and ms, s, m "
            "or h (500ms, 5s, 10m, 1h)");
  EXPECT_EQ(error_of("@every 0ms q p"),
            "cron: '@every 0ms q p': @every: the duration must be more than 0");
  EXPECT_EQ(error_of("@every 9000h q p"),
            "cron: '@every 9000h q p': @every: 9000h is longer than a year");
  EXPECT_EQ(error_of("@reboot q p"),
            "cron: '@reboot q p': @reboot is not supported: tasqd runs cron lines while it "
            "runs, not at boot");
  EXPECT_EQ(error_of("@fortnightly q p"),
            "cron: '@fortnightly q p': unknown schedule '@fortnightly': want @yearly, "
            "@annually, @monthly, @weekly, @daily, @midnight, @hourly or @every");
  EXPECT_EQ(error_of("   "),
            "cron: '   ': empty: a line is MIN HOUR DOM MON DOW QUEUE PAYLOAD, @daily QUEUE "
            "PAYLOAD or @every DURATION QUEUE PAYLOAD");
}

}  // namespace
}  // namespace tasq::schedule
