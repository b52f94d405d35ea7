// next_due: search the wall-clock calendar for the next matching minute,
// then turn that wall time into an instant in the local zone.

#include <algorithm>
#include <chrono>
#include <optional>

#include "local_time.h"
#include "tasq/schedule/cron.h"

namespace tasq::schedule {
namespace {

constexpr std::int64_t kMinute = 60;
// "0 0 29 2 *" may wait 8 years (2096 to 2104); nothing valid waits longer.
constexpr int kSearchYears = 30;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// The first local minute at or after `local` (local seconds, minute-aligned)
// that the calendar fields match; nullopt if none within kSearchYears.
std::optional<std::int64_t> next_matching_local(const CronSchedule& s, std::int64_t local) {
  using namespace std::chrono;
  const sys_seconds at{seconds{local}};
  year_month_day date{floor<days>(at)};
  const auto minute_of_day =
      static_cast<unsigned>(duration_cast<minutes>(at - sys_days{date}).count());
  unsigned hour = minute_of_day / 60;
  unsigned minute = minute_of_day % 60;
  const year last_year = date.year() + years{kSearchYears};

  auto next_month = [&] {
    date = year_month_day{date.year() / date.month() / 1} + months{1};
    hour = minute = 0;
  };
  auto next_day = [&] {
    date = year_month_day{sys_days{date} + days{1}};
    hour = minute = 0;
  };

  while (date.year() <= last_year) {
    const auto month = static_cast<unsigned>(date.month());
    if (!s.months.test(month)) {
      next_month();
      continue;
    }
    const sys_days day{date};
    if (!s.day_matches(static_cast<unsigned>(date.day()), month, weekday{day}.c_encoding())) {
      next_day();
      continue;
    }
    if (!s.hours.test(hour)) {
      minute = 0;
      if (++hour > 23) next_day();
      continue;
    }
    if (!s.minutes.test(minute)) {
      if (++minute > 59) {
        minute = 0;
        if (++hour > 23) next_day();
      }
      continue;
    }
    return sys_seconds{day + hours{hour} + minutes{minute}}.time_since_epoch().count();
  }
  return std::nullopt;
}

// The first occurrence after `after` of a matching wall time at or after
// `local`. The repeated reading of a fall-back hour counts only for lines
// that run every hour.
std::optional<Clock::time_point> search(const CronSchedule& schedule, std::int64_t local,
                                        Clock::time_point after, bool every_hour) {
  // One iteration usually; up to an hour's worth around a daylight change.
  for (int guard = 0; guard < 100000; ++guard) {
    auto match = next_matching_local(schedule, local);
    if (!match) return std::nullopt;
    for (const auto& occurrence : detail::resolve_local(*match)) {
      if (occurrence.repeat && !every_hour) continue;
      auto instant = Clock::time_point(std::chrono::seconds(occurrence.instant));
      if (instant > after) return instant;
    }
    local = *match + kMinute;
  }
  return std::nullopt;
}

}  // namespace

bool CronSchedule::day_matches(unsigned day, unsigned month, unsigned weekday) const {
  (void)month;
  if (days_star || weekdays_star) return days.test(day) && weekdays.test(weekday);
  return days.test(day) || weekdays.test(weekday);
}

std::optional<Clock::time_point> next_due(const CronSchedule& schedule, Clock::time_point after) {
  if (schedule.is_interval()) return after + schedule.every;

  using std::chrono::floor;
  using std::chrono::seconds;
  const std::int64_t now = floor<seconds>(after.time_since_epoch()).count();
  const std::int64_t local_now = now + detail::utc_offset(now);
  const bool every_hour = schedule.hours.all();
  auto found = search(schedule, floor_div(local_now, kMinute) * kMinute + kMinute, after,
                      every_hour);

  // A fall-back before that time turns the wall clock back an hour; for a
  // line that runs every hour the repeated hour is a new hour, so look again
  // from the wall time just after the change.
  if (every_hour && found) {
    const std::int64_t offset_now = detail::utc_offset(now);
    std::int64_t high = floor<seconds>(found->time_since_epoch()).count();
    if (detail::utc_offset(high) < offset_now) {
      std::int64_t low = now;
      while (high - low > 1) {
        std::int64_t mid = low + (high - low) / 2;
        (detail::utc_offset(mid) == offset_now ? low : high) = mid;
      }
      auto again = search(schedule, high + detail::utc_offset(high), after, every_hour);
      if (again && *again < *found) found = again;
    }
  }
  return found;
}

}  // namespace tasq::schedule
