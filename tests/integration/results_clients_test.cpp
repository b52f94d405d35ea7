// Each stream command through every client the users push from: redis-py,
// phpredis, node-redis and redis-cli run their scripts against a real tasqd
// (hiredis is the results test's own client), and the PHP and Python helpers
// (Tasq\Client, tasq_client) with them.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tasqd_process.h"

namespace tasq::test {
namespace {

const std::string kScripts = std::string(TASQ_SOURCE_DIR) + "/tests/integration/results_clients/";

void expect_ok(const std::string& command) {
  auto [status, out] = run_command(command + " 2>&1");
  EXPECT_EQ(status, 0) << command << "\n" << out;
  EXPECT_NE(out.find("ok"), std::string::npos) << out;
}

TEST(ResultsClients, RedisPy) {
  TasqdProcess tasqd;
  expect_ok("/usr/bin/python3 " + kScripts + "redis_py.py " + std::to_string(tasqd.port()) + " " +
            TASQ_SOURCE_DIR + "/clients/python");
}

TEST(ResultsClients, PhpRedis) {
  TasqdProcess tasqd;
  expect_ok("php " + kScripts + "phpredis.php " + std::to_string(tasqd.port()) + " " +
            TASQ_SOURCE_DIR + "/clients/php");
}

// node-redis is installed on first use, pinned, into the build tree (npm
// reaches the npm registry); without npm the test is skipped, except in CI.
TEST(ResultsClients, NodeRedis) {
  const std::string dir = std::string(TASQ_BINARY_DIR) + "/node";
  const std::string modules = dir + "/node_modules";
  auto [status, out] = run_command("sh " + kScripts + "node_setup.sh " + dir + " 2>&1");
  if (status != 0) {
    if (std::getenv("CI") != nullptr) FAIL() << "installing node-redis failed:\n" << out;
    GTEST_SKIP() << "node-redis could not be installed:\n" << out;
  }
  TasqdProcess tasqd;
  expect_ok("node " + kScripts + "node_redis.cjs " + std::to_string(tasqd.port()) + " " + modules);
}

TEST(ResultsClients, RedisCli) {
  TasqdProcess tasqd;
  expect_ok("sh " + kScripts + "redis_cli.sh " + std::to_string(tasqd.port()));
}

}  // namespace
}  // namespace tasq::test
