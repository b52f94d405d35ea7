#pragma once
// Counters of the RESP side for INFO `stats` and the admin `stats` reply.

#include <cstdint>

namespace tasq::server {

struct ServerStats {
  std::uint64_t total_connections_received = 0;
  std::uint64_t total_commands_processed = 0;
  std::uint64_t rejected_connections = 0;
  std::uint64_t reload_watch_reloads = 0;  ///< reloads started by a reload_watch change
};

}  // namespace tasq::server
