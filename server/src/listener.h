#pragma once
// One `listen` address (TCP over IPv4/IPv6, or a Unix socket) and its accept
// loop. Accepted sockets become Sessions registered with the server.

#include <sys/types.h>

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <cstdint>
#include <string>

#include "accept_pause.h"
#include "tasq/config/config.h"

namespace tasq::server {

class Server;

class Listener {
 public:
  /// Binds and listens; throws std::runtime_error naming the address on failure.
  Listener(Server& server, const config::Endpoint& endpoint);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void start();
  void stop();
  [[nodiscard]] const config::Endpoint& endpoint() const { return endpoint_; }
  /// The bound TCP port (useful when the configured port is 0); 0 for Unix sockets.
  [[nodiscard]] std::uint16_t bound_port() const { return bound_port_; }

 private:
  void do_accept();
  void on_accept(const boost::system::error_code& ec,
                 boost::asio::generic::stream_protocol::socket socket);
  void configure(boost::asio::generic::stream_protocol::socket& socket) const;

  Server& server_;
  config::Endpoint endpoint_;
  boost::asio::basic_socket_acceptor<boost::asio::generic::stream_protocol> acceptor_;
  AcceptPause accept_pause_;
  std::uint16_t bound_port_ = 0;
  // The Unix socket file bound, removed at stop only if the path is still it.
  dev_t socket_device_ = 0;
  ino_t socket_inode_ = 0;
  bool stopped_ = false;
};

}  // namespace tasq::server
