// 10,000 clients blocked in XREAD BLOCK at once: all listed, the ones whose
// tasks end answered, the rest still waiting, every wait freed when its
// client goes, and the server answering others throughout.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

constexpr int kClients = 10000;

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    fd = -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Whatever the client has been sent so far (non-blocking look).
std::string peek(int fd) {
  char buffer[4096];
  pollfd pfd{fd, POLLIN, 0};
  if (::poll(&pfd, 1, 0) <= 0) return {};
  ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

TEST(ResultsBlocked, TenThousandClientsWaitAtOnce) {
  // The test process and tasqd (its child, which raises its own limit as far
  // as the hard one) both need a descriptor per client.
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max < kClients + 200) {
    GTEST_SKIP() << "the hard RLIMIT_NOFILE (" << limit.rlim_max << ") is below " << kClients;
  }
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);

  TasqdProcess tasqd({"--max_connections", std::to_string(kClients + 100)});
  ASSERT_TRUE(tasqd.started());
  RedisClient watcher(tasqd.port());
  std::vector<int> fds;
  fds.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    int fd = connect_to(tasqd.port());
    ASSERT_GE(fd, 0) << "connection " << i;
    fds.push_back(fd);
    // Client i waits for task i + 1: the tasks pushed below end the first.
    const std::string key = "tasq:result:" + std::to_string(i + 1);
    ASSERT_TRUE(send_all(fd, "*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$" +
                                 std::to_string(key.size()) + "\r\n" + key + "\r\n$1\r\n0\r\n"))
        << i;
  }
  ASSERT_TRUE(eventually([&] { return info_field(watcher, "blocked_clients") == kClients; },
                         std::chrono::seconds(60)))
      << info_field(watcher, "blocked_clients") << " blocked";
  EXPECT_EQ(watcher.command({"PING"}).str, "PONG");

  // 100 tasks: ids 1..100 end, and exactly their clients are answered.
  constexpr int kEnded = 100;
  for (int i = 0; i < kEnded; ++i) watcher.command({"LPUSH", "q", "p" + std::to_string(i + 1)});
  ASSERT_TRUE(
      eventually([&] { return info_field(watcher, "blocked_clients") == kClients - kEnded; },
                 std::chrono::seconds(60)));
  for (int i = 0; i < kEnded; ++i) {
    std::string got;
    eventually([&] {
      got += peek(fds[i]);
      // The whole reply ends with ended_ms, 13 digits for years to come.
      const auto at = got.find("ended_ms\r\n$13\r\n");
      return at != std::string::npos && got.size() >= at + 15 + 15;
    });
    EXPECT_NE(got.find("tasq:result:" + std::to_string(i + 1)), std::string::npos) << i;
    EXPECT_NE(got.find("$" + std::to_string(std::to_string(i + 1).size() + 1) + "\r\np" +
                       std::to_string(i + 1) + "\r\n"),
              std::string::npos)
        << "client " << i << " got: " << got;
  }
  for (int i = kEnded; i < kEnded + 50; ++i) EXPECT_EQ(peek(fds[i]), "") << "still waiting";

  // Every client leaves: every wait is freed.
  for (int fd : fds) ::close(fd);
  EXPECT_TRUE(eventually([&] { return info_field(watcher, "blocked_clients") == 0; },
                         std::chrono::seconds(60)));
  EXPECT_TRUE(eventually([&] { return info_field(watcher, "connected_clients") == 1; },
                         std::chrono::seconds(60)));
  // Later ends find nobody to wake.
  for (int i = 0; i < 200; ++i) watcher.command({"LPUSH", "q", "x"});
  EXPECT_TRUE(eventually([&] { return info_field(watcher, "tasks_completed") == kEnded + 200; }));
}

}  // namespace
}  // namespace tasq::test
