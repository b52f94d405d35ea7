#pragma once
// Cron lines: `MIN HOUR DOM MON DOW QUEUE PAYLOAD`, `@daily QUEUE PAYLOAD`,
// `@every 500ms QUEUE PAYLOAD`. Parsing and the next due time; the table that
// fires them is in cron_table.h.

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace tasq::schedule {

using Clock = std::chrono::system_clock;

/// When a line is due. Either a 5-field calendar schedule (the bit sets), or
/// an interval (`every` > 0).
struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      ///< 1..31
  std::bitset<13> months;    ///< 1..12
  std::bitset<7> weekdays;   ///< 0..6, Sunday = 0
  bool days_star = false;     ///< the day-of-month field began with '*'
  bool weekdays_star = false; ///< the day-of-week field began with '*'
  std::chrono::milliseconds every{0};

  [[nodiscard]] bool is_interval() const { return every.count() > 0; }
  /// Vixie cron's day rule: when both day fields are restricted, either
  /// matching is enough; otherwise both must match.
  [[nodiscard]] bool day_matches(unsigned day, unsigned month, unsigned weekday) const;
};

/// One parsed `cron` directive.
struct CronLine {
  CronSchedule schedule;
  std::string queue;
  std::string payload;  ///< the rest of the line, inner spaces kept; never empty
  std::string text;     ///< the line as written, for logs and errors
};

/// Why a line was refused: `detail` names the field ("minute 61 is out of
/// range 0..59"); message() is "cron: 'LINE': DETAIL".
struct CronError {
  std::string text;
  std::string detail;
  [[nodiscard]] std::string message() const;
};

/// A line or the reason it was refused.
class CronParse {
 public:
  CronParse(CronLine line) : result_(std::move(line)) {}   // NOLINT: implicit by design
  CronParse(CronError error) : result_(std::move(error)) {} // NOLINT
  [[nodiscard]] bool ok() const { return result_.index() == 0; }
  explicit operator bool() const { return ok(); }
  [[nodiscard]] const CronLine& value() const { return std::get<CronLine>(result_); }
  [[nodiscard]] CronLine& value() { return std::get<CronLine>(result_); }
  [[nodiscard]] const CronError& error() const { return std::get<CronError>(result_); }

 private:
  std::variant<CronLine, CronError> result_;
};

/// Parses one line. Fields split on spaces and tabs; the payload is the rest
/// of the line after the queue, trimmed at both ends. Names (jan..dec,
/// sun..sat) are case-insensitive; 7 is Sunday too. `@reboot` is refused.
CronParse parse_cron_line(std::string_view text);

/// The first due time strictly after `after`, in the process's local time
/// zone (TZ, as last read by tzset()); nullopt if the schedule never falls
/// due again within decades. For an interval, `after + every`.
///
/// Daylight saving: a local minute skipped by a spring-forward falls due at
/// the first instant after the gap (several skipped ones fire once there);
/// a local minute repeated by a fall-back falls due once, at its first
/// occurrence — except for lines that run every hour (hour field `*`), for
/// which the repeated hour is a new hour and fires again.
std::optional<Clock::time_point> next_due(const CronSchedule& schedule, Clock::time_point after);

}  // namespace tasq::schedule
