#pragma once
// The cron lines of one server and when each falls due next, driven by a
// clock the caller passes in (the server's wall clock, or a test's).

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "tasq/schedule/cron.h"

namespace tasq::schedule {

class CronTable {
 public:
  /// A clock stepping back by less than this is a small correction: due
  /// times already fired stay fired, and calendar lines wait for the clock to
  /// pass them. Further back, the old clock was wrong and calendar lines
  /// start over from the new time (cronie draws the line at 3 hours too).
  static constexpr std::chrono::hours kClockCorrection{3};

  struct Entry {
    CronLine line;
    std::optional<Clock::time_point> next;        ///< nullopt: never again
    std::optional<Clock::time_point> last_fired;  ///< the last due time fired
  };

  /// Schedules every line's first due time strictly after `now`: a line
  /// whose minute is `now`'s own does not fire until its next one.
  CronTable(std::vector<CronLine> lines, Clock::time_point now);

  using Fire = std::function<void(const Entry& entry, std::size_t index)>;

  /// Calls `fire` once for each line due at or before `now`, then moves it to
  /// its first due time strictly after `now`: after a stall of any length a
  /// line fires once, and since a calendar line's next due time is always
  /// past the last one fired, a clock stepped back (by less than
  /// kClockCorrection) fires no due time twice. An interval line's rhythm
  /// runs from its previous due time; after a stall, or when the clock steps
  /// back past its last firing, it restarts from `now`. Returns how many fired.
  std::size_t fire_due(Clock::time_point now, const Fire& fire);

  /// The earliest due time of any line; nullopt when none will fall due.
  [[nodiscard]] std::optional<Clock::time_point> next_wake() const;

  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
  std::optional<Clock::time_point> latest_;  ///< the latest `now` seen
};

}  // namespace tasq::schedule
