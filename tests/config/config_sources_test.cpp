// tasq::config: the file and the command line together: which one wins, and how
// repeatable directives add up.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config_test_support.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

using testing_support::invoke;
using testing_support::TempDir;
using testing_support::value_of;

TEST(ConfigSources, CommandLineWinsOverTheFile) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "task_retry 5\nbacklog 100\n");
  auto invocation = invoke({file, "--task_retry", "7"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config_file, file);
  EXPECT_EQ(invocation.config.task_retry, 7u);
  EXPECT_EQ(invocation.config.backlog, 100u);
}

TEST(ConfigSources, FileValueOverriddenOnTheCommandLineIsNotRead) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "ring_size banana\n");
  auto invocation = invoke({"--ring_size", "8m", file});
  EXPECT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.ring_size_bytes, 8u << 20);
}

TEST(ConfigSources, EqualsFormOnTheCommandLine) {
  auto invocation = invoke({"--task_retry=9", "--handler=exec:cat -n"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.task_retry, 9u);
  EXPECT_EQ(invocation.config.handler, "exec:cat -n");
}

TEST(ConfigSources, EqualsFormKeepsValuesStartingWithADash) {
  auto invocation = invoke({"--requirepass=-secret"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.requirepass, "-secret");
}

TEST(ConfigSources, LastValueOfASingleDirectiveWins) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "backlog 10\nbacklog 20\n");
  auto from_file = invoke({file});
  ASSERT_TRUE(from_file.errors.empty()) << from_file.errors[0];
  EXPECT_EQ(from_file.config.backlog, 20u);

  auto from_args = invoke({"--backlog", "30", "--backlog", "40"});
  ASSERT_TRUE(from_args.errors.empty()) << from_args.errors[0];
  EXPECT_EQ(from_args.config.backlog, 40u);
}

TEST(ConfigSources, ListenRepeatsInTheFile) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "listen 127.0.0.1:7001\nlisten [::1]:7002\n");
  auto invocation = invoke({file});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  ASSERT_EQ(invocation.config.listen.size(), 2u);
  EXPECT_EQ(invocation.config.listen[0].port, 7001);
  EXPECT_EQ(invocation.config.listen[1].host, "::1");
  EXPECT_EQ(value_of(invocation.config, "listen"), "127.0.0.1:7001 [::1]:7002");
}

TEST(ConfigSources, ListenRepeatsOnTheCommandLine) {
  auto invocation = invoke({"--listen", "127.0.0.1:7001", "--listen=unix:/tmp/tasq-test.sock"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  ASSERT_EQ(invocation.config.listen.size(), 2u);
  EXPECT_EQ(invocation.config.listen[1].kind, Endpoint::Kind::unix_socket);
  EXPECT_EQ(invocation.config.listen[1].path, "/tmp/tasq-test.sock");
}

TEST(ConfigSources, ListenOnTheCommandLineReplacesTheFiles) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "listen 127.0.0.1:7001\nlisten 127.0.0.1:7002\n");
  auto invocation = invoke({file, "--listen", "127.0.0.1:7003"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  ASSERT_EQ(invocation.config.listen.size(), 1u);
  EXPECT_EQ(invocation.config.listen[0].port, 7003);
}

TEST(ConfigSources, ListenInTheFileReplacesTheDefault) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "listen 127.0.0.1:7001\n");
  auto invocation = invoke({file});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  ASSERT_EQ(invocation.config.listen.size(), 1u);
  EXPECT_EQ(invocation.config.listen[0].port, 7001);
}

}  // namespace
}  // namespace tasq::config
