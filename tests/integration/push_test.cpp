// Pushed tasks really run, each exactly once, and a full ring applies
// backpressure instead of dropping or growing.

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "redis_client.h"
#include "task_files.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using Type = Reply::Type;

TEST(Push, EveryAcknowledgedTaskRunsOnce) {
  TaskFiles files("push-once");
  TasqdProcess server({"--handler", files.handler()});
  RedisClient c(server.port());
  std::map<long long, std::string> acked;
  for (int i = 0; i < 300; ++i) {
    std::string payload = "payload " + std::to_string(i);
    c.append({i % 2 ? "LPUSH" : "RPUSH", "q" + std::to_string(i % 3), payload});
  }
  for (int i = 0; i < 300; ++i) {
    auto reply = c.read_reply();
    ASSERT_EQ(reply.type, Type::integer) << reply.str;
    acked[reply.integer] = "payload " + std::to_string(i);
  }
  // Completion first: a task's file exists before its content is written.
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == 300; },
                         std::chrono::seconds(60)));
  EXPECT_EQ(files.ran(), acked);
  EXPECT_EQ(info_field(c, "tasks_enqueued"), 300);
  EXPECT_EQ(info_field(c, "tasks_pending"), 0);
  EXPECT_EQ(info_field(c, "tasks_in_flight"), 0);
}

TEST(Push, QueueAndAttemptReachTheHandler) {
  TaskFiles files("push-env");
  TasqdProcess server({"--handler", files.handler()});
  RedisClient c(server.port());
  auto id = c.command({"LPUSH", "mail", "hello"});
  ASSERT_EQ(id.type, Type::integer);
  auto expected = files.dir + "/" + std::to_string(id.integer) + ".mail.1";
  EXPECT_TRUE(eventually([&] { return std::filesystem::exists(expected); })) << expected;
}

TEST(Push, LlenCountsWaitingTasks) {
  TaskFiles files("push-llen");
  // One worker busy for longer than the test runs, however slow the machine:
  // the rest of the queue waits (max_wait_time ends it at the test's end).
  TasqdProcess server({"--task_worker_num", "1", "--handler", files.handler("sleep 120; "),
                       "--max_wait_time", "1"});
  RedisClient c(server.port());
  for (int i = 0; i < 5; ++i) c.command({"LPUSH", "slow", "x"});
  c.command({"LPUSH", "other", "y"});
  // One of the six is running; the others wait.
  ASSERT_TRUE(eventually([&] {
    return c.command({"LLEN", "slow"}).integer + c.command({"LLEN", "other"}).integer == 5;
  }));
  EXPECT_EQ(c.command({"LLEN", "other"}).integer, 1);
}

TEST(Backpressure, FullRingWaitsThenEveryTaskRuns) {
  TaskFiles files("backpressure");
  TasqdProcess server({"--handler", files.handler("sleep 0.01; "), "--package_max_length", "4k",
                       "--ring_size", "96k"});
  RedisClient c(server.port());
  std::string payload(2000, 'p');
  constexpr int kTasks = 150;  // ~300 KB through a 96 KB ring
  for (int i = 0; i < kTasks; ++i) c.append({"LPUSH", "bp", payload + std::to_string(i)});
  std::vector<long long> ids;
  for (int i = 0; i < kTasks; ++i) {
    auto reply = c.read_reply();
    ASSERT_EQ(reply.type, Type::integer) << i << ": " << reply.str;
    ids.push_back(reply.integer);
  }
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == kTasks; },
                         std::chrono::seconds(90)));
  auto ran = files.ran();
  for (int i = 0; i < kTasks; ++i) EXPECT_EQ(ran[ids[i]], payload + std::to_string(i));
}

TEST(Backpressure, BoundedWaitEndsInAnErrorAndOthersAreServed) {
  TaskFiles files("backpressure-stuck");
  TasqdProcess server({"--task_worker_num", "1", "--handler", files.handler("sleep 30; "),
                       "--package_max_length", "16k", "--ring_size", "96k", "--max_wait_time", "1"});
  RedisClient pusher(server.port());
  std::string payload(12000, 'x');
  std::vector<Reply> replies;
  // More than fits (about eight): the last ones must wait and then be
  // refused, each after the bounded wait.
  constexpr int kPushes = 10;
  for (int i = 0; i < kPushes; ++i) pusher.append({"LPUSH", "stuck", payload});
  RedisClient other(server.port());
  int acked = 0;
  int refused = 0;
  for (int i = 0; i < kPushes; ++i) {
    auto reply = pusher.read_reply();
    if (i == 0) {
      EXPECT_EQ(other.command({"PING"}).str, "PONG") << "a waiting pusher must not block others";
    }
    if (reply.type == Type::integer) {
      ++acked;
      EXPECT_EQ(refused, 0) << "acknowledgements come in order, before refusals";
    } else {
      ++refused;
      EXPECT_NE(reply.str.find("ring is full"), std::string::npos) << reply.str;
    }
  }
  EXPECT_GT(acked, 0);
  EXPECT_GT(refused, 0);
  // Nothing acknowledged was dropped: it is queued or running.
  EXPECT_EQ(info_field(other, "tasks_pending") + info_field(other, "tasks_in_flight"), acked);
}

}  // namespace
}  // namespace tasq::test
