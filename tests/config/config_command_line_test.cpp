// tasq::config: the command line: directives as options, the flags, and its errors.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config_test_support.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

using testing_support::invoke;
using testing_support::one_problem_naming;
using testing_support::TempDir;

TEST(ConfigCommandLine, UnknownDirective) {
  auto invocation = invoke({"--maxclients", "5"});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "unknown directive 'maxclients'");
}

TEST(ConfigCommandLine, JournalDefaultsAndPolicies) {
  auto defaults = invoke({});
  ASSERT_TRUE(defaults.errors.empty());
  EXPECT_EQ(defaults.config.journal, "tasq.journal");
  EXPECT_TRUE(defaults.config.journal_enabled());
  EXPECT_EQ(defaults.config.journal_fsync, JournalFsync::everysec);
  EXPECT_EQ(defaults.config.journal_rewrite_min_size_bytes, 64u << 20);

  auto off = invoke({"--journal", "none", "--journal_fsync", "ALWAYS"});
  ASSERT_TRUE(off.errors.empty()) << off.errors[0];
  EXPECT_FALSE(off.config.journal_enabled());
  EXPECT_EQ(off.config.journal_fsync, JournalFsync::always);

  auto bad = invoke({"--journal_fsync", "sometimes"});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0], "journal_fsync: must be always, everysec or no: 'sometimes'");

  auto small = invoke({"--journal_rewrite_min_size", "4k"});
  ASSERT_EQ(small.errors.size(), 1u);
  EXPECT_EQ(small.errors[0], "journal_rewrite_min_size: 4096 is too small: must be at least 1m");

  auto nowhere = invoke({"--journal", "/nonexistent-dir/tasq.journal"});
  ASSERT_EQ(nowhere.errors.size(), 1u);
  EXPECT_EQ(nowhere.errors[0], "journal: /nonexistent-dir: no such directory");
}

TEST(ConfigCommandLine, WorkerSchedPolicy) {
  EXPECT_EQ(invoke({}).config.worker_sched_policy, WorkerSchedPolicy::batch);
  auto normal = invoke({"--worker_sched_policy", "NORMAL"});
  ASSERT_TRUE(normal.errors.empty()) << normal.errors[0];
  EXPECT_EQ(normal.config.worker_sched_policy, WorkerSchedPolicy::normal);

  auto bad = invoke({"--worker_sched_policy", "fifo"});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0], "worker_sched_policy: must be batch or normal: 'fifo'");
}

TEST(ConfigCommandLine, DispatchModeAndWatchDelay) {
  auto key = invoke({"--dispatch_mode", "key", "--reload_watch_delay_ms", "50"});
  ASSERT_TRUE(key.errors.empty()) << key.errors[0];
  EXPECT_EQ(key.config.dispatch_mode, DispatchMode::key);
  EXPECT_EQ(key.config.reload_watch_delay_ms, std::chrono::milliseconds(50));

  auto bad = invoke({"--dispatch_mode", "fifo"});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0], "dispatch_mode: must be preemptive or key: 'fifo'");

  auto missing = invoke({"--reload_watch", "/nonexistent/plugin.so"});
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0], "reload_watch: /nonexistent/plugin.so: no such file or directory");
}

TEST(ConfigCommandLine, CheckJournalIsAnAction) {
  auto check = invoke({"--check-journal", "/tmp/x.journal", "--fix"});
  ASSERT_TRUE(check.errors.empty());
  EXPECT_EQ(check.action, Invocation::Action::check_journal);
  EXPECT_EQ(check.check_journal_file, "/tmp/x.journal");
  EXPECT_TRUE(check.fix_journal);

  auto stray = invoke({"--fix"});
  ASSERT_EQ(stray.errors.size(), 1u);
  EXPECT_EQ(stray.errors[0], "--fix is only meaningful with --check-journal FILE");
}

TEST(ConfigCommandLine, NoPrefixGuessing) {
  auto invocation = invoke({"--list", "127.0.0.1:7000"});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "unknown directive 'list'");
}

TEST(ConfigCommandLine, MissingValue) {
  auto invocation = invoke({"--daemonize"});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "daemonize: missing value");
}

TEST(ConfigCommandLine, BadValueIsOneLineNamingTheDirective) {
  auto invocation = invoke({"--ring_size", "banana"});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0],
            "ring_size: not a size (bytes, or a number with k, m or g): 'banana'");
}

TEST(ConfigCommandLine, EveryBadValueIsReported) {
  auto invocation = invoke({"--task_worker_num", "-1", "--log_level", "verbose"});
  ASSERT_EQ(invocation.errors.size(), 2u);
  EXPECT_EQ(invocation.errors[0], "task_worker_num: not a non-negative integer: '-1'");
  EXPECT_EQ(invocation.errors[1], "log_level: must be debug, info, warn or error: 'verbose'");
}

TEST(ConfigCommandLine, Help) {
  for (const char* flag : {"--help", "-h"}) {
    auto invocation = invoke({flag});
    EXPECT_EQ(invocation.action, Invocation::Action::help);
    EXPECT_TRUE(invocation.errors.empty());
    const auto& help = invocation.help_text;
    EXPECT_EQ(help.rfind("Usage: tasqd [CONFIG_FILE]", 0), 0u) << help;
    // Every directive, in the order CONFIG GET lists them.
    std::size_t last = 0;
    for (const auto& [name, value] : directive_values(Config{})) {
      auto at = help.find("--" + name + " ");
      ASSERT_NE(at, std::string::npos) << name << " missing from\n" << help;
      EXPECT_GT(at, last) << name;
      last = at;
    }
    EXPECT_NE(help.find("--journal FILE (=tasq.journal)"), std::string::npos);
    EXPECT_NE(help.find("--check-journal FILE"), std::string::npos);
    EXPECT_NE(help.find("--ring_size SIZE (=64m)"), std::string::npos);
    EXPECT_NE(help.find("--listen HOST:PORT (=127.0.0.1:6380)"), std::string::npos);
    EXPECT_NE(help.find("--task_worker_num N (=CPU count)"), std::string::npos);
    EXPECT_NE(help.find("--daemonize yes|no (=no)"), std::string::npos);
    EXPECT_NE(help.find("--test-config"), std::string::npos);
    EXPECT_NE(help.find("--version"), std::string::npos);
    EXPECT_EQ(help.find("config_file"), std::string::npos) << "the positional's option is hidden";
  }
}

TEST(ConfigCommandLine, HelpWinsOverBadValues) {
  auto invocation = invoke({"--ring_size", "banana", "--help"});
  EXPECT_EQ(invocation.action, Invocation::Action::help);
  EXPECT_TRUE(invocation.errors.empty());
}

TEST(ConfigCommandLine, Version) {
  for (const char* flag : {"--version", "-v"}) {
    auto invocation = invoke({flag});
    EXPECT_EQ(invocation.action, Invocation::Action::version);
    EXPECT_TRUE(invocation.errors.empty());
  }
}

TEST(ConfigCommandLine, TestConfig) {
  auto good = invoke({"--test-config", "--backlog", "5"});
  EXPECT_EQ(good.action, Invocation::Action::test_config);
  EXPECT_TRUE(good.errors.empty());
  EXPECT_EQ(good.config.backlog, 5u);

  auto bad = invoke({"--test-config", "--backlog", "0", "--task_retry", "0"});
  EXPECT_EQ(bad.action, Invocation::Action::test_config);
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[0].rfind("task_retry: ", 0), 0u) << bad.errors[0];
  EXPECT_EQ(bad.errors[1].rfind("backlog: ", 0), 0u) << bad.errors[1];
}

TEST(ConfigCommandLine, TestConfigWithAFile) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "package_max_length 1m\nring_size 1m\n");
  auto invocation = invoke({file, "--test-config"});
  EXPECT_EQ(invocation.action, Invocation::Action::test_config);
  EXPECT_EQ(invocation.config_file, file);
  EXPECT_TRUE(one_problem_naming(invocation.errors, "ring_size"));
}

}  // namespace
}  // namespace tasq::config
