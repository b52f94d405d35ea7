#include "service_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>

namespace tasq::server {
namespace {

// STATUS= lines: each second while the journal loads (a progress line),
// then often enough for `systemctl status`, rare enough to cost nothing.
constexpr std::chrono::seconds kLoadingStatusInterval{1};
constexpr std::chrono::seconds kStatusInterval{5};

// STATUS= is one line of text.
std::string one_line(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

}  // namespace

ServiceNotify::ServiceNotify(boost::asio::io_context& io, std::function<std::string()> status)
    : watchdog_timer_(io), status_timer_(io), status_(std::move(status)) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && socket[0] != '\0';
  std::uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is ours).
  int enabled = ::sd_watchdog_enabled(0, &usec);
  if (enabled < 0) spdlog::warn("sd_watchdog_enabled: {}", std::strerror(-enabled));
  if (enabled > 0 && active_) watchdog_ = std::chrono::microseconds(usec);
}

void ServiceNotify::start() {
  if (!active_) return;
  if (watchdog_.count() > 0) {
    spdlog::info("systemd watchdog: WATCHDOG=1 every {} ms", watchdog_.count() / 2000);
    send("WATCHDOG=1");
    arm_watchdog();
  }
  send_status();
  arm_status();
}

void ServiceNotify::send(const std::string& message) {
  if (!active_) return;
  int r = ::sd_notify(0, message.c_str());
  // Said once: a socket that went away would otherwise fill the log.
  if (r < 0 && !warned_) {
    warned_ = true;
    spdlog::warn("sd_notify({}): {}", message.substr(0, message.find('\n')), std::strerror(-r));
  }
}

// While the journal loads, each line also asks for 10 more seconds of
// TimeoutStartSec, so that a long replay that makes progress is not killed
// as a failed start.
void ServiceNotify::send_status() {
  std::string message = "STATUS=" + one_line(status_());
  if (!ready_) message += "\nEXTEND_TIMEOUT_USEC=10000000";
  send(message);
}

void ServiceNotify::ready() {
  if (!active_ || ready_) return;
  ready_ = true;
  send("READY=1\nSTATUS=" + one_line(status_()));
  arm_status();  // at the slower pace from now on
}

void ServiceNotify::stopping(std::string_view why) {
  if (!active_ || stopping_) return;
  stopping_ = true;
  status_timer_.cancel();
  send("STOPPING=1\nSTATUS=" + one_line("stopping (" + std::string(why) + "): draining tasks"));
}

void ServiceNotify::arm_watchdog() {
  watchdog_timer_.expires_after(watchdog_ / 2);
  watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    send("WATCHDOG=1");
    arm_watchdog();
  });
}

void ServiceNotify::arm_status() {
  status_timer_.expires_after(ready_ ? kStatusInterval : kLoadingStatusInterval);
  status_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    send_status();
    arm_status();
  });
}

}  // namespace tasq::server
