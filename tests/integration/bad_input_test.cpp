// Bad input of every kind harms only the connection that sent it: the
// offender gets its error and is closed, a bystander keeps working, and
// every task acknowledged before, during and after still runs.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "raw_client.h"
#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using Type = Reply::Type;

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TasqdProcess>(std::vector<std::string>{"--package_max_length", "64k"});
    bystander_ = std::make_unique<RedisClient>(server_->port());
    push_one();
  }

  void push_one() {
    auto reply = bystander_->command({"LPUSH", "bystander", "task " + std::to_string(acked_)});
    ASSERT_EQ(reply.type, Type::integer) << reply.str;
    ++acked_;
  }

  // The offender got `expected_error` and was closed; the bystander still
  // works, and every acknowledged task ran.
  void expect_only_offender_hurt(RawClient& offender, const std::string& expected_error) {
    EXPECT_TRUE(offender.wait_closed()) << "the offending connection should be closed";
    EXPECT_NE(offender.received().find("-ERR Protocol error: " + expected_error),
              std::string::npos)
        << "got: " << offender.received();
    push_one();
    EXPECT_EQ(bystander_->command({"PING"}).str, "PONG");
    EXPECT_TRUE(eventually([&] { return info_field(*bystander_, "tasks_completed") == acked_; }));
    EXPECT_EQ(info_field(*bystander_, "tasks_enqueued"), acked_);
  }

  std::unique_ptr<TasqdProcess> server_;
  std::unique_ptr<RedisClient> bystander_;
  long long acked_ = 0;
};

TEST_F(BadInput, InvalidMultibulkLength) {
  RawClient offender(server_->port());
  offender.send("*abc\r\n");
  expect_only_offender_hurt(offender, "invalid multibulk length");
}

TEST_F(BadInput, InvalidBulkLength) {
  RawClient offender(server_->port());
  offender.send("*1\r\n$-5\r\n");
  expect_only_offender_hurt(offender, "invalid bulk length");
}

TEST_F(BadInput, ExpectedDollar) {
  RawClient offender(server_->port());
  offender.send("*2\r\n$4\r\nPING\r\n:1\r\n");
  expect_only_offender_hurt(offender, "expected '$', got ':'");
}

TEST_F(BadInput, UnbalancedQuotes) {
  RawClient offender(server_->port());
  offender.send("ECHO \"abc\r\n");
  expect_only_offender_hurt(offender, "unbalanced quotes");
}

TEST_F(BadInput, TooBigInline) {
  RawClient offender(server_->port());
  offender.send(std::string(100 * 1024, 'a'));
  expect_only_offender_hurt(offender, "too big inline request");
}

TEST_F(BadInput, OversizeBulkIsRefusedBeforeItArrives) {
  RawClient offender(server_->port());
  // Announce 10 MB with a 64 KB limit: refused at the header.
  offender.send("*3\r\n$5\r\nLPUSH\r\n$1\r\nq\r\n$10485760\r\n");
  expect_only_offender_hurt(offender, "");
}

TEST_F(BadInput, HugeArgumentCount) {
  RawClient offender(server_->port());
  offender.send("*2147483647\r\n");
  expect_only_offender_hurt(offender, "invalid multibulk length");
}

TEST_F(BadInput, ManyArgumentsPastTheRequestLimit) {
  RawClient offender(server_->port());
  std::string request = "*100000\r\n$5\r\nLPUSH\r\n$1\r\nq\r\n";
  for (int i = 0; i < 99998; ++i) request += "$1\r\nx\r\n";
  offender.send(request);  // ~700 KB against a 64 KB package_max_length
  expect_only_offender_hurt(offender, "");
  EXPECT_EQ(info_field(*bystander_, "tasks_enqueued"), acked_) << "nothing of it was enqueued";
}

TEST_F(BadInput, SlowPartialRequestIsServed) {
  RawClient slow(server_->port());
  std::string request = "*3\r\n$5\r\nLPUSH\r\n$4\r\nslow\r\n$11\r\nhello world\r\n";
  for (char ch : request) {
    ASSERT_TRUE(slow.send(std::string(1, ch)));
    if (ch == '\n') {
      push_one();  // others are served between the slow client's bytes
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  auto reply = slow.read(3);
  EXPECT_EQ(reply.substr(0, 1), ":") << reply;
  ++acked_;
  EXPECT_TRUE(eventually([&] { return info_field(*bystander_, "tasks_completed") == acked_; }));
}

TEST_F(BadInput, ClientThatNeverReadsHasBoundedOutput) {
  RawClient greedy(server_->port());
  std::string payload(60 * 1024, 'e');
  std::string request = "*2\r\n$4\r\nECHO\r\n$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
  // 100 MB of replies requested; the server must stop reading rather than
  // buffer them, so the sends give up (SO_SNDTIMEO) long before the end.
  constexpr int kRequests = 1700;
  int sent = 0;
  while (sent < kRequests && greedy.send(request)) ++sent;
  EXPECT_LT(sent, kRequests) << "the server kept reading from a client that never reads";
#ifndef __SANITIZE_ADDRESS__
  // ASan's quarantine keeps freed buffers resident, so RSS says nothing there.
  auto rss = info_field(*bystander_, "used_memory_rss");
  EXPECT_LT(rss, 48 * 1024 * 1024) << "server memory should stay bounded";
#endif
  push_one();
  EXPECT_EQ(bystander_->command({"PING"}).str, "PONG");
}

void raise_fd_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4096);
  setrlimit(RLIMIT_NOFILE, &limit);
}

TEST(Connections, ThousandConcurrentClients) {
  raise_fd_limit();
  TasqdProcess server;
  std::vector<std::unique_ptr<RedisClient>> clients;
  for (int i = 0; i < 1000; ++i) {
    clients.push_back(std::make_unique<RedisClient>(server.port()));
    ASSERT_TRUE(clients.back()->connected()) << i << ": " << clients.back()->error();
  }
  for (auto& c : clients) c->append({"LPUSH", "many", "x"});
  for (auto& c : clients) ASSERT_EQ(c->read_reply().type, Type::integer);
  EXPECT_EQ(info_field(*clients[0], "connected_clients"), 1000);
  EXPECT_TRUE(eventually([&] { return info_field(*clients[0], "tasks_completed") == 1000; }));
}

TEST(Connections, MaxConnectionsRefusesWithRedisWording) {
  TasqdProcess server({"--max_connections", "3"});
  RedisClient a(server.port()), b(server.port()), c(server.port());
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
  RawClient refused(server.port());
  EXPECT_TRUE(refused.wait_closed());
  EXPECT_EQ(refused.received(), "-ERR max number of clients reached\r\n");
  EXPECT_EQ(a.command({"PING"}).str, "PONG");
  EXPECT_EQ(info_field(a, "rejected_connections"), 1);
}

TEST(Connections, HeartbeatClosesOnlyIdleConnections) {
  // The active client speaks every 0.3 s or so; an idle time of 5 s leaves
  // it room for a stall of seconds on a loaded machine before it would look
  // idle. The loop's bound only ends a failed run.
  TasqdProcess server({"--heartbeat_check_interval", "1", "--heartbeat_idle_time", "5"});
  RawClient idle(server.port());
  RedisClient active(server.port());
  auto start = std::chrono::steady_clock::now();
  bool idle_closed = false;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
    ASSERT_EQ(active.command({"PING"}).str, "PONG");
    if (idle.wait_closed(std::chrono::milliseconds(300))) {
      idle_closed = true;
      break;
    }
  }
  EXPECT_TRUE(idle_closed);
  EXPECT_EQ(active.command({"PING"}).str, "PONG");
}

}  // namespace
}  // namespace tasq::test
