// Results and dead letters across restarts, with the journal: a result is
// there again after the restart until it expires, a client that reconnects
// still gets its result (even when tasqd was killed before the task ended),
// DEL is remembered, and dead letters come back and can be retried --
// through tasqctl -- with the retry journaled.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "redis_client.h"
#include "results_wire.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using json = nlohmann::json;
const std::string kTasqctl = std::string(TASQ_BINARY_DIR) + "/clients/tasqctl";

bool loaded(RedisClient& client) {
  return client.command({"INFO", "persistence"}).str.find("loading:0") != std::string::npos;
}

std::pair<int, std::string> tasqctl(const TasqdProcess& tasqd, const std::string& args) {
  return run_command(kTasqctl + " --admin 127.0.0.1:" + std::to_string(tasqd.admin_port()) + " " +
                     args + " 2>&1");
}

std::vector<std::string> args_with(const std::string& journal, std::vector<std::string> more) {
  std::vector<std::string> args{"--journal", journal};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(ResultsJournal, AResultIsThereAgainAfterARestart) {
  const std::string journal = make_temp_dir("results-restart") + "/tasq.journal";
  long long id = 0;
  std::string entry_id;
  {
    TasqdProcess tasqd(args_with(journal, {}));
    RedisClient client(tasqd.port());
    ASSERT_TRUE(eventually([&] { return loaded(client); }));
    id = client.command({"LPUSH", "q", std::string("bin\0ary", 7)}).integer;
    auto entry = wait_result(client, id);
    ASSERT_EQ(entry.type, Reply::Type::array);
    entry_id = entry.elements[0].str;
    const long long forgotten = client.command({"LPUSH", "q", "forget me"}).integer;
    auto second = wait_result(client, forgotten);
    ASSERT_EQ(second.type, Reply::Type::array) << second.str;
    ASSERT_EQ(client.command({"DEL", result_key(forgotten)}).integer, 1);
    ASSERT_EQ(tasqd.signal(SIGTERM, true), 0);
  }
  TasqdProcess tasqd(args_with(journal, {}));
  RedisClient client(tasqd.port());
  ASSERT_TRUE(eventually([&] { return loaded(client); }));
  auto entry = wait_result(client, id, 100);
  ASSERT_EQ(entry.type, Reply::Type::array) << "the result came back";
  EXPECT_EQ(entry.elements[0].str, entry_id) << "with its entry id";
  EXPECT_EQ(field(entry, "result"), std::string("bin\0ary", 7));
  EXPECT_EQ(client.command({"XLEN", result_key(id + 1)}).integer, 0) << "DEL is remembered";
  EXPECT_EQ(info_field(client, "results_kept"), 1);
  // New ends get ids above the old ones.
  const long long next = client.command({"LPUSH", "q", "new"}).integer;
  EXPECT_GT(next, id + 1);
  auto later = wait_result(client, next);
  ASSERT_EQ(later.type, Reply::Type::array);
  EXPECT_GT(later.elements[0].str, entry_id);
}

TEST(ResultsJournal, AClientThatWaitsAcrossAKillGetsItsResult) {
  const std::string dir = make_temp_dir("results-kill");
  const std::string journal = dir + "/tasq.journal";
  long long id = 0;
  {
    TasqdProcess tasqd(
        args_with(journal, {"--handler", "exec:sleep 30", "--task_worker_num", "1"}));
    RedisClient client(tasqd.port());
    ASSERT_TRUE(eventually([&] { return loaded(client); }));
    id = client.command({"LPUSH", "q", "survivor"}).integer;
    ASSERT_TRUE(eventually([&] { return info_field(client, "tasks_in_flight") == 1; }));
    // The waiter's connection breaks with tasqd.
    RedisClient waiter(tasqd.port());
    waiter.append({"XREAD", "BLOCK", "0", "STREAMS", result_key(id), "0"});
    tasqd.signal(SIGKILL, true);
    EXPECT_NE(waiter.read_reply().type, Reply::Type::array);
  }
  // The task never ended: it runs again after the restart, and the client
  // that reconnects gets its result.
  TasqdProcess tasqd(args_with(journal, {"--handler", "exec:cat"}));
  RedisClient waiter(tasqd.port());
  ASSERT_TRUE(eventually([&] { return loaded(waiter); }));
  auto entry = wait_result(waiter, id);
  ASSERT_EQ(entry.type, Reply::Type::array);
  EXPECT_EQ(field(entry, "result"), "survivor");
}

TEST(ResultsJournal, DeadLettersComeBackAndARetryIsJournaled) {
  const std::string dir = make_temp_dir("results-retry");
  const std::string journal = dir + "/tasq.journal";
  const std::string flag = dir + "/works";
  // Fails until the flag file exists.
  const std::vector<std::string> args =
      args_with(journal, {"--handler", "exec:test -e " + flag + " && cat", "--task_retry", "2",
                          "--admin", "127.0.0.1:0"});
  long long id = 0;
  {
    TasqdProcess tasqd(args);
    RedisClient client(tasqd.port());
    ASSERT_TRUE(eventually([&] { return loaded(client); }));
    id = client.command({"LPUSH", "mail", "to ann"}).integer;
    auto entry = wait_result(client, id);
    ASSERT_EQ(entry.type, Reply::Type::array);
    ASSERT_EQ(field(entry, "status"), "dead");
    ASSERT_EQ(tasqd.signal(SIGTERM, true), 0);
  }
  {
    TasqdProcess tasqd(args);
    RedisClient client(tasqd.port());
    ASSERT_TRUE(eventually([&] { return loaded(client); }));
    auto dead = client.command({"XRANGE", "tasq:dead", "-", "+"});
    ASSERT_EQ(dead.elements.size(), 1u) << "the dead letter came back";
    EXPECT_EQ(field(dead.elements[0], "payload"), "to ann");
    EXPECT_EQ(field(dead.elements[0], "attempts"), "2");

    auto [listed, table] = tasqctl(tasqd, "dead");
    EXPECT_EQ(listed, 0) << table;
    EXPECT_NE(table.find("to ann"), std::string::npos) << table;
    EXPECT_NE(table.find("mail"), std::string::npos) << table;
    auto [raw_status, raw] = tasqctl(tasqd, "--json dead mail 5");
    ASSERT_EQ(raw_status, 0) << raw;
    auto doc = json::parse(raw);
    ASSERT_EQ(doc["dead"].size(), 1u);
    EXPECT_EQ(doc["dead"][0]["id"], id);
    EXPECT_EQ(doc["dead"][0]["payload"], "to ann");
    EXPECT_EQ(json::parse(tasqctl(tasqd, "--json dead other").second)["dead"].size(), 0u);

    std::ofstream(flag) << "yes";
    // A waiter after the old `dead` entry ($) gets the outcome of the retry.
    WireClient waiter(tasqd.port());
    waiter.send({"XREAD", "BLOCK", "20000", "STREAMS", result_key(id), "$"});
    ASSERT_TRUE(eventually([&] { return info_field(client, "blocked_clients") == 1; }));
    auto [retried, out] = tasqctl(tasqd, "retry " + std::to_string(id));
    EXPECT_EQ(retried, 0) << out;
    EXPECT_EQ(out, "OK 1\n");
    const std::string woken = waiter.next(std::chrono::seconds(20));
    EXPECT_NE(woken.find("$9\r\ncompleted\r\n"), std::string::npos) << woken;
    auto entry = wait_result(client, id);
    ASSERT_EQ(entry.type, Reply::Type::array);
    EXPECT_EQ(field(entry, "status"), "completed");
    EXPECT_EQ(field(entry, "result"), "to ann");
    EXPECT_EQ(field(entry, "attempts"), "1") << "a fresh attempt count";
    EXPECT_EQ(client.command({"XLEN", "tasq:dead"}).integer, 0);
    EXPECT_EQ(info_field(client, "dead_letters_retried"), 1);
    EXPECT_EQ(tasqctl(tasqd, "retry " + std::to_string(id)).second, "OK 0\n") << "gone";
    EXPECT_EQ(tasqctl(tasqd, "retry").first, 2) << "usage";
    EXPECT_EQ(tasqctl(tasqd, "retry nonsense").first, 1) << "the server's ERR";
    ASSERT_EQ(tasqd.signal(SIGTERM, true), 0);
  }
  TasqdProcess tasqd(args);
  RedisClient client(tasqd.port());
  ASSERT_TRUE(eventually([&] { return loaded(client); }));
  EXPECT_EQ(client.command({"XLEN", "tasq:dead"}).integer, 0) << "the retry was journaled";
  auto entry = wait_result(client, id, 100);
  ASSERT_EQ(entry.type, Reply::Type::array);
  EXPECT_EQ(field(entry, "status"), "completed");
}

TEST(ResultsJournal, RetryAllSendsEveryLetterBack) {
  const std::string dir = make_temp_dir("results-retry-all");
  const std::string flag = dir + "/works";
  TasqdProcess tasqd({"--handler", "exec:test -e " + flag + " && cat", "--task_retry", "1",
                      "--admin", "127.0.0.1:0"});
  RedisClient client(tasqd.port());
  std::vector<long long> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(client.command({"LPUSH", i < 3 ? "a" : "b", "x"}).integer);
  ASSERT_TRUE(eventually([&] { return info_field(client, "dead_letters") == 5; }));
  std::ofstream(flag) << "yes";
  EXPECT_EQ(tasqctl(tasqd, "retry all b").second, "OK 2\n");
  EXPECT_EQ(tasqctl(tasqd, "retry all").second, "OK 3\n");
  ASSERT_TRUE(eventually([&] { return info_field(client, "tasks_completed") == 5; }));
  EXPECT_EQ(info_field(client, "dead_letters"), 0);
}

TEST(ResultsAdmin, DeadListsWhatFitsOneDatagram) {
  // One worker: tasks die in push order, so "newest first" names one task.
  TasqdProcess tasqd({"--handler", "exec:exit 1", "--task_retry", "1", "--admin", "127.0.0.1:0",
                      "--task_worker_num", "1"});
  RedisClient client(tasqd.port());
  client.command({"LPUSH", "big", std::string(3000, 'p')});
  client.command({"LPUSH", "bin", std::string("\xff\xfe\x00\x01", 4)});
  for (int i = 0; i < 100; ++i) client.command({"LPUSH", "many", "payload " + std::to_string(i)});
  ASSERT_TRUE(eventually([&] { return info_field(client, "dead_letters") == 102; }));

  auto big = json::parse(tasqctl(tasqd, "--json dead big").second);
  ASSERT_EQ(big["dead"].size(), 1u);
  EXPECT_EQ(big["dead"][0]["payload"].get<std::string>().size(), 200u) << "cut to fit";
  EXPECT_EQ(big["dead"][0]["payload_bytes"], 3000);
  auto bin = json::parse(tasqctl(tasqd, "--json dead bin").second);
  ASSERT_EQ(bin["dead"].size(), 1u) << "bytes that are not UTF-8 still make JSON";
  EXPECT_EQ(bin["dead"][0]["payload_bytes"], 4);

  auto all = json::parse(tasqctl(tasqd, "--json dead '*' 1000").second);
  EXPECT_EQ(all["total"], 102);
  EXPECT_TRUE(all.value("truncated", false)) << "a hundred letters do not fit one datagram";
  EXPECT_GT(all["dead"].size(), 10u);
  auto two = json::parse(tasqctl(tasqd, "--json dead '*' 2").second);
  ASSERT_EQ(two["dead"].size(), 2u);
  EXPECT_EQ(two["dead"][0]["payload"], "payload 99") << "newest first";

  EXPECT_EQ(tasqctl(tasqd, "dead many 0").first, 1) << "the server's ERR";
  EXPECT_EQ(tasqctl(tasqd, "dead many x").first, 1);
  EXPECT_EQ(tasqctl(tasqd, "dead a b c").first, 2) << "tasqctl's usage";
  auto [status, table] = tasqctl(tasqd, "dead many 3");
  EXPECT_EQ(status, 0) << table;
  EXPECT_NE(table.find("3 shown, 102 dead letter(s) kept"), std::string::npos) << table;
  EXPECT_EQ(client.command({"PING"}).str, "PONG");
}

}  // namespace
}  // namespace tasq::test
