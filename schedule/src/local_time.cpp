#include "local_time.h"

#include <time.h>

#include <algorithm>

namespace tasq::schedule::detail {

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
