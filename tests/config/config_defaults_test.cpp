// tasq::config: the defaults of Config and of an empty command line.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "config_test_support.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

using std::chrono::seconds;
using testing_support::invoke;

TEST(ConfigDefaults, MatchTheSpec) {
  Config config;
  ASSERT_EQ(config.listen.size(), 1u);
  EXPECT_EQ(config.listen[0].host, "127.0.0.1");
  EXPECT_EQ(config.listen[0].port, 6380);
  ASSERT_TRUE(config.admin.has_value());
  EXPECT_EQ(config.admin->host, "127.0.0.1");
  EXPECT_EQ(config.admin->port, 6381);
  EXPECT_EQ(config.handler, "echo");
  EXPECT_EQ(config.task_worker_num, std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(config.max_request, 0u);
  EXPECT_EQ(config.max_wait_time, seconds(3));
  EXPECT_EQ(config.task_timeout, seconds(0));
  EXPECT_EQ(config.pipe_start_timeout, seconds(30));
  EXPECT_EQ(config.task_retry, 3u);
  EXPECT_EQ(config.ring_size_bytes, 64u << 20);
  EXPECT_EQ(config.package_max_length_bytes, 2u << 20);
  EXPECT_EQ(config.heartbeat_check_interval, seconds(0));
  EXPECT_FALSE(config.open_tcp_keepalive);
  EXPECT_EQ(config.tcp_keepidle, seconds(60));
  EXPECT_EQ(config.tcp_keepinterval, seconds(10));
  EXPECT_EQ(config.tcp_keepcount, 6u);
  EXPECT_EQ(config.backlog, 511u);
  EXPECT_EQ(config.max_connections, 10000u);
  EXPECT_FALSE(config.daemonize);
  EXPECT_EQ(config.log_level, LogLevel::info);
  EXPECT_TRUE(config.validate().empty());
}

TEST(ConfigDefaults, NoArgumentsRunsWithDefaults) {
  auto invocation = invoke({});
  EXPECT_EQ(invocation.action, Invocation::Action::run);
  EXPECT_TRUE(invocation.errors.empty());
  EXPECT_TRUE(invocation.config_file.empty());
  EXPECT_EQ(directive_values(invocation.config), directive_values(Config{}));
}

}  // namespace
}  // namespace tasq::config
