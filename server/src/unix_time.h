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
/// stepped wall clock cannot bend) as unix milliseconds. The offset between
/// the two clocks is read once, and again whenever an instant given is more
/// than 100 ms past the last reading, so a step of the wall clock shows
/// within 100 ms. Each task end converts three instants: two clock readings
/// per end showed up in the master's profile, and this takes none mostly.
class SteadyToUnixMs {
 public:
  [[nodiscard]] std::int64_t operator()(std::chrono::steady_clock::time_point when) {
    using namespace std::chrono;
    if (!read_ || when - read_at_ > kReadEvery) {
      read_ = true;
      read_at_ = steady_clock::now();
      offset_ = system_clock::now().time_since_epoch() - read_at_.time_since_epoch();
    }
    return duration_cast<milliseconds>(when.time_since_epoch() + offset_).count();
  }

 private:
  static constexpr std::chrono::milliseconds kReadEvery{100};
  bool read_ = false;
  std::chrono::steady_clock::time_point read_at_;
  std::chrono::nanoseconds offset_{0};
};

}  // namespace tasq::server
