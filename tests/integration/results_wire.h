#pragma once
// For the results tests: raw RESP on a socket, one whole reply at a time,
// so that tasq's bytes can be compared with redis-server's.

#include <string>
#include <vector>

#include "raw_client.h"
#include "redis_server_process.h"

namespace tasq::test {

/// A command as RESP2 multibulk bytes.
inline std::string multibulk(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& arg : args) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

/// A client that reads whole replies.
class WireClient {
 public:
  explicit WireClient(std::uint16_t port) : raw_(port) {}
  [[nodiscard]] bool connected() const { return raw_.connected(); }

  /// Sends `args` and returns the bytes of its one reply ("" on timeout).
  std::string call(const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    raw_.send(multibulk(args));
    return next(timeout);
  }
  void send(const std::vector<std::string>& args) { raw_.send(multibulk(args)); }
  /// The next whole reply ("" when none came within `timeout`).
  std::string next(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const std::string& seen = raw_.received();
      const std::string pending = seen.substr(consumed_);
      if (std::size_t len = complete_reply_length(pending); len > 0) {
        consumed_ += len;
        return pending.substr(0, len);
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return {};
      raw_.read(1, std::min(left, std::chrono::milliseconds(200)));
      if (raw_.received().size() == seen.size() && raw_.wait_closed(std::chrono::milliseconds(0))) {
        return {};
      }
    }
  }
  bool wait_closed(std::chrono::milliseconds timeout) { return raw_.wait_closed(timeout); }

 private:
  RawClient raw_;
  std::size_t consumed_ = 0;
};

}  // namespace tasq::test
