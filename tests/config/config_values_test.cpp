// tasq::config: reading each kind of value (sizes, counts, times, switches, levels)
// and showing it back for CONFIG GET.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "config_test_support.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

using std::chrono::seconds;
using testing_support::invoke;
using testing_support::one_problem_naming;
using testing_support::value_of;

TEST(ConfigValues, SizesWithEverySuffix) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("1000"), 1000u);
  for (const char* k : {"3k", "3K", "3kb", "3KB", "3kB"}) EXPECT_EQ(parse_size(k), 3u << 10) << k;
  for (const char* m : {"3m", "3M", "3mb", "3MB"}) EXPECT_EQ(parse_size(m), 3u << 20) << m;
  for (const char* g : {"3g", "3G", "3gb", "3GB"}) EXPECT_EQ(parse_size(g), 3ull << 30) << g;
  EXPECT_EQ(parse_size("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_size("17179869183g"), 17179869183ull << 30);
}

TEST(ConfigValues, BadSizes) {
  for (const char* bad :
       {"", "k", "m", "1x", "1.5m", "-1", "+1", " 1", "1 ", "1 k", "1kk", "1t", "1b", "0x10",
        "18446744073709551616", "17179869184g", "18014398509481984k"}) {
    EXPECT_FALSE(parse_size(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(ConfigValues, SizesOnTheCommandLine) {
  auto invocation = invoke({"--package_max_length", "64kb", "--ring_size", "1G"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.package_max_length_bytes, 64u << 10);
  EXPECT_EQ(invocation.config.ring_size_bytes, 1u << 30);
  EXPECT_EQ(value_of(invocation.config, "ring_size"), "1073741824") << "CONFIG GET shows bytes";
}

TEST(ConfigValues, Counts) {
  auto too_large = invoke({"--task_worker_num", "4294967296"});
  ASSERT_EQ(too_large.errors.size(), 1u);
  EXPECT_EQ(too_large.errors[0], "task_worker_num: too large: '4294967296'");
  for (const char* bad : {"", "1.0", "1e3", "+3", "three", " 3"}) {
    auto invocation = invoke({"--max_request=" + std::string(bad)});
    EXPECT_TRUE(one_problem_naming(invocation.errors, "max_request")) << "'" << bad << "'";
  }
  auto big = invoke({"--max_request", "18446744073709551615"});
  ASSERT_TRUE(big.errors.empty()) << big.errors[0];
  EXPECT_EQ(big.config.max_request, UINT64_MAX);
}

TEST(ConfigValues, Times) {
  auto invocation = invoke({"--task_timeout", "30", "--max_wait_time", "0"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.task_timeout, seconds(30));
  EXPECT_EQ(invocation.config.max_wait_time, seconds(0));
  auto fraction = invoke({"--task_timeout", "1.5"});
  ASSERT_EQ(fraction.errors.size(), 1u);
  EXPECT_EQ(fraction.errors[0], "task_timeout: not a whole number of seconds: '1.5'");
  auto huge = invoke({"--task_timeout", "9223372036854775808"});
  EXPECT_TRUE(one_problem_naming(huge.errors, "task_timeout"));
}

TEST(ConfigValues, PipeStartTimeoutIsOneSecondToAnHour) {
  auto invocation = invoke({"--pipe_start_timeout", "5"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.pipe_start_timeout, seconds(5));
  EXPECT_TRUE(one_problem_naming(invoke({"--pipe_start_timeout", "0"}).errors,
                                 "pipe_start_timeout"));
  EXPECT_TRUE(one_problem_naming(invoke({"--pipe_start_timeout", "3601"}).errors,
                                 "pipe_start_timeout"));
}

TEST(ConfigValues, YesNo) {
  auto yes = invoke({"--daemonize", "YES", "--open_tcp_keepalive", "yes"});
  ASSERT_TRUE(yes.errors.empty()) << yes.errors[0];
  EXPECT_TRUE(yes.config.daemonize);
  EXPECT_TRUE(yes.config.open_tcp_keepalive);
  EXPECT_EQ(value_of(yes.config, "daemonize"), "yes");
  auto no = invoke({"--daemonize", "no"});
  EXPECT_FALSE(no.config.daemonize);
  EXPECT_EQ(value_of(no.config, "daemonize"), "no");
  for (const char* bad : {"true", "1", "on", ""}) {
    auto invocation = invoke({"--daemonize=" + std::string(bad)});
    ASSERT_EQ(invocation.errors.size(), 1u) << bad;
    EXPECT_EQ(invocation.errors[0], "daemonize: must be yes or no: '" + std::string(bad) + "'");
  }
}

TEST(ConfigValues, LogLevels) {
  const std::pair<const char*, LogLevel> levels[] = {{"debug", LogLevel::debug},
                                                     {"info", LogLevel::info},
                                                     {"WARN", LogLevel::warn},
                                                     {"error", LogLevel::error}};
  for (auto [text, level] : levels) {
    auto invocation = invoke({"--log_level", text});
    ASSERT_TRUE(invocation.errors.empty()) << text;
    EXPECT_EQ(invocation.config.log_level, level) << text;
  }
  EXPECT_TRUE(one_problem_naming(invoke({"--log_level", "warning"}).errors, "log_level"));
}

TEST(ConfigValues, EmptyString) {
  auto invocation = invoke({"--requirepass="});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.requirepass, "");
}

TEST(ConfigValues, HeartbeatIdleTimeDefaultsToTwiceTheInterval) {
  auto invocation = invoke({"--heartbeat_check_interval", "5"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.heartbeat_idle_time, seconds(10));
}

TEST(ConfigValues, HeartbeatIdleTimeAloneTurnsTheSweepsOn) {
  auto invocation = invoke({"--heartbeat_idle_time", "9"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.heartbeat_check_interval, seconds(4));
  auto one = invoke({"--heartbeat_idle_time", "1"});
  ASSERT_TRUE(one.errors.empty()) << one.errors[0];
  EXPECT_EQ(one.config.heartbeat_check_interval, seconds(1));
}

TEST(ConfigValues, HeartbeatBothGiven) {
  auto invocation = invoke({"--heartbeat_check_interval", "1", "--heartbeat_idle_time", "2"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.heartbeat_check_interval, seconds(1));
  EXPECT_EQ(invocation.config.heartbeat_idle_time, seconds(2));
}

TEST(ConfigValues, DirectiveValuesForConfigGet) {
  Config config;
  config.admin.reset();
  config.listen.push_back(*parse_endpoint("unix:/tmp/a.sock"));
  config.requirepass = "pw";
  auto values = directive_values(config);
  EXPECT_EQ(values.size(), 42u);
  EXPECT_EQ(value_of(config, "worker_sched_policy"), "batch");
  EXPECT_EQ(value_of(config, "listen"), "127.0.0.1:6380 unix:/tmp/a.sock");
  EXPECT_EQ(value_of(config, "admin"), "none");
  EXPECT_EQ(value_of(config, "metrics"), "none");
  EXPECT_EQ(value_of(config, "requirepass"), "pw");
  EXPECT_EQ(value_of(config, "package_max_length"), "2097152");
  EXPECT_EQ(value_of(config, "open_tcp_keepalive"), "no");
  EXPECT_EQ(value_of(config, "log_level"), "info");
  EXPECT_EQ(value_of(config, "max_wait_time"), "3");
  EXPECT_EQ(value_of(config, "pipe_start_timeout"), "30");
  EXPECT_EQ(value_of(config, "log_file"), "");
  EXPECT_EQ(value_of(config, "result_ttl"), "300");
  EXPECT_EQ(value_of(config, "result_max_memory"), "67108864");
  EXPECT_EQ(value_of(config, "finished_events_max"), "10000");
  EXPECT_EQ(value_of(config, "dead_letter_max"), "10000");
}

// unixsocketperm: an octal mode, as Redis reads it; unset by default.
TEST(ConfigValues, UnixSocketPermIsOctal) {
  EXPECT_FALSE(invoke({}).config.unixsocketperm.has_value());
  EXPECT_EQ(value_of(invoke({}).config, "unixsocketperm"), "");
  for (auto [text, mode, shown] :
       {std::tuple{"700", 0700u, "700"}, std::tuple{"0770", 0770u, "770"},
        std::tuple{"777", 0777u, "777"}, std::tuple{"0", 0u, "0"}}) {
    auto invocation = invoke({"--unixsocketperm", text});
    ASSERT_TRUE(invocation.errors.empty()) << text << ": " << invocation.errors[0];
    EXPECT_EQ(invocation.config.unixsocketperm, mode) << text;
    EXPECT_EQ(value_of(invocation.config, "unixsocketperm"), shown) << text;
  }
  for (const char* bad : {"800", "1777", "7a", "-1", "0x1ff", "rwx"}) {
    EXPECT_TRUE(one_problem_naming(invoke({"--unixsocketperm", bad}).errors, "unixsocketperm"))
        << bad;
  }
}

TEST(ConfigValues, EveryDirectiveReadsBackWhatItShows) {
  // CONFIG GET's text, fed back as the directive, gives the same config.
  Config config;
  config.handler = "exec:cat";
  config.backlog = 77;
  config.ring_size_bytes = 5u << 20;
  config.heartbeat_check_interval = seconds(3);
  config.heartbeat_idle_time = seconds(7);
  config.admin = parse_endpoint("[::1]:0");
  config.cron = {"@every 5s beat tick", "0 * * * * hourly run"};
  config.unixsocketperm = 0750;
  std::vector<std::string> args;
  for (const auto& [name, value] : directive_values(config)) {
    if (name == "listen") {
      for (const auto& endpoint : config.listen) args.push_back("--listen=" + endpoint.text);
    } else if (name == "cron" || name == "reload_watch") {
      // Repeatable text: one entry per line, none when empty.
      std::istringstream lines(value);
      for (std::string line; std::getline(lines, line);) args.push_back("--" + name + "=" + line);
    } else {
      args.push_back("--" + name + "=" + value);
    }
  }
  auto invocation = invoke(args);
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(directive_values(invocation.config), directive_values(config));
}

}  // namespace
}  // namespace tasq::config
