#pragma once
// Bounded waits: the one polling loop of the tests. Deadlines are generous
// (machines are shared and slow); a test asserts that something happened,
// never how fast.

#include <chrono>
#include <thread>

namespace tasq::test {

/// Calls `done` until it returns true or `timeout` has passed, and returns
/// its last answer. Sleeps `interval` between calls; a `done` that waits by
/// itself (one that runs a reactor for a few milliseconds) passes zero.
template <typename Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds interval = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    if (interval.count() > 0) std::this_thread::sleep_for(interval);
  }
  return done();
}

}  // namespace tasq::test
