// Real clients, unchanged, push tasks that really run: the producer
// examples of clients/ (phpredis, redis-py, hiredis, redis-cli), redis-cli
// interactive, and redis-benchmark.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "redis_client.h"
#include "task_files.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

std::vector<long long> parse_ids(const std::string& out) {
  std::vector<long long> ids;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) ids.push_back(std::stoll(line));
  }
  return ids;
}

// Runs `command` with HOST PORT QUEUE and three payloads appended; checks
// that it printed three ids and that each task ran with its payload.
void expect_example_pushes(const std::string& command) {
  TaskFiles files("example");
  TasqdProcess server({"--handler", files.handler()});
  std::vector<std::string> payloads{"first task", "second: {\"json\": true}", "third"};
  std::string line = command + " 127.0.0.1 " + std::to_string(server.port()) + " mails";
  for (const auto& p : payloads) line += " '" + p + "'";
  auto [status, out] = run_command(line + " 2>&1");
  ASSERT_EQ(status, 0) << line << "\n" << out;
  auto ids = parse_ids(out);
  ASSERT_EQ(ids.size(), payloads.size()) << out;
  ASSERT_TRUE(eventually([&] { return files.count() == payloads.size(); }));
  auto ran = files.ran();
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ran[ids[i]], payloads[i]);
}

const std::string kExamples = std::string(TASQ_SOURCE_DIR) + "/clients/examples/";

TEST(Clients, PhpRedis) { expect_example_pushes("php " + kExamples + "push.php"); }

TEST(Clients, PhpRedisSaysWhenTasqIsDown) {
  // Port 1 on loopback: nothing listens there.
  auto [status, out] = run_command("php " + kExamples + "push.php 127.0.0.1 1 q x 2>&1");
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("cannot push to tasq at 127.0.0.1:1"), std::string::npos) << out;
}

TEST(Clients, RedisPy) { expect_example_pushes("/usr/bin/python3 " + kExamples + "push.py"); }

TEST(Clients, Hiredis) {
  expect_example_pushes(std::string(TASQ_BINARY_DIR) + "/clients/push_example");
}

TEST(Clients, RedisCliOneShot) { expect_example_pushes("sh " + kExamples + "push.sh"); }

TEST(Clients, RedisCliInteractive) {
  TaskFiles files("cli-interactive");
  TasqdProcess server({"--handler", files.handler()});
  // A pseudo-terminal makes redis-cli run its interactive prompt.
  std::string command = "/usr/bin/python3 " + std::string(TASQ_SOURCE_DIR) +
                        "/tests/integration/redis_cli_interactive.py " +
                        std::to_string(server.port()) +
                        " PING PONG 'LPUSH q \"from the prompt\"' '(integer) 1'"
                        " 'LLEN q' '(integer) ' 2>&1";
  auto [status, out] = run_command(command);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("PONG"), std::string::npos) << out;
  EXPECT_NE(out.find("(integer) 1"), std::string::npos) << out;
  ASSERT_TRUE(eventually([&] { return files.count() == 1; }));
  EXPECT_EQ(files.ran().begin()->second, "from the prompt");
}

TEST(Clients, RedisBenchmark) {
  TasqdProcess server;
  auto [status, out] = run_command("redis-benchmark -p " + std::to_string(server.port()) +
                                   " -t lpush -n 5000 -c 10 -P 4 -q 2>&1");
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("LPUSH"), std::string::npos) << out;
  EXPECT_EQ(out.find("ERROR"), std::string::npos) << out;
  RedisClient c(server.port());
  EXPECT_TRUE(eventually([&] {
    auto info = c.command({"INFO", "tasks"}).str;
    return info.find("tasks_completed:5000") != std::string::npos;
  }));
}

TEST(Clients, InlineCommandsAsTypedInTelnet) {
  TasqdProcess server;
  auto [status, out] = run_command("printf 'PING\\r\\nLPUSH q \"two words\"\\r\\nQUIT\\r\\n' | "
                                   "timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/" +
                                   std::to_string(server.port()) + "; cat >&3; cat <&3'");
  EXPECT_NE(out.find("+PONG\r\n:"), std::string::npos) << out;
  EXPECT_NE(out.find("+OK\r\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace tasq::test
