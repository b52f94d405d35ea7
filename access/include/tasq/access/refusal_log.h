#pragma once
// When to log refused admin datagrams: the first at once, then at most one
// line a second, each saying how many refusals it stands for, so that a
// flood of bad datagrams cannot flood the log. Pure: the caller passes the
// time and writes the lines; it calls due() from a timer set to next_due()
// so that the count of a burst that stops is still logged.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tasq::access {

class RefusalLog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kInterval{1};

  struct Line {
    std::uint64_t count = 0;  ///< refusals since the previous line
    std::string last_from;    ///< the sender of the last of them
  };

  /// A refusal from `from`: the line to log now, if one is due.
  std::optional<Line> refused(std::string_view from, Clock::time_point now);
  /// When the refusals held back should be logged; time_point::max() when
  /// none are held.
  [[nodiscard]] Clock::time_point next_due() const;
  /// The line for the refusals held back, once next_due() has passed.
  std::optional<Line> due(Clock::time_point now);

 private:
  std::optional<Line> emit(Clock::time_point now);

  Clock::time_point last_line_{};
  bool logged_any_ = false;
  std::uint64_t held_ = 0;
  std::string held_from_;
};

}  // namespace tasq::access
