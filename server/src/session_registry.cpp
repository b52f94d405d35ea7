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

std::size_t SessionRegistry::close_idle(Clock::time_point cutoff) {
  std::size_t closed = 0;
  while (!by_activity_.empty() && by_activity_.front()->last_activity() < cutoff) {
    auto session = by_activity_.front();  // keeps it alive through stop()
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
