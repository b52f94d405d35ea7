#include "local_time.h"

#include <time.h>

#include <algorithm>

namespace tasq::schedule::detail {

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

unsigned weekday_from_days(std::int64_t days) {
  // 1970-01-01 was a Thursday.
  return static_cast<unsigned>(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

std::int64_t utc_offset(std::int64_t t) {
  auto tt = static_cast<time_t>(t);
  struct tm tm {};
  if (::localtime_r(&tt, &tm) == nullptr) return 0;
  return tm.tm_gmtoff;
}

// A wall time is read at instant L - offset, for whichever offset holds then.
// Offsets change at most once around any one wall time in real zones, so the
// offsets a day before and a day after are the only candidates.
std::vector<Occurrence> resolve_local(std::int64_t local) {
  constexpr std::int64_t kDay = 86400;
  const std::int64_t before = utc_offset(local - kDay);
  const std::int64_t after = utc_offset(local + kDay);
  const std::int64_t first = local - before;
  const std::int64_t second = local - after;

  std::vector<std::int64_t> found;
  if (utc_offset(first) == before) found.push_back(first);
  if (after != before && utc_offset(second) == after) found.push_back(second);
  std::sort(found.begin(), found.end());
  if (!found.empty() || first == second) {
    if (found.empty()) found.push_back(first);
    std::vector<Occurrence> result;
    for (std::size_t i = 0; i < found.size(); ++i) result.push_back({found[i], i > 0});
    return result;
  }

  // A gap: no instant reads this wall time. Find the transition, the first
  // instant whose offset differs from the one before the gap.
  std::int64_t low = std::min(first, second);
  std::int64_t high = std::max(first, second);
  const std::int64_t low_offset = utc_offset(low);
  while (high - low > 1) {
    std::int64_t mid = low + (high - low) / 2;
    (utc_offset(mid) == low_offset ? low : high) = mid;
  }
  return {{high, false}};
}

}  // namespace tasq::schedule::detail
