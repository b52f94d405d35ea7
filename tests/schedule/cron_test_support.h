#pragma once
// A time zone set for one test (TZ + tzset), and readable local times.

#include <time.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "tasq/schedule/cron.h"

namespace tasq::schedule::test {

class ScopedTz {
 public:
  explicit ScopedTz(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  std::optional<std::string> old_;
};

/// The instant a local wall time is read at; `dst` picks between the two
/// readings of a repeated hour (-1: let mktime choose).
inline Clock::time_point local(int year, int month, int day, int hour, int minute, int second = 0,
                               int dst = -1) {
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = dst;
  return Clock::from_time_t(::mktime(&tm));
}

/// "2024-03-10 03:00:00 EDT"; milliseconds appended when not whole.
inline std::string show(std::optional<Clock::time_point> when) {
  if (!when) return "never";
  auto t = Clock::to_time_t(*when);
  if (Clock::from_time_t(t) > *when) --t;
  struct tm tm {};
  ::localtime_r(&t, &tm);
  char buf[64];
  ::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
  std::string out = buf;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*when - Clock::from_time_t(t));
  if (ms.count() != 0) out += " +" + std::to_string(ms.count()) + "ms";
  return out;
}

inline CronSchedule schedule_of(const std::string& fields) {
  auto parsed = parse_cron_line(fields + " q p");
  if (!parsed) throw std::runtime_error(parsed.error().message());
  return parsed.value().schedule;
}

}  // namespace tasq::schedule::test
