#pragma once
// What a listener does when accept() fails (out of descriptors or memory):
// log it and wait a little before accepting again, instead of spinning on a
// listening socket that stays readable. Shared by the RESP listeners and the
// metrics listener.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <functional>
#include <string_view>

namespace tasq::server {

class AcceptPause {
 public:
  static constexpr std::chrono::milliseconds kPause{100};

  explicit AcceptPause(boost::asio::io_context& io) : timer_(io) {}

  /// Logs "accept on `where`: ERROR" and calls `resume` after kPause,
  /// unless cancel() runs first.
  void after(const boost::system::error_code& ec, std::string_view where,
             std::function<void()> resume);
  void cancel() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
};

}  // namespace tasq::server
