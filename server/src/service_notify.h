#pragma once
// systemd's Type=notify protocol through libsystemd's sd_notify: READY=1
// once tasqd takes pushes (after the journal's replay), STATUS= lines while
// it loads and then every few seconds, STOPPING=1 at shutdown, and
// WATCHDOG=1 at half the unit's WatchdogSec. The watchdog is petted from
// the reactor, so a reactor that stops turning is what systemd notices.
// Without NOTIFY_SOCKET (not started by systemd) nothing is sent and no
// timer runs.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace tasq::server {

class ServiceNotify {
 public:
  /// `status` gives the STATUS= text of the moment: the loading progress
  /// before ready(), the running figures after ("2 workers, ...").
  ServiceNotify(boost::asio::io_context& io, std::function<std::string()> status);

  /// True when systemd (or anything) gave a NOTIFY_SOCKET.
  [[nodiscard]] bool active() const { return active_; }
  /// Starts the watchdog, when the unit asks for one, and the STATUS=
  /// lines: every second until ready(), every few seconds after.
  void start();
  /// READY=1 with a STATUS= line.
  void ready();
  /// STOPPING=1 and a last STATUS=; the watchdog goes on until tasqd exits,
  /// since draining may take up to max_wait_time.
  void stopping(std::string_view why);

 private:
  void send(const std::string& message);
  void send_status();
  void arm_watchdog();
  void arm_status();

  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer status_timer_;
  std::function<std::string()> status_;
  std::chrono::microseconds watchdog_{0};
  bool active_ = false;
  bool ready_ = false;
  bool stopping_ = false;
  bool warned_ = false;
};

}  // namespace tasq::server
