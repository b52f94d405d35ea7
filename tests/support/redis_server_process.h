#pragma once
// A real redis-server for a test to compare tasq with: the same command to
// both, the same bytes back where their semantics coincide.

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace tasq::test {

class RedisServerProcess {
 public:
  /// Starts redis-server (persistence off) on a port the kernel picked, and
  /// waits until it answers. Adds a test failure when it does not.
  RedisServerProcess();
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  [[nodiscard]] bool started() const { return port_ != 0; }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

/// The length of the first complete RESP2/RESP3 reply in `bytes`, or 0 when
/// it is not all there yet.
std::size_t complete_reply_length(const std::string& bytes);

}  // namespace tasq::test
