#pragma once
// One HTTP/1.1 connection on the reactor: read one request under the
// limits, hand it to the handler, write the reply, and again while the
// client keeps the connection alive. A request that breaks a limit or the
// grammar gets a 4xx with `Connection: close`; a client too slow to send or
// to take its reply is cut at its deadline. Either way only this connection
// ends.

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http_types.h"

namespace tasq::server::http {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Clock = std::chrono::steady_clock;

  Session(boost::asio::ip::tcp::socket socket, const Limits& limits,
          std::shared_ptr<const Handler> handler);

  void start();
  /// Closes the connection now; pending operations end as aborted.
  void stop();

  /// True while the session waits for (the rest of) a request, and since
  /// when: the listener closes the oldest such session when it is full.
  [[nodiscard]] bool reading() const { return reading_; }
  [[nodiscard]] Clock::time_point reading_since() const { return reading_since_; }

 private:
  using Body = boost::beast::http::string_body;

  void do_read();
  void on_read(const boost::beast::error_code& ec);
  void serve(const boost::beast::http::request<Body>& request);
  void reply_error(unsigned status, std::string_view text);
  void do_write();
  void on_write(const boost::beast::error_code& ec);
  /// Ends a connection whose reply is written: send FIN, drop what the
  /// client still sends for a moment, then close. Closing at once with
  /// unread input would send RST, which may discard the reply at the client.
  void close_after_reply();
  void drain();

  std::string peer_;  // the client's address, for the refusal log
  boost::beast::tcp_stream stream_;
  Limits limits_;
  std::shared_ptr<const Handler> handler_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<Body>> parser_;
  boost::beast::http::response<Body> response_;
  std::array<char, 512> discard_{};
  std::size_t served_ = 0;
  Clock::time_point reading_since_;
  bool reading_ = false;
  bool stopped_ = false;
};

}  // namespace tasq::server::http
