#pragma once
// For the results tests: raw RESP on a socket, one whole reply at a time,
// so that tasq's bytes can be compared with redis-server's; and reading
// result entries with hiredis.

#include <string>
#include <vector>

#include "raw_client.h"
#include "redis_client.h"
#include "redis_server_process.h"

namespace tasq::test {

/// A field of a stream entry as hiredis returns it ([id, [field, value, ...]]);
/// "(missing)" when the entry has no such field.
inline std::string field(const Reply& entry, const std::string& name) {
  const auto& fields = entry.elements.at(1).elements;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str == name) return fields[i + 1].str;
  }
  return "(missing)";
}

inline std::string result_key(long long id) { return "tasq:result:" + std::to_string(id); }

/// XREAD BLOCK on one result: its entry, or the reply itself (nil on a timeout).
inline Reply wait_result(RedisClient& client, long long id, int block_ms = 20000) {
  auto reply =
      client.command({"XREAD", "BLOCK", std::to_string(block_ms), "STREAMS", result_key(id), "0"});
  if (reply.type != Reply::Type::array) return reply;
  return reply.elements.at(0).elements.at(1).elements.at(0);
}

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
