#pragma once
// The master's one wall clock in unix milliseconds: ZADD due times, the
// journal's due times and the times of a task's end all read it, so that
// they agree with each other and with the clients' clocks.

#include <chrono>
#include <cstdint>

namespace tasq::server {

/// Unix time now, in milliseconds (the system clock, which the delayed
/// tasks' timer waits on too).
inline std::int64_t unix_ms_now() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// Steady-clock instants (the pool measures with that clock, which a
/// stepped wall clock cannot bend) as unix milliseconds, each read against
/// one pair of readings of the two clocks: a task's end converts three
/// instants, and at hundreds of thousands of ends a second the readings
/// showed up in the master's profile.
class UnixMsFrom {
 public:
  UnixMsFrom() : steady_now_(std::chrono::steady_clock::now()), unix_now_ms_(unix_ms_now()) {}

  [[nodiscard]] std::int64_t operator()(std::chrono::steady_clock::time_point when) const {
    using namespace std::chrono;
    return unix_now_ms_ - duration_cast<milliseconds>(steady_now_ - when).count();
  }

 private:
  std::chrono::steady_clock::time_point steady_now_;
  std::int64_t unix_now_ms_;
};

}  // namespace tasq::server
