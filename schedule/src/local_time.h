#pragma once
// Civil-calendar arithmetic (proleptic Gregorian, after Howard Hinnant's
// algorithms) and the local time zone's UTC offset at an instant. "Local
// seconds" are a wall-clock reading counted as if it were UTC, so that
// calendar steps are plain arithmetic and the zone enters only when a wall
// time is turned back into an instant.

#include <cstdint>
#include <vector>

namespace tasq::schedule::detail {

struct CivilDate {
  std::int64_t year;
  unsigned month;  ///< 1..12
  unsigned day;    ///< 1..31
};

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
CivilDate civil_from_days(std::int64_t days);
/// 0 = Sunday.
unsigned weekday_from_days(std::int64_t days);
unsigned days_in_month(std::int64_t year, unsigned month);

/// Seconds east of UTC in the local zone at unix time `t` (localtime_r).
std::int64_t utc_offset(std::int64_t t);

/// One instant at which a local wall time is read.
struct Occurrence {
  std::int64_t instant;  ///< unix seconds
  bool repeat;           ///< the second reading of a wall time a fall-back repeats
};

/// The instants whose local wall time is `local` (local seconds): one
/// usually, two in a fall-back's repeated hour (in order), and for a time a
/// spring-forward skips, the first instant after the gap.
std::vector<Occurrence> resolve_local(std::int64_t local);

}  // namespace tasq::schedule::detail
