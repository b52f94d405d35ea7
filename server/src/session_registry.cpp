#include "session_registry.h"

#include "session.h"

namespace tasq::server {

void SessionRegistry::add(const std::shared_ptr<Session>& session) {
  by_activity_.push_back(session);
  session->registry_pos = std::prev(by_activity_.end());
  session->registered = true;
  ++size_;
}

void SessionRegistry::remove(Session& session) {
  if (!session.registered) return;
  session.registered = false;
  --size_;
  by_activity_.erase(session.registry_pos);  // may drop the last reference: nothing after this
}

void SessionRegistry::touch(Session& session) {
  if (!session.registered) return;
  by_activity_.splice(by_activity_.end(), by_activity_, session.registry_pos);
}

// A client blocked in XREAD is waiting for tasqd, not idle: it goes to the
// back as if active, once per sweep that finds it at the front.
std::size_t SessionRegistry::close_idle(Clock::time_point cutoff) {
  std::size_t closed = 0;
  std::size_t passed = 0;
  while (!by_activity_.empty() && by_activity_.front()->last_activity() < cutoff &&
         passed < size_) {
    auto session = by_activity_.front();  // keeps it alive through stop()
    if (session->blocked()) {
      touch(*session);
      ++passed;
      continue;
    }
    session->stop();
    ++closed;
  }
  return closed;
}

void SessionRegistry::close_all() {
  auto sessions = by_activity_;  // close_after_output() may remove entries
  for (auto& session : sessions) session->close_after_output();
}

}  // namespace tasq::server
