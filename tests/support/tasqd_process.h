#pragma once
// Starts a real tasqd for a test, on a port the kernel picks, and stops it.
// Brings tasq::test_common along, which every test that starts tasqd uses.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "tasq/test/eventually.h"
#include "tasq/test/files.h"
#include "tasq/test/temp_dir.h"

namespace tasq::test {

class TasqdProcess {
 public:
  /// Starts tasqd with `args` (directives as `--name value` pairs) plus
  /// `--listen 127.0.0.1:0 --admin none` unless args name them, and waits
  /// until it logs that it is ready. Adds a test failure on timeout (check
  /// started() where going on would be pointless).
  explicit TasqdProcess(std::vector<std::string> args = {});
  ~TasqdProcess();
  TasqdProcess(const TasqdProcess&) = delete;
  TasqdProcess& operator=(const TasqdProcess&) = delete;

  [[nodiscard]] bool started() const { return pid_ > 0 && port_ != 0; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// The admin UDP port, when started with `--admin 127.0.0.1:0`; else 0.
  [[nodiscard]] std::uint16_t admin_port() const { return admin_port_; }
  /// The HTTP port, when started with `--metrics 127.0.0.1:0`; else 0.
  [[nodiscard]] std::uint16_t metrics_port() const { return metrics_port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  /// Everything tasqd has written to stderr so far.
  [[nodiscard]] std::string log() const;
  /// Waits until the log contains `text`; false on timeout.
  bool wait_for_log(const std::string& text,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

  /// Sends `signo`; with wait, waits for exit and returns the exit status
  /// (as from waitpid), or -1 on timeout.
  int signal(int signo, bool wait = false,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// Waits for the process to exit; returns waitpid status, or -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::uint16_t metrics_port_ = 0;
  std::string log_path_;
};

/// Checks the log of `expected` events that began at `since` and that
/// `server` logs at a bounded rate, as lines matching `line` whose first
/// group counts the events each stands for: waits (20 s at most) until the
/// counts add up to `expected`, then expects at most one line a second
/// since `since`, plus the first, which comes at once.
void expect_counted_once_a_second(const TasqdProcess& server, const std::regex& line,
                                  long long expected, std::chrono::steady_clock::time_point since);

/// Runs `command` through /bin/sh, returns {exit status, stdout}.
std::pair<int, std::string> run_command(const std::string& command);

}  // namespace tasq::test
