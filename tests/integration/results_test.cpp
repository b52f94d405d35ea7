// Results, tasq:finished and tasq:dead end to end: a real tasqd with real
// workers, read with hiredis and raw RESP, and compared byte for byte with a
// real redis-server wherever Redis's semantics and tasq's coincide.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "redis_client.h"
#include "results_wire.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using namespace std::chrono_literals;

// A task held until the test opens the gate: "the waiter came before the
// task ended" is then so by construction, not because the test was quick.
struct Gate {
  Gate() : path(make_temp_dir("results-gate") + "/open") {}
  /// A handler that waits for the gate, then echoes the payload.
  [[nodiscard]] std::string handler() const {
    return "exec:while [ ! -e " + path + " ]; do sleep 0.05; done; cat";
  }
  void open() const { write_file(path, ""); }
  std::string path;
};

TEST(Results, ACompletedTaskReadsBackWithItsResult) {
  TasqdProcess tasqd;
  RedisClient client(tasqd.port());
  auto id = client.command({"LPUSH", "mail", "hello"}).integer;
  auto entry = wait_result(client, id);
  ASSERT_EQ(entry.type, Reply::Type::array) << entry.str;
  EXPECT_EQ(field(entry, "status"), "completed");
  EXPECT_EQ(field(entry, "result"), "hello") << "echo's result is the payload";
  EXPECT_EQ(field(entry, "attempts"), "1");
  EXPECT_EQ(field(entry, "queue"), "mail");
  EXPECT_EQ(field(entry, "error"), "(missing)");
  const long long enqueued = std::stoll(field(entry, "enqueued_ms"));
  const long long started = std::stoll(field(entry, "started_ms"));
  const long long ended = std::stoll(field(entry, "ended_ms"));
  EXPECT_LE(enqueued, started);
  EXPECT_LE(started, ended);
  EXPECT_EQ(entry.elements[0].str,
            std::to_string(ended) + "-" +
                entry.elements[0].str.substr(entry.elements[0].str.find('-') + 1))
      << "the entry id's ms is ended_ms";
  EXPECT_EQ(client.command({"XLEN", result_key(id)}).integer, 1);
  auto range = client.command({"XRANGE", result_key(id), "-", "+"});
  ASSERT_EQ(range.elements.size(), 1u);
  EXPECT_EQ(range.elements[0].elements[0].str, entry.elements[0].str);
  auto reverse = client.command({"XREVRANGE", result_key(id), "+", "-", "COUNT", "1"});
  ASSERT_EQ(reverse.elements.size(), 1u);
}

TEST(Results, AWaitThatStartsBeforeTheTaskEnds) {
  const Gate gate;
  TasqdProcess tasqd({"--handler", gate.handler()});
  RedisClient watcher(tasqd.port());
  WireClient client(tasqd.port());
  const std::string pushed = client.call({"LPUSH", "slow", "late"});
  ASSERT_EQ(pushed.front(), ':') << pushed;
  const std::string key = "tasq:result:" + pushed.substr(1, pushed.size() - 3);
  client.send({"XREAD", "BLOCK", "30000", "STREAMS", key, "0"});
  EXPECT_TRUE(eventually([&] { return info_field(watcher, "blocked_clients") == 1; }))
      << "the client waits while the task runs";
  EXPECT_EQ(info_field(watcher, "tasks_completed"), 0);
  gate.open();
  const std::string reply = client.next(std::chrono::seconds(30));
  EXPECT_EQ(reply.substr(0, 4), "*1\r\n") << reply;
  EXPECT_NE(reply.find("$4\r\nlate\r\n"), std::string::npos) << reply;
  EXPECT_EQ(info_field(watcher, "blocked_clients"), 0);
}

TEST(Results, AWaitThatStartsAfterTheTaskEndedIsAnsweredAtOnce) {
  TasqdProcess tasqd;
  RedisClient client(tasqd.port());
  auto id = client.command({"LPUSH", "q", "early"}).integer;
  ASSERT_TRUE(eventually([&] { return info_field(client, "tasks_completed") == 1; }));
  // No BLOCK: the result is there, so the answer needs no waiting at all.
  auto reply = client.command({"XREAD", "STREAMS", result_key(id), "0"});
  ASSERT_EQ(reply.type, Reply::Type::array);
  EXPECT_EQ(field(reply.elements[0].elements[1].elements[0], "result"), "early");
}

TEST(Results, AWaitThatTimesOutAnswersNil) {
  TasqdProcess tasqd;
  RedisClient client(tasqd.port());
  auto reply = client.command({"XREAD", "BLOCK", "200", "STREAMS", "tasq:result:999", "0"});
  EXPECT_EQ(reply.type, Reply::Type::nil);
  EXPECT_EQ(client.command({"PING"}).str, "PONG") << "the connection goes on";
  EXPECT_EQ(info_field(client, "blocked_clients"), 0);
}

TEST(Results, WaitMultiOverAHundredIds) {
  TasqdProcess tasqd({"--handler", "exec:sleep 0.01; cat"});
  RedisClient client(tasqd.port());
  std::map<std::string, std::string> pending;  // key -> payload
  std::vector<std::string> first_ids;
  for (int i = 0; i < 100; ++i) {
    std::string payload = "task-" + std::to_string(i);
    first_ids.push_back(result_key(client.command({"LPUSH", "multi", payload}).integer));
    pending[first_ids.back()] = payload;
  }
  int calls = 0;
  while (!pending.empty() && calls < 200) {
    ++calls;
    std::vector<std::string> command{"XREAD", "BLOCK", "10000", "STREAMS"};
    for (const auto& [key, payload] : pending) command.push_back(key);
    for (std::size_t i = 0; i < pending.size(); ++i) command.push_back("0");
    auto reply = client.command(command);
    ASSERT_EQ(reply.type, Reply::Type::array) << "a wait over the rest timed out";
    for (const auto& stream : reply.elements) {
      const std::string& key = stream.elements.at(0).str;
      ASSERT_TRUE(pending.contains(key)) << key << " answered twice";
      EXPECT_EQ(field(stream.elements.at(1).elements.at(0), "result"), pending[key]);
      pending.erase(key);
    }
  }
  EXPECT_TRUE(pending.empty());
  // Once they have all ended, one call answers every one of them.
  std::vector<std::string> all{"XREAD", "STREAMS"};
  std::vector<std::string> keys;
  for (const auto& stream : first_ids) keys.push_back(stream);
  all.insert(all.end(), keys.begin(), keys.end());
  for (std::size_t i = 0; i < keys.size(); ++i) all.push_back("0");
  EXPECT_EQ(client.command(all).elements.size(), 100u);
}

TEST(Results, DeadLettersAreResultsEventsAndLetters) {
  TasqdProcess tasqd({"--handler", "exec:echo failing >&2; exit 3", "--task_retry", "2"});
  RedisClient client(tasqd.port());
  auto id = client.command({"LPUSH", "jobs", "the payload"}).integer;
  auto entry = wait_result(client, id);
  ASSERT_EQ(entry.type, Reply::Type::array);
  EXPECT_EQ(field(entry, "status"), "dead");
  EXPECT_EQ(field(entry, "result"), "");
  EXPECT_NE(field(entry, "error").find("exit code 3"), std::string::npos) << field(entry, "error");
  EXPECT_EQ(field(entry, "attempts"), "2");

  auto dead = client.command({"XRANGE", "tasq:dead", "-", "+"});
  ASSERT_EQ(dead.elements.size(), 1u);
  EXPECT_EQ(field(dead.elements[0], "id"), std::to_string(id));
  EXPECT_EQ(field(dead.elements[0], "queue"), "jobs");
  EXPECT_EQ(field(dead.elements[0], "payload"), "the payload");
  EXPECT_EQ(field(dead.elements[0], "attempts"), "2");
  EXPECT_EQ(field(dead.elements[0], "error"), field(entry, "error"));
  EXPECT_EQ(dead.elements[0].elements[0].str, entry.elements[0].str)
      << "one end, one entry id in every stream";

  auto finished = client.command({"XREVRANGE", "tasq:finished", "+", "-", "COUNT", "1"});
  ASSERT_EQ(finished.elements.size(), 1u);
  EXPECT_EQ(field(finished.elements[0], "id"), std::to_string(id));
  EXPECT_EQ(field(finished.elements[0], "status"), "dead");
  EXPECT_EQ(field(finished.elements[0], "result"), "(missing)") << "events carry no body";
  EXPECT_EQ(client.command({"XLEN", "tasq:dead"}).integer, 1);
}

TEST(Results, FinishedIsACallbackLoop) {
  TasqdProcess tasqd;
  RedisClient follower(tasqd.port());
  RedisClient producer(tasqd.port());
  // `$`: only what ends from now on. hiredis sends it when asked for the reply.
  std::thread push_later([&] {
    eventually([&] { return info_field(producer, "blocked_clients") == 1; });
    producer.command({"LPUSH", "q", "x"});
  });
  auto reply = follower.command({"XREAD", "BLOCK", "20000", "STREAMS", "tasq:finished", "$"});
  push_later.join();
  const long long id = 1;
  ASSERT_EQ(reply.type, Reply::Type::array);
  const auto& event = reply.elements.at(0).elements.at(1).elements.at(0);
  EXPECT_EQ(field(event, "id"), std::to_string(id));
  EXPECT_EQ(field(event, "status"), "completed");
  EXPECT_EQ(field(event, "queue"), "q");
  // The next call from the last id misses nothing in between.
  std::vector<long long> more;
  for (int i = 0; i < 5; ++i) more.push_back(producer.command({"LPUSH", "q", "y"}).integer);
  std::set<std::string> seen;
  std::string last = event.elements[0].str;
  while (seen.size() < 5) {
    auto next = follower.command({"XREAD", "BLOCK", "20000", "STREAMS", "tasq:finished", last});
    ASSERT_EQ(next.type, Reply::Type::array);
    for (const auto& e : next.elements[0].elements[1].elements) {
      seen.insert(field(e, "id"));
      last = e.elements[0].str;
    }
  }
  for (long long i : more) EXPECT_TRUE(seen.contains(std::to_string(i)));
}

TEST(Results, AResultIsBoundedByPackageMaxLength) {
  TasqdProcess tasqd(
      {"--package_max_length", "1k", "--handler", "exec:head -c 5000 /dev/zero | tr '\\0' x"});
  RedisClient client(tasqd.port());
  auto id = client.command({"LPUSH", "q", "x"}).integer;
  auto entry = wait_result(client, id);
  ASSERT_EQ(entry.type, Reply::Type::array);
  EXPECT_EQ(field(entry, "status"), "completed");
  EXPECT_EQ(field(entry, "result"), std::string(1024, 'x'));
}

TEST(Results, ResultsExpireAfterTheirTtl) {
  TasqdProcess tasqd({"--result_ttl", "1"});
  RedisClient client(tasqd.port());
  auto id = client.command({"LPUSH", "q", "x"}).integer;
  ASSERT_EQ(wait_result(client, id).type, Reply::Type::array);
  EXPECT_TRUE(eventually([&] { return client.command({"XLEN", result_key(id)}).integer == 0; }));
  EXPECT_TRUE(eventually([&] { return info_field(client, "results_kept") == 0; }));
  EXPECT_EQ(info_field(client, "results_expired"), 1);
  EXPECT_EQ(info_field(client, "results_evicted"), 0);
}

TEST(Results, WithTtlZeroAWaiterStillGetsTheResult) {
  const Gate gate;
  TasqdProcess tasqd({"--result_ttl", "0", "--handler", gate.handler()});
  RedisClient watcher(tasqd.port());
  WireClient client(tasqd.port());
  const std::string pushed = client.call({"LPUSH", "q", "fleeting"});
  const std::string key = "tasq:result:" + pushed.substr(1, pushed.size() - 3);
  client.send({"XREAD", "BLOCK", "20000", "STREAMS", key, "0"});
  ASSERT_TRUE(eventually([&] { return info_field(watcher, "blocked_clients") == 1; }));
  gate.open();
  const std::string reply = client.next(std::chrono::seconds(20));
  EXPECT_NE(reply.find("$8\r\nfleeting\r\n"), std::string::npos) << reply;
  EXPECT_EQ(info_field(watcher, "results_kept"), 0);
  EXPECT_EQ(client.call({"XLEN", key}), ":0\r\n") << "nothing kept after";
}

TEST(Results, PastResultMaxMemoryTheOldestGoFirst) {
  // Each result: about 110 bytes of entry, the queue and 200 bytes of result.
  TasqdProcess tasqd({"--result_max_memory", "3k"});
  RedisClient client(tasqd.port());
  std::vector<long long> ids;
  for (int i = 0; i < 30; ++i) {
    ids.push_back(client.command({"LPUSH", "q", std::string(200, 'a' + i % 26)}).integer);
    ASSERT_EQ(wait_result(client, ids.back()).type, Reply::Type::array);
  }
  const long long kept = info_field(client, "results_kept");
  EXPECT_GE(kept, 5);
  EXPECT_LE(kept, 12);
  EXPECT_EQ(info_field(client, "results_evicted"), 30 - kept);
  EXPECT_LE(info_field(client, "results_bytes"), 3072);
  // Kept: exactly the newest, in the order they ended.
  for (int i = 0; i < 30; ++i) {
    const bool expected = i >= 30 - kept;
    EXPECT_EQ(client.command({"XLEN", result_key(ids[i])}).integer, expected ? 1 : 0) << i;
  }
}

TEST(Results, DelForgetsAResult) {
  TasqdProcess tasqd;
  RedisClient client(tasqd.port());
  auto id = client.command({"LPUSH", "q", "x"}).integer;
  ASSERT_EQ(wait_result(client, id).type, Reply::Type::array);
  EXPECT_EQ(client.command({"DEL", result_key(id), "tasq:result:424242", "other"}).integer, 1);
  EXPECT_EQ(client.command({"XLEN", result_key(id)}).integer, 0);
  EXPECT_EQ(client.command({"DEL", result_key(id)}).integer, 0);
  EXPECT_EQ(client.command({"XRANGE", result_key(id), "-", "+"}).elements.size(), 0u);
}

TEST(Results, ADisconnectFreesTheWait) {
  TasqdProcess tasqd;
  RedisClient watcher(tasqd.port());
  {
    WireClient waiter(tasqd.port());
    waiter.send({"XREAD", "BLOCK", "0", "STREAMS", "tasq:result:77", "tasq:finished", "0", "$"});
    ASSERT_TRUE(eventually([&] { return info_field(watcher, "blocked_clients") == 1; }));
  }
  EXPECT_TRUE(eventually([&] { return info_field(watcher, "blocked_clients") == 0; }));
  EXPECT_TRUE(eventually([&] { return info_field(watcher, "connected_clients") == 1; }));
  // Task ends after it find no one to wake, and break nothing.
  for (int i = 0; i < 80; ++i) watcher.command({"LPUSH", "q", "x"});
  EXPECT_TRUE(eventually([&] { return info_field(watcher, "tasks_completed") == 80; }));
}

TEST(Results, CommandsSentWhileBlockedRunAfterTheAnswer) {
  TasqdProcess tasqd;
  WireClient client(tasqd.port());
  client.send({"XREAD", "BLOCK", "300", "STREAMS", "tasq:result:5000", "0"});
  client.send({"PING"});
  client.send({"ECHO", "after"});
  EXPECT_EQ(client.next(), "*-1\r\n");
  EXPECT_EQ(client.next(), "+PONG\r\n");
  EXPECT_EQ(client.next(), "$5\r\nafter\r\n");
}

TEST(Results, ABlockedClientIsNotIdleForTheHeartbeat) {
  TasqdProcess tasqd({"--heartbeat_check_interval", "1", "--heartbeat_idle_time", "1"});
  WireClient blocked(tasqd.port());
  WireClient idle(tasqd.port());
  ASSERT_EQ(idle.call({"PING"}), "+PONG\r\n");
  blocked.send({"XREAD", "BLOCK", "3500", "STREAMS", "tasq:result:5000", "0"});
  EXPECT_TRUE(idle.wait_closed(10s)) << "the idle client is closed";
  EXPECT_EQ(blocked.next(), "*-1\r\n") << "the blocked one got its answer, not a close";
  EXPECT_EQ(blocked.call({"PING"}), "+PONG\r\n");
}

TEST(Results, CommandInfoAndDocsKnowTheNewCommands) {
  TasqdProcess tasqd;
  RedisClient client(tasqd.port());
  auto info = client.command({"COMMAND", "INFO", "xread", "xrange", "xrevrange", "xlen", "del"});
  ASSERT_EQ(info.elements.size(), 5u);
  EXPECT_EQ(info.elements[0].elements[0].str, "xread");
  EXPECT_EQ(info.elements[0].elements[1].integer, -4);
  std::set<std::string> flags;
  for (const auto& flag : info.elements[0].elements[2].elements) flags.insert(flag.str);
  EXPECT_TRUE(flags.contains("blocking"));
  EXPECT_TRUE(flags.contains("readonly"));
  EXPECT_EQ(info.elements[4].elements[1].integer, -2) << "del";
  auto docs = client.command({"COMMAND", "DOCS", "xread"});
  ASSERT_EQ(docs.elements.size(), 2u);
  EXPECT_EQ(docs.elements[0].str, "xread");
}

// ---------------------------------------------------------------------------
// Byte for byte against redis-server.

// tasqd and redis-server side by side, each with a raw client: the same
// command to both, and their replies must be the same bytes.
class ResultsLikeRedis : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_server_.started()); }

  void expect_same(const std::vector<std::string>& command) {
    const std::string from_tasq = tasq.call(command);
    const std::string from_redis = redis.call(command);
    std::string shown;
    for (const auto& arg : command) shown += arg + " ";
    EXPECT_EQ(from_tasq, from_redis) << shown;
    EXPECT_FALSE(from_tasq.empty()) << shown;
  }
  /// Runs `check` in RESP2, then again after HELLO 3 on both.
  template <typename Check>
  void in_both_protocols(Check check) {
    check();
    tasq.call({"HELLO", "3"});
    redis.call({"HELLO", "3"});
    check();
  }

  TasqdProcess tasqd_{std::vector<std::string>{
      "--handler",
      "exec:echo boom >&2; case \"$(cat)\" in bad*) exit 1;; esac; printf 'r\\000esult'",
      "--task_retry", "1"}};
  RedisServerProcess redis_server_;
  WireClient tasq{tasqd_.port()};
  WireClient redis{redis_server_.port()};
};

TEST_F(ResultsLikeRedis, BadArgumentsGetRedisErrors) {
  const std::vector<std::vector<std::string>> commands = {
      {"XREAD"},
      {"XREAD", "STREAMS", "k"},
      {"XREAD", "STREAMS", "k", "0", "1"},
      {"xread", "streams", "a", "b", "0"},
      {"XREAD", "COUNT", "x", "STREAMS", "k", "0"},
      {"XREAD", "COUNT", "01", "STREAMS", "k", "0"},
      {"XREAD", "BLOCK", "-1", "STREAMS", "k", "0"},
      {"XREAD", "BLOCK", "1.5", "STREAMS", "k", "0"},
      {"XREAD", "BLOCK", "x", "STREAMS", "k", "0"},
      {"XREAD", "FOO", "STREAMS", "k", "0"},
      {"XREAD", "BLOCK", "0", "STREAMS"},
      {"XREAD", "COUNT", "1", "BLOCK"},
      {"XREAD", "GROUP", "g", "c", "STREAMS", "k", "0"},
      {"XREAD", "NOACK", "STREAMS", "k", "0"},
      {"XREAD", "STREAMS", "k", "abc"},
      {"XREAD", "STREAMS", "k", "1-x"},
      {"XREAD", "STREAMS", "k", "-"},
      {"XREAD", "STREAMS", "k", "+"},
      {"XREAD", "STREAMS", "k", ">"},
      {"XREAD", "STREAMS", "k", "18446744073709551616"},
      {"XREAD", "STREAMS", "k", std::string(200, '1')},
      {"XRANGE", "k", "-"},
      {"XRANGE", "k", "abc", "+"},
      {"XRANGE", "k", "-", "abc"},
      {"XRANGE", "k", "(", "+"},
      {"XRANGE", "k", "(-", "+"},
      {"XRANGE", "k", "$", "+"},
      {"XRANGE", "k", "(18446744073709551615-18446744073709551615", "+"},
      {"XRANGE", "k", "-", "(0-0"},
      {"XRANGE", "k", "-", "+", "COUNT"},
      {"XRANGE", "k", "-", "+", "COUNT", "x"},
      {"XRANGE", "k", "-", "+", "FOO", "1"},
      {"XREVRANGE", "k", "+"},
      {"XREVRANGE", "k", "(0-0", "(18446744073709551615-18446744073709551615"},
      {"XLEN"},
      {"XLEN", "a", "b"},
      {"DEL"},
  };
  for (const auto& command : commands) expect_same(command);
  EXPECT_EQ(tasq.call({"PING"}), "+PONG\r\n") << "bad arguments harm nothing";
  RedisClient other(tasqd_.port());
  EXPECT_EQ(other.command({"LPUSH", "q", "x"}).type, Reply::Type::integer);
}

TEST_F(ResultsLikeRedis, MissingStreamsAnswerAsRedisDoes) {
  in_both_protocols([&] {
    for (const std::string key : {"tasq:result:12345", "no:such:key", "tasq:result:007"}) {
      expect_same({"XREAD", "STREAMS", key, "0"});
      expect_same({"XREAD", "COUNT", "5", "STREAMS", key, key, "$", "0-1"});
      expect_same({"XREAD", "BLOCK", "50", "STREAMS", key, "0"});
      expect_same({"XRANGE", key, "-", "+"});
      expect_same({"XRANGE", key, "-", "+", "COUNT", "0"});
      expect_same({"XREVRANGE", key, "+", "-", "COUNT", "3"});
      expect_same({"XLEN", key});
      expect_same({"DEL", key, key});
    }
  });
}

// An entry tasq answers, written into redis-server with the same id and
// fields, reads back the same from both in every shape.
TEST_F(ResultsLikeRedis, EntriesHaveRedisShapesInResp2AndResp3) {
  RedisClient tasq_client(tasqd_.port());
  RedisClient redis_client(redis_server_.port());
  const auto good = tasq_client.command({"LPUSH", "q", "good"}).integer;
  const auto bad = tasq_client.command({"LPUSH", "q", "bad"}).integer;
  ASSERT_EQ(wait_result(tasq_client, good).type, Reply::Type::array);
  ASSERT_EQ(wait_result(tasq_client, bad).type, Reply::Type::array);
  // Copy every stream tasq has into redis-server, entry by entry.
  const std::vector<std::string> keys = {result_key(good), result_key(bad), "tasq:finished",
                                         "tasq:dead"};
  for (const auto& key : keys) {
    auto entries = tasq_client.command({"XRANGE", key, "-", "+"});
    ASSERT_FALSE(entries.elements.empty()) << key;
    for (const auto& entry : entries.elements) {
      std::vector<std::string> xadd{"XADD", key, entry.elements[0].str};
      for (const auto& part : entry.elements[1].elements) xadd.push_back(part.str);
      ASSERT_EQ(redis_client.command(xadd).str, entry.elements[0].str);
    }
  }
  in_both_protocols([&] {
    for (const auto& key : keys) {
      expect_same({"XRANGE", key, "-", "+"});
      expect_same({"XRANGE", key, "-", "+", "COUNT", "1"});
      expect_same({"XRANGE", key, "-", "+", "COUNT", "0"});
      expect_same({"XREVRANGE", key, "+", "-"});
      expect_same({"XREVRANGE", key, "+", "(0"});
      expect_same({"XLEN", key});
      expect_same({"XREAD", "STREAMS", key, "0"});
      expect_same({"XREAD", "COUNT", "1", "STREAMS", key, "0-0"});
    }
    expect_same({"XREAD", "STREAMS", keys[0], "nokey", keys[2], keys[3], "0", "0", "0", "0"});
    expect_same({"XREAD", "BLOCK", "100", "STREAMS", keys[2], "$"});
  });
}

}  // namespace
}  // namespace tasq::test
