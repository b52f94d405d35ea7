// tasq::config: Config::validate(): each bound, each rule between directives, and
// the checks of what the host has.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config_test_support.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using testing_support::invoke;
using testing_support::one_problem_naming;
using testing_support::TempDir;

TEST(ConfigValidate, TaskWorkerNum) {
  Config config;
  config.task_worker_num = 0;
  EXPECT_TRUE(one_problem_naming(config.validate(), "task_worker_num"));
  config.task_worker_num = 257;
  EXPECT_TRUE(one_problem_naming(config.validate(), "task_worker_num"));
  config.task_worker_num = 256;
  EXPECT_TRUE(config.validate().empty());
}

TEST(ConfigValidate, TaskRetry) {
  Config config;
  config.task_retry = 0;
  EXPECT_TRUE(one_problem_naming(config.validate(), "task_retry"));
  config.task_retry = 1001;
  EXPECT_TRUE(one_problem_naming(config.validate(), "task_retry"));
  config.task_retry = 1;
  EXPECT_TRUE(config.validate().empty());
}

TEST(ConfigValidate, PackageMaxLength) {
  Config config;
  config.package_max_length_bytes = 1023;
  auto problems = config.validate();
  EXPECT_TRUE(one_problem_naming(problems, "package_max_length"));
  EXPECT_EQ(problems[0],
            "package_max_length: 1023 is out of range: must be 1024..1073741824 (1k..1g)");
  config.package_max_length_bytes = (1u << 30) + 1;
  config.ring_size_bytes = 4ull << 30;
  EXPECT_TRUE(one_problem_naming(config.validate(), "package_max_length"));
}

TEST(ConfigValidate, CronLinesEachNamed) {
  Config config;
  config.cron = {"30 2 * * *  reports nightly", "61 * * * * q p", "@every 500ms heartbeat tick",
                 "@reboot q p", "*/5 9-17 * * mon-fri  metrics scrape"};
  auto problems = config.validate();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "cron: '61 * * * * q p': minute 61 is out of range 0..59");
  EXPECT_EQ(problems[1],
            "cron: '@reboot q p': @reboot is not supported: tasqd runs cron lines while it "
            "runs, not at boot");
  config.cron = {"@hourly q " + std::string(2000, 'x')};
  config.package_max_length_bytes = 1024;
  EXPECT_TRUE(one_problem_naming(config.validate(), "cron"));
}

TEST(ConfigValidate, CronLineFromTheCommandLine) {
  auto bad = invoke({"--cron", "* * * * * q"});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0], "cron: '* * * * * q': missing payload after queue 'q'");
  EXPECT_TRUE(invoke({"--cron", "@every 100ms tick hello"}).errors.empty());
}

TEST(ConfigValidate, RingSizeMustHoldTwoPackages) {
  Config config;
  config.package_max_length_bytes = 2u << 20;
  config.ring_size_bytes = 1024;
  auto problems = config.validate();
  ASSERT_TRUE(one_problem_naming(problems, "ring_size"));
  EXPECT_EQ(problems[0],
            "ring_size: 1024 is too small: must be at least 2 x package_max_length + 64k (4259840)");
  config.ring_size_bytes = 2 * config.package_max_length_bytes + kRingSlackBytes;
  EXPECT_TRUE(config.validate().empty());
}

TEST(ConfigValidate, RingSizeUpperBound) {
  Config config;
  config.ring_size_bytes = (64ull << 30) + 1;
  EXPECT_TRUE(one_problem_naming(config.validate(), "ring_size"));
}

TEST(ConfigValidate, MaxConnections) {
  Config config;
  config.max_connections = 0;
  EXPECT_TRUE(one_problem_naming(config.validate(), "max_connections"));
  config.max_connections = 1'000'001;
  EXPECT_TRUE(one_problem_naming(config.validate(), "max_connections"));
}

TEST(ConfigValidate, Backlog) {
  Config config;
  config.backlog = 0;
  EXPECT_TRUE(one_problem_naming(config.validate(), "backlog"));
  config.backlog = 65536;
  EXPECT_TRUE(one_problem_naming(config.validate(), "backlog"));
}

TEST(ConfigValidate, TimesAtMostAYear) {
  for (auto field : {&Config::max_wait_time, &Config::task_timeout}) {
    Config config;
    config.*field = seconds(365 * 24 * 3600 + 1);
    EXPECT_FALSE(config.validate().empty());
  }
  Config config;
  config.task_timeout = seconds(365 * 24 * 3600 + 1);
  EXPECT_TRUE(one_problem_naming(config.validate(), "task_timeout"));
  config = Config{};
  config.max_wait_time = seconds(-1);
  EXPECT_TRUE(one_problem_naming(config.validate(), "max_wait_time"));
}

TEST(ConfigValidate, HeartbeatIdleTimeAtLeastTheInterval) {
  Config config;
  config.heartbeat_check_interval = seconds(10);
  config.heartbeat_idle_time = seconds(5);
  auto problems = config.validate();
  ASSERT_TRUE(one_problem_naming(problems, "heartbeat_idle_time"));
  EXPECT_EQ(problems[0], "heartbeat_idle_time: 5 is less than heartbeat_check_interval (10)");
}

TEST(ConfigValidate, HeartbeatIdleTimeNeedsTheSweeps) {
  auto invocation = invoke({"--heartbeat_check_interval", "0", "--heartbeat_idle_time", "30"});
  ASSERT_TRUE(one_problem_naming(invocation.errors, "heartbeat_idle_time"));
  EXPECT_EQ(invocation.errors[0],
            "heartbeat_idle_time: 30 has no effect while heartbeat_check_interval is 0");
}

TEST(ConfigValidate, TcpKeepalive) {
  Config config;
  config.tcp_keepidle = seconds(0);
  EXPECT_TRUE(one_problem_naming(config.validate(), "tcp_keepidle"));
  config = Config{};
  config.tcp_keepinterval = seconds(32768);
  EXPECT_TRUE(one_problem_naming(config.validate(), "tcp_keepinterval"));
  config = Config{};
  config.tcp_keepcount = 0;
  EXPECT_TRUE(one_problem_naming(config.validate(), "tcp_keepcount"));
  config.tcp_keepcount = 128;
  EXPECT_TRUE(one_problem_naming(config.validate(), "tcp_keepcount"));
}

TEST(ConfigValidate, ListenNotEmpty) {
  Config config;
  config.listen.clear();
  auto problems = config.validate();
  ASSERT_TRUE(one_problem_naming(problems, "listen"));
  EXPECT_EQ(problems[0], "listen: at least one address is needed");
}

TEST(ConfigValidate, NoDuplicateListen) {
  auto invocation = invoke({"--listen", "127.0.0.1:7000", "--listen", "127.0.0.1:7000"});
  ASSERT_TRUE(one_problem_naming(invocation.errors, "listen"));
  EXPECT_EQ(invocation.errors[0], "listen: 127.0.0.1:7000 is given twice");
  auto ipv6 = invoke({"--listen", "[::1]:7000", "--listen", "[0:0::1]:7000"});
  EXPECT_TRUE(one_problem_naming(ipv6.errors, "listen"));
  auto unix_socket = invoke({"--listen", "unix:/tmp/a.sock", "--listen", "unix:/tmp/a.sock"});
  EXPECT_TRUE(one_problem_naming(unix_socket.errors, "listen"));
  // Port 0 picks a fresh port each time.
  auto free_ports = invoke({"--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"});
  EXPECT_TRUE(free_ports.errors.empty());
}

TEST(ConfigValidate, AdminIsNotAListenAddress) {
  auto invocation = invoke({"--listen", "127.0.0.1:7000", "--admin", "127.0.0.1:7000"});
  ASSERT_TRUE(one_problem_naming(invocation.errors, "admin"));
  EXPECT_EQ(invocation.errors[0], "admin: 127.0.0.1:7000 is also a listen address");
}

TEST(ConfigValidate, NonLoopbackAdminNeedsAToken) {
  auto invocation = invoke({"--admin", "0.0.0.0:6381"});
  ASSERT_TRUE(one_problem_naming(invocation.errors, "admin"));
  EXPECT_EQ(invocation.errors[0], "admin: 0.0.0.0:6381 is not a loopback address; set admin_token");
  auto with_token = invoke({"--admin", "0.0.0.0:6381", "--admin_token", "s3cret"});
  EXPECT_TRUE(with_token.errors.empty());
  auto loopback = invoke({"--admin", "127.0.0.1:6390"});
  EXPECT_TRUE(loopback.errors.empty());
}

TEST(ConfigValidate, AdminTokenWithoutSpaces) {
  Config config;
  config.admin_token = "two words";
  EXPECT_TRUE(one_problem_naming(config.validate(), "admin_token"));
}

TEST(ConfigValidate, UserMustExist) {
  Config config;
  config.user = "tasq-no-such-user-x";
  auto problems = config.validate();
  ASSERT_TRUE(one_problem_naming(problems, "user"));
  EXPECT_EQ(problems[0], "user: no such user: 'tasq-no-such-user-x'");
  config.user = "root";
  EXPECT_TRUE(config.validate().empty());
}

TEST(ConfigValidate, GroupMustExist) {
  Config config;
  config.group = "tasq-no-such-group-x";
  EXPECT_TRUE(one_problem_naming(config.validate(), "group"));
  config.group = "root";
  EXPECT_TRUE(config.validate().empty());
}

TEST(ConfigValidate, ChrootMustBeADirectory) {
  TempDir dir;
  Config config;
  config.chroot = (dir.path() / "missing").string();
  EXPECT_TRUE(one_problem_naming(config.validate(), "chroot"));
  config.chroot = dir.write("file", "x");
  EXPECT_TRUE(one_problem_naming(config.validate(), "chroot"));
  config.chroot = dir.path().string();
  EXPECT_TRUE(config.validate().empty());
}

TEST(ConfigValidate, PluginMustExist) {
  TempDir dir;
  Config config;
  config.handler = (dir.path() / "missing.so").string();
  EXPECT_TRUE(one_problem_naming(config.validate(), "handler"));
  config.handler = dir.path().string();
  auto problems = config.validate();
  ASSERT_TRUE(one_problem_naming(problems, "handler"));
  EXPECT_NE(problems[0].find("not a regular file"), std::string::npos);
  config.handler = dir.write("plugin.so", "x");
  EXPECT_TRUE(config.validate().empty());
}

TEST(ConfigValidate, PluginPathIsInsideTheChroot) {
  TempDir dir;
  fs::create_directories(dir.path() / "lib");
  dir.write("lib/plugin.so", "x");
  Config config;
  config.chroot = dir.path().string();
  config.handler = "/lib/plugin.so";
  EXPECT_TRUE(config.validate().empty());
  config.handler = "/lib/other.so";
  EXPECT_TRUE(one_problem_naming(config.validate(), "handler"));
}

TEST(ConfigValidate, ExecNeedsACommand) {
  Config config;
  config.handler = "exec:";
  EXPECT_TRUE(one_problem_naming(config.validate(), "handler"));
  config.handler = "exec:  ";
  EXPECT_TRUE(one_problem_naming(config.validate(), "handler"));
  config.handler = "exec:cat";
  EXPECT_TRUE(config.validate().empty());
}

TEST(ConfigValidate, PipeNeedsACommand) {
  Config config;
  config.handler = "pipe:";
  auto problems = config.validate();
  ASSERT_TRUE(one_problem_naming(problems, "handler"));
  EXPECT_NE(problems[0].find("pipe:php /srv/worker.php"), std::string::npos) << problems[0];
  config.handler = "pipe: \t";
  EXPECT_TRUE(one_problem_naming(config.validate(), "handler"));
  config.handler = "pipe:php /srv/worker.php";
  EXPECT_TRUE(config.validate().empty()) << "a command, not a plugin file to look for";
}

TEST(ConfigValidate, HandlerNotEmpty) {
  Config config;
  config.handler = "";
  EXPECT_TRUE(one_problem_naming(config.validate(), "handler"));
}

TEST(ConfigValidate, PidAndLogFileDirectoriesMustExist) {
  Config config;
  config.pid_file = "/nonexistent-dir/tasq.pid";
  auto problems = config.validate();
  ASSERT_TRUE(one_problem_naming(problems, "pid_file"));
  EXPECT_EQ(problems[0], "pid_file: /nonexistent-dir: no such directory");
  config = Config{};
  config.log_file = "/nonexistent-dir/tasq.log";
  EXPECT_TRUE(one_problem_naming(config.validate(), "log_file"));
  config.log_file = "tasq.log";
  EXPECT_TRUE(config.validate().empty()) << "relative to the working directory";
}

TEST(ConfigValidate, EveryProblemIsReported) {
  Config config;
  config.task_worker_num = 0;
  config.backlog = 0;
  config.handler = "exec:";
  EXPECT_EQ(config.validate().size(), 3u);
}

}  // namespace
}  // namespace tasq::config
