#include "redis_server_process.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

// A port nobody listens on right now: bound, read, released. Another
// process could take it in between; the start is retried then.
std::uint16_t unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// Where a complete reply starting at `at` ends, or npos when it is not all
// in `bytes` yet.
std::size_t reply_end(const std::string& bytes, std::size_t at) {
  if (at >= bytes.size()) return std::string::npos;
  const std::size_t line_end = bytes.find("\r\n", at);
  if (line_end == std::string::npos) return std::string::npos;
  const char type = bytes[at];
  const std::string line = bytes.substr(at + 1, line_end - at - 1);
  std::size_t next = line_end + 2;
  switch (type) {
    case '$':
    case '=':
    case '!': {
      const long long len = std::atoll(line.c_str());
      if (len < 0) return next;
      const std::size_t end = next + static_cast<std::size_t>(len) + 2;
      return end <= bytes.size() ? end : std::string::npos;
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      long long count = std::atoll(line.c_str());
      if (count < 0) return next;
      if (type == '%') count *= 2;
      for (long long i = 0; i < count; ++i) {
        next = reply_end(bytes, next);
        if (next == std::string::npos) return next;
      }
      return next;
    }
    default:  // + - : _ , # ( one line
      return next;
  }
}

}  // namespace

std::size_t complete_reply_length(const std::string& bytes) {
  const std::size_t end = reply_end(bytes, 0);
  return end == std::string::npos ? 0 : end;
}

RedisServerProcess::RedisServerProcess() {
  for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
    const std::uint16_t port = unused_port();
    const std::string dir = make_temp_dir("redis-server");
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string port_text = std::to_string(port);
      ::execlp("redis-server", "redis-server", "--port", port_text.c_str(), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--dir", dir.c_str(), "--logfile",
               (dir + "/redis.log").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (pid_ < 0) break;
    const bool up = eventually(
        [&] {
          RedisClient client(port);
          return client.connected() && client.command({"PING"}).str == "PONG";
        },
        std::chrono::seconds(10));
    if (up) {
      port_ = port;
    } else {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  if (port_ == 0) ADD_FAILURE() << "redis-server did not start";
}

RedisServerProcess::~RedisServerProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

}  // namespace tasq::test
