// Delayed tasks (ZADD, ZCARD, ZREM) against a real tasqd: they run after
// their due time and not before, past ones at once; ZREM cancels, NX keeps
// the time, a payload is scheduled once per queue; Redis's error words; and
// the clients users schedule from (redis-cli, redis-py, phpredis).

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using Type = Reply::Type;
using namespace std::chrono_literals;

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A due time as ZADD takes it: unix seconds with a fraction.
std::string due_in(std::chrono::milliseconds ahead) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(now_ms() + ahead.count()) / 1000);
  return text;
}

// The handler writes, for each task, the unix time in ms at which it started
// into DIR/<id>, through a rename so that a file that exists is complete.
struct StartTimes {
  explicit StartTimes(const std::string& name) : dir(make_temp_dir(name)) {}
  [[nodiscard]] std::string handler() const {
    return "exec:cat >/dev/null; date +%s%3N > " + dir + "/.$TASQ_TASK_ID && mv " + dir +
           "/.$TASQ_TASK_ID " + dir + "/$TASQ_TASK_ID";
  }
  /// The start time of task `id`, or -1 while it has not run.
  [[nodiscard]] long long started(long long id) const {
    std::ifstream in(dir + "/" + std::to_string(id));
    long long ms = -1;
    if (in) in >> ms;
    return ms;
  }
  // The bound only ends a run that failed: a task that is due runs when the
  // machine gets to it, which on a loaded one (or a sanitizer build) is late.
  bool wait_started(long long id, std::chrono::milliseconds timeout = 60s) const {
    return eventually([&] { return started(id) > 0; }, timeout);
  }
  std::string dir;
};

class Delayed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    times_ = new StartTimes("delayed");
    server_ = new TasqdProcess({"--handler", times_->handler()});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete times_;
    server_ = nullptr;
    times_ = nullptr;
  }
  static TasqdProcess* server_;
  static StartTimes* times_;
};
TasqdProcess* Delayed::server_ = nullptr;
StartTimes* Delayed::times_ = nullptr;

TEST_F(Delayed, RunsAfterItsDueTimeNotBefore) {
  RedisClient c(server_->port());
  std::string due = due_in(300ms);
  long long due_ms = std::llround(std::stod(due) * 1000);
  auto id = c.command({"ZADD", "later", due, "payload"});
  ASSERT_EQ(id.type, Type::integer) << id.str;
  EXPECT_GT(id.integer, 0);
  EXPECT_EQ(c.command({"ZCARD", "later"}).integer, 1);
  EXPECT_EQ(info_field(c, "tasks_scheduled"), 1);
  ASSERT_TRUE(times_->wait_started(id.integer)) << "did not run after being due";
  long long started = times_->started(id.integer);
  // How late it ran is the machine's business (timing is not asserted); that
  // it ran, and not before its time, is tasqd's.
  EXPECT_GE(started, due_ms) << "ran " << due_ms - started << " ms before its due time";
  EXPECT_EQ(c.command({"ZCARD", "later"}).integer, 0);
  EXPECT_EQ(info_field(c, "tasks_scheduled"), 0);
}

TEST_F(Delayed, PastDueRunsAtOnceAndIdsKeepIncreasing) {
  RedisClient c(server_->port());
  auto pushed = c.command({"LPUSH", "now", "a"});
  auto id = c.command({"ZADD", "past", "1", "p1", "-inf", "p2"});
  ASSERT_EQ(id.type, Type::integer) << id.str;
  EXPECT_EQ(id.integer, pushed.integer + 2) << "one id per payload, the last returned";
  // Nothing due waits before them: they went straight to the queue.
  EXPECT_EQ(c.command({"ZCARD", "past"}).integer, 0);
  auto after = c.command({"LPUSH", "now", "b"});
  EXPECT_GT(after.integer, id.integer);
  ASSERT_TRUE(times_->wait_started(id.integer));
  ASSERT_TRUE(times_->wait_started(id.integer - 1));
}

TEST_F(Delayed, ZremCancels) {
  RedisClient c(server_->port());
  std::string due = due_in(500ms);
  auto id = c.command({"ZADD", "cancel", due, "x", due, "y"});
  ASSERT_EQ(id.type, Type::integer) << id.str;
  EXPECT_EQ(c.command({"ZCARD", "cancel"}).integer, 2);
  EXPECT_EQ(c.command({"ZREM", "cancel", "x", "y", "nosuch"}).integer, 2);
  EXPECT_EQ(c.command({"ZREM", "cancel", "x"}).integer, 0);
  EXPECT_EQ(c.command({"ZREM", "nosuch", "x"}).integer, 0);
  EXPECT_EQ(c.command({"ZCARD", "cancel"}).integer, 0);
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(times_->started(id.integer), -1) << "a cancelled task ran";
  EXPECT_EQ(times_->started(id.integer - 1), -1) << "a cancelled task ran";
}

TEST_F(Delayed, APayloadIsScheduledOnceAndNxKeepsItsTime) {
  RedisClient c(server_->port());
  auto first = c.command({"ZADD", "once", due_in(100s), "p"});
  ASSERT_EQ(first.type, Type::integer) << first.str;
  auto kept = c.command({"ZADD", "once", "NX", due_in(0ms), "p"});
  EXPECT_EQ(kept.integer, first.integer) << "NX: the id of the task already scheduled";
  // The same payload on another queue is another task.
  auto other = c.command({"ZADD", "other", due_in(100s), "p"});
  EXPECT_NE(other.integer, first.integer);
  EXPECT_EQ(c.command({"ZCARD", "once"}).integer, 1);
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(times_->started(first.integer), -1) << "NX moved the due time";
  std::string due = due_in(200ms);
  auto moved = c.command({"ZADD", "once", due, "p"});
  EXPECT_EQ(moved.integer, first.integer) << "a move keeps the id";
  EXPECT_EQ(c.command({"ZCARD", "once"}).integer, 1);
  ASSERT_TRUE(times_->wait_started(first.integer)) << "the moved task did not run";
  EXPECT_GE(times_->started(first.integer), std::llround(std::stod(due) * 1000));
  EXPECT_EQ(c.command({"ZREM", "other", "p"}).integer, 1);
}

TEST_F(Delayed, RedisErrorWords) {
  RedisClient c(server_->port());
  const std::string bad_float = "ERR value is not a valid float";
  EXPECT_EQ(c.command({"ZADD", "e", "abc", "p"}).str, bad_float);
  EXPECT_EQ(c.command({"ZADD", "e", "nan", "p"}).str, bad_float);
  EXPECT_EQ(c.command({"ZADD", "e", " 5", "p"}).str, bad_float);
  EXPECT_EQ(c.command({"ZADD", "e", "5x", "p"}).str, bad_float);
  EXPECT_EQ(c.command({"ZADD", "e", "1e400", "p"}).str, bad_float);
  EXPECT_EQ(c.command({"ZADD", "e", "5 ", "p"}).str, bad_float);
  EXPECT_EQ(c.command({"ZADD", "e", "-nan", "p"}).str, bad_float);
  // What strtod reads and a plain decimal parser does not: a sign, hex.
  EXPECT_EQ(c.command({"ZADD", "e", "+1", "plus"}).type, Type::integer);
  EXPECT_EQ(c.command({"ZADD", "e", "0x10", "hex"}).type, Type::integer);
  EXPECT_EQ(c.command({"ZADD", "e", ""}).str, "ERR wrong number of arguments for 'zadd' command");
  EXPECT_EQ(c.command({"ZADD", "e"}).str, "ERR wrong number of arguments for 'zadd' command");
  EXPECT_EQ(c.command({"ZADD", "e", "NX", "5"}).str, "ERR syntax error");
  EXPECT_EQ(c.command({"ZADD", "e", "5", "a", "6"}).str, "ERR syntax error");
  EXPECT_EQ(c.command({"ZADD", "e", "nx", "xx", "5", "a"}).str,
            "ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(c.command({"ZADD", "e", "NX", "GT", "5", "a"}).str,
            "ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(c.command({"ZADD", "e", "INCR", "5", "a", "6", "b"}).str,
            "ERR INCR option supports a single increment-element pair");
  auto unsupported = c.command({"ZADD", "e", "XX", "5", "a"});
  EXPECT_EQ(unsupported.type, Type::error);
  EXPECT_NE(unsupported.str.find("only NX is supported"), std::string::npos) << unsupported.str;
  auto far = c.command({"ZADD", "e", "1e12", "a"});
  EXPECT_NE(far.str.find("ERR due time out of range"), std::string::npos) << far.str;
  EXPECT_EQ(c.command({"ZCARD"}).str, "ERR wrong number of arguments for 'zcard' command");
  EXPECT_EQ(c.command({"ZREM", "e"}).str, "ERR wrong number of arguments for 'zrem' command");
  // All or none: a bad score anywhere schedules nothing.
  EXPECT_EQ(c.command({"ZADD", "e", due_in(60s), "a", "bad", "b"}).str, bad_float);
  EXPECT_EQ(c.command({"ZCARD", "e"}).integer, 0);
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
}

// Scheduled payload bytes are bounded by ring_size: everything scheduled
// could then sit in the ring at once.
TEST(DelayedBound, ZaddPastRingSizeIsRefused) {
  TasqdProcess server({"--ring_size", "2m", "--package_max_length", "512k"});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  std::string big(400 * 1024, 'x');
  std::string due = due_in(100s);
  int accepted = 0;
  std::string error;
  for (int i = 0; i < 10 && error.empty(); ++i) {
    big[0] = static_cast<char>('a' + i);
    auto reply = c.command({"ZADD", "big", due, big});
    if (reply.type == Type::integer)
      ++accepted;
    else
      error = reply.str;
  }
  EXPECT_EQ(accepted, 5) << "5 x 400 KiB fit in 2 MiB, the sixth does not";
  EXPECT_NE(error.find("ERR too many scheduled tasks"), std::string::npos) << error;
  EXPECT_EQ(c.command({"ZCARD", "big"}).integer, 5);
  // Moving one already scheduled needs no room; cancelling makes room.
  big[0] = 'a';
  EXPECT_EQ(c.command({"ZADD", "big", due_in(200s), big}).type, Type::integer);
  EXPECT_EQ(c.command({"ZREM", "big", big}).integer, 1);
  big[0] = 'z';
  EXPECT_EQ(c.command({"ZADD", "big", due, big}).type, Type::integer);
}

// Due tasks that find the ring full wait for room and are never dropped: a
// slow worker, a ring holding about four 190 KiB payloads, two of them pushed
// first, then five scheduled due at once. Each task takes half a second, so
// the ring is still full of the first ones when the last ZADDs come, even on
// a machine that makes the test's requests slow.
TEST(DelayedRingFull, DueTasksWaitForRoom) {
  StartTimes times("delayed-full");
  TasqdProcess server({"--ring_size", "1m", "--package_max_length", "256k", "--log_level", "debug",
                       "--task_worker_num", "1", "--handler",
                       "exec:sleep 0.5; " + times.handler().substr(5)});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  std::string big(190 * 1024, 'x');
  std::vector<long long> ids;
  for (char tag : {'a', 'b'}) {
    big[0] = tag;
    auto id = c.command({"LPUSH", "full", big});
    ASSERT_EQ(id.type, Type::integer) << id.str;
    ids.push_back(id.integer);
  }
  // One ZADD each: a request is bounded by package_max_length as a whole.
  for (char tag : {'c', 'd', 'e', 'f', 'g'}) {
    big[0] = tag;
    auto id = c.command({"ZADD", "full", "1", big});
    ASSERT_EQ(id.type, Type::integer) << id.str;
    ids.push_back(id.integer);
  }
  EXPECT_TRUE(server.wait_for_log("the ring is full")) << "the test did not fill the ring";
  for (long long id : ids) EXPECT_TRUE(times.wait_started(id)) << "task " << id;
  EXPECT_EQ(info_field(c, "tasks_scheduled"), 0);
  // One worker runs them in ring order: a ZADD due at once that came while
  // earlier ones waited for room did not overtake them.
  for (std::size_t i = 1; i < ids.size(); ++i) {
    EXPECT_LE(times.started(ids[i - 1]), times.started(ids[i])) << "task " << ids[i];
  }
}

// The clients users schedule from, unchanged: each prints the id ZADD gave.
class DelayedClients : public Delayed {
 protected:
  void expect_runs(const std::string& command) {
    auto [status, out] = run_command(command + " 2>&1");
    ASSERT_EQ(status, 0) << command << "\n" << out;
    long long id = std::atoll(out.c_str());
    ASSERT_GT(id, 0) << out;
    EXPECT_TRUE(times_->wait_started(id)) << command;
  }
  std::string port() const { return std::to_string(server_->port()); }
};

TEST_F(DelayedClients, RedisCli) {
  expect_runs("redis-cli -p " + port() + " ZADD mail $(($(date +%s)+1)) '{\"to\":\"a@b\"}'");
}

TEST_F(DelayedClients, RedisPy) {
  expect_runs("/usr/bin/python3 -c \"import redis, time; r = redis.Redis(port=" + port() +
              "); print(r.zadd('mail', {'py payload': time.time() + 0.3}))\"");
}

TEST_F(DelayedClients, PhpRedis) {
  expect_runs("php -r '$r = new Redis(); $r->connect(\"127.0.0.1\", " + port() +
              "); echo $r->zAdd(\"mail\", time() + 1, \"php payload\"), \"\\n\";'");
}

}  // namespace
}  // namespace tasq::test
