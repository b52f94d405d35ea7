#pragma once
// A small hiredis wrapper for tests: replies copied into plain values so a
// test can compare them with ==.

#include <hiredis/hiredis.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tasq::test {

struct Reply {
  enum class Type { string, status, error, integer, nil, array, other } type = Type::nil;
  std::string str;
  long long integer = 0;
  std::vector<Reply> elements;

  [[nodiscard]] bool is_error() const { return type == Type::error; }
};

class RedisClient {
 public:
  /// Connects over TCP to 127.0.0.1:port (or `host`), or to a Unix socket path.
  explicit RedisClient(std::uint16_t port, const std::string& host = "127.0.0.1");
  explicit RedisClient(const std::string& unix_path);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  [[nodiscard]] bool connected() const { return context_ != nullptr && context_->err == 0; }
  [[nodiscard]] std::string error() const;

  /// Sends one command and waits for its reply; Type::other with `str` set
  /// to the I/O error when the connection failed.
  Reply command(const std::vector<std::string>& args);
  /// Queues a command without waiting (pipelining); read with read_reply().
  void append(const std::vector<std::string>& args);
  Reply read_reply();

 private:
  redisContext* context_ = nullptr;
};

/// A numeric INFO field (e.g. "tasks_completed"), or -1 when absent.
long long info_field(RedisClient& client, const std::string& field);

}  // namespace tasq::test
