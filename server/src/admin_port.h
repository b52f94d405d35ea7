#pragma once
// The UDP admin port: one plain-text command per datagram, one reply
// datagram back. `ping`, `stats`, `workers`, `reload`, `shutdown`. A
// datagram is always `TOKEN COMMAND`: the token is admin_token, or one made
// at start and written to a file that only tasqd's user can read, where
// tasqctl finds it (tasq/access/token_file.h).

#include <boost/asio/ip/udp.hpp>
#include <array>
#include <cstdint>
#include <string>

#include "refusal_reporter.h"
#include "stats_snapshot.h"
#include "tasq/access/admin_datagram.h"
#include "tasq/access/secret.h"
#include "tasq/access/token_file.h"
#include "tasq/config/config.h"

namespace tasq::server {

class Server;

class AdminPort {
 public:
  /// Binds and writes the token file; throws std::runtime_error naming
  /// `admin` on failure.
  AdminPort(Server& server, const config::Endpoint& endpoint);
  /// Removes the token file it wrote.
  ~AdminPort();
  AdminPort(const AdminPort&) = delete;
  AdminPort& operator=(const AdminPort&) = delete;
  void start();
  void stop();
  [[nodiscard]] std::uint16_t bound_port() const { return bound_port_; }
  /// The token datagrams must carry: admin_token, or the one made at start.
  [[nodiscard]] const access::Secret& token() const { return token_; }

  /// The reply to one datagram's text (without the token check); public for
  /// the stats figures' single source.
  std::string answer(std::string_view command);

 private:
  void do_receive();
  void on_receive(const boost::system::error_code& ec, std::size_t bytes);
  std::string handle(std::string_view datagram);
  void keep_token();

  Server& server_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::udp::endpoint sender_;
  // One byte more than the longest datagram accepted, so a longer one is
  // seen as too long instead of being silently cut.
  std::array<char, access::kMaxAdminDatagram + 1> buffer_{};
  std::uint16_t bound_port_ = 0;
  bool stopped_ = false;
  access::Secret token_;
  access::WrittenFile token_file_;
  RefusalReporter refusals_;
};

/// The admin `stats` JSON (the figures of INFO).
std::string stats_json(const StatsSnapshot& snapshot);
/// The admin `workers` JSON; `limit` bytes at most, cutting the list and
/// saying so when it would not fit one datagram.
std::string workers_json(const StatsSnapshot& snapshot, std::size_t limit);

}  // namespace tasq::server
