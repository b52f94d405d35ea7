#pragma once
// One request, one reply over the UDP admin port.

#include <chrono>
#include <optional>
#include <optional>
#include <string>

namespace tasq::clients {

struct AdminReply {
  bool ok = false;        ///< a reply arrived
  std::string text;       ///< the reply, or why there is none
};

/// Sends `datagram` to `address` (HOST:PORT or [v6]:PORT) and waits up to
/// `timeout` for the reply; sends again once halfway when `retry` (only for
/// commands that are safe to repeat).
AdminReply admin_request(const std::string& address, const std::string& datagram,
                         std::chrono::milliseconds timeout, bool retry);

}  // namespace tasq::clients
