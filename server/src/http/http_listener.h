#pragma once
// The `metrics` address: a TCP accept loop on the server's reactor whose
// connections are HTTP sessions. It holds at most Limits::connections of
// them; a new one beyond that closes the session that has waited longest
// for its request, so that idle or trickling clients cannot lock out a
// scraper.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <list>
#include <memory>

#include "accept_pause.h"
#include "http_types.h"
#include "tasq/config/config.h"

namespace tasq::server::http {

class Session;

class Listener {
 public:
  /// Binds and listens; throws std::runtime_error naming `metrics` and the
  /// address on failure.
  Listener(boost::asio::io_context& io, const config::Endpoint& endpoint, int backlog, Limits limits,
           Handler handler);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void start();
  /// Stops accepting and closes every connection.
  void stop();
  [[nodiscard]] std::uint16_t bound_port() const { return bound_port_; }
  /// Open connections.
  [[nodiscard]] std::size_t connections();

 private:
  void do_accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  void prune();
  /// Closes the session waiting longest for its request when the listener
  /// is full; false when none is waiting (all are writing replies).
  bool make_room();

  boost::asio::io_context& io_;
  config::Endpoint endpoint_;
  Limits limits_;
  std::shared_ptr<const Handler> handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  AcceptPause accept_pause_;
  std::list<std::weak_ptr<Session>> sessions_;
  std::uint16_t bound_port_ = 0;
  bool stopped_ = false;
};

}  // namespace tasq::server::http
