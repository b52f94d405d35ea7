#pragma once
// Every open session, kept in order of last activity so that the heartbeat
// finds idle connections from the front of the list without visiting the
// active ones (a sweep costs the number of connections it closes, not the
// number open).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>

namespace tasq::server {

class Session;

class SessionRegistry {
 public:
  using Clock = std::chrono::steady_clock;

  void add(const std::shared_ptr<Session>& session);
  void remove(Session& session);
  /// Moves `session` to the back: it was just active.
  void touch(Session& session);
  /// Closes sessions idle since before `cutoff`; returns how many.
  std::size_t close_idle(Clock::time_point cutoff);
  /// Stops every session (shutdown).
  void close_all();

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::uint64_t next_id() { return ++last_id_; }

 private:
  std::list<std::shared_ptr<Session>> by_activity_;
  std::size_t size_ = 0;
  std::uint64_t last_id_ = 0;
};

}  // namespace tasq::server
