#pragma once
// The local time zone's UTC offset at an instant, and the way back from a
// wall time to the instants that read it. "Local seconds" are a wall-clock
// reading counted as if it were UTC, so that calendar steps are <chrono>'s
// sys_days arithmetic and the zone enters only when a wall time is turned
// back into an instant. The zone comes from localtime_r (TZ): GCC 12's
// libstdc++ has no std::chrono::current_zone.

#include <cstdint>
#include <vector>

namespace tasq::schedule::detail {

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
