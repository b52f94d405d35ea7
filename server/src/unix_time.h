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

/// A steady-clock instant (the pool measures with that clock, which a
/// stepped wall clock cannot bend) as unix milliseconds, read against the
/// wall clock now.
inline std::int64_t unix_ms_at(std::chrono::steady_clock::time_point when) {
  using namespace std::chrono;
  const auto ago = duration_cast<milliseconds>(steady_clock::now() - when).count();
  return unix_ms_now() - ago;
}

}  // namespace tasq::server
