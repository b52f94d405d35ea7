#pragma once
// A plain TCP client for sending bytes that no Redis library would send
// (malformed RESP, partial requests) and reading whatever comes back.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tasq::test {

class RawClient {
 public:
  explicit RawClient(std::uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  [[nodiscard]] bool connected() const { return fd_ >= 0; }
  /// True once a read saw the peer close the connection.
  [[nodiscard]] bool closed() const { return closed_; }
  /// Sends all of `bytes`; false when the connection refuses them.
  bool send(std::string_view bytes);
  /// Reads until `expected` bytes arrived, the peer closed, or `timeout`.
  std::string read(std::size_t expected,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Reads until the peer closes the connection or `timeout`; true if closed.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Everything read so far by read()/wait_closed().
  [[nodiscard]] const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
  bool closed_ = false;
};

}  // namespace tasq::test
