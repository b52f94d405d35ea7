// tasq::config: defaults, the file and the command line through one options
// description, value parsing, and every rule of Config::validate().

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tasq/server/config.h"

namespace tasq::server {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

Invocation invoke(std::vector<std::string> args) {
  args.insert(args.begin(), "tasqd");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  return parse_invocation(static_cast<int>(args.size()), argv.data());
}

// A scratch directory removed with the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tasq-config-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const fs::path& path() const { return path_; }

  std::string write(const std::string& name, const std::string& text) const {
    auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

 private:
  fs::path path_;
};

// Exactly one problem, and it names `directive` first.
testing::AssertionResult one_problem_naming(const std::vector<std::string>& problems,
                                            const std::string& directive) {
  std::string all;
  for (const auto& line : problems) all += "\n  " + line;
  if (problems.size() != 1) {
    return testing::AssertionFailure() << problems.size() << " problems:" << all;
  }
  if (problems[0].rfind(directive + ": ", 0) != 0) {
    return testing::AssertionFailure() << "does not start with '" << directive << ": '" << all;
  }
  return testing::AssertionSuccess();
}

std::string value_of(const Config& config, const std::string& name) {
  for (auto& [key, value] : directive_values(config)) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no directive " << name;
  return {};
}

// ---------------------------------------------------------------- defaults

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

// ------------------------------------------------------ file and command line

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

// ---------------------------------------------------------------- file syntax

TEST(ConfigFile, CommentsBlankLinesCrlfAndCase) {
  TempDir dir;
  auto file = dir.write("tasq.conf",
                        "\xEF\xBB\xBF# tasq\r\n"
                        "\r\n"
                        "   # indented comment\n"
                        "TASK_RETRY 4\r\n"
                        "\tbacklog\t  12  \n"
                        "requirepass pa#ss\n");
  auto invocation = invoke({file});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.task_retry, 4u);
  EXPECT_EQ(invocation.config.backlog, 12u);
  EXPECT_EQ(invocation.config.requirepass, "pa#ss") << "# inside a value is not a comment";
}

TEST(ConfigFile, UnquotedValueIsTheRestOfTheLine) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "handler exec:php /srv/task.php --flag  \n");
  auto invocation = invoke({file});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.handler, "exec:php /srv/task.php --flag");
}

TEST(ConfigFile, QuotedValues) {
  TempDir dir;
  auto file = dir.write("tasq.conf",
                        "handler \"exec:php /srv/task.php\"\n"
                        "requirepass \"a \\\"b\\\" \\\\c \"\n"
                        "admin_token 'it\\'s'\n"
                        "user \"\"\n");
  auto invocation = invoke({file});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.handler, "exec:php /srv/task.php");
  EXPECT_EQ(invocation.config.requirepass, "a \"b\" \\c ");
  EXPECT_EQ(invocation.config.admin_token, "it's");
  EXPECT_EQ(invocation.config.user, "");
}

TEST(ConfigFile, ValueStartingWithADash) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "requirepass --secret\n");
  auto invocation = invoke({file});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.requirepass, "--secret");
}

TEST(ConfigFile, UnbalancedQuotesNameTheLine) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "backlog 5\nhandler \"exec:php\n");
  auto invocation = invoke({file});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "line 2: handler: unbalanced quotes");
}

TEST(ConfigFile, TextAfterTheClosingQuote) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "handler \"exec:php\" x\n");
  auto invocation = invoke({file});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "line 1: handler: text after the closing quote");
}

TEST(ConfigFile, MissingValue) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "daemonize\n");
  auto invocation = invoke({file});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "line 1: daemonize: missing value");
}

TEST(ConfigFile, UnknownDirectiveNamesLineAndDirective) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "backlog 5\n\nmaxclients 10\n");
  auto invocation = invoke({file});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "line 3: unknown directive 'maxclients'");
}

TEST(ConfigFile, FlagsAreNotDirectives) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "help yes\nconfig_file /x\n");
  auto invocation = invoke({file});
  ASSERT_EQ(invocation.errors.size(), 2u);
  EXPECT_EQ(invocation.errors[0], "line 1: unknown directive 'help'");
  EXPECT_EQ(invocation.errors[1], "line 2: unknown directive 'config_file'");
}

TEST(ConfigFile, RepeatedCronAndWatchLinesAddUp) {
  TempDir dir;
  auto file = dir.write("tasq.conf",
                        "cron \"@every 5s beat tick\"\n"
                        "cron 30 2 * * * reports nightly\n"
                        "reload_watch " + dir.path().string() + "\n");
  auto invocation = invoke({file});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.cron,
            (std::vector<std::string>{"@every 5s beat tick", "30 2 * * * reports nightly"}));
  EXPECT_EQ(invocation.config.reload_watch, std::vector<std::string>{dir.path().string()});
}

TEST(ConfigFile, MissingFile) {
  auto invocation = invoke({"/nonexistent/tasq.conf"});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0],
            "cannot read config file /nonexistent/tasq.conf: No such file or directory");
}

TEST(ConfigFile, DirectoryIsNotAFile) {
  TempDir dir;
  auto invocation = invoke({dir.path().string()});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0].rfind("cannot read config file " + dir.path().string() + ": ", 0),
            0u)
      << invocation.errors[0];
}

TEST(ConfigFile, OnlyOneConfigFile) {
  TempDir dir;
  auto a = dir.write("a.conf", "");
  auto b = dir.write("b.conf", "");
  auto invocation = invoke({a, b});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_NE(invocation.errors[0].find("only one CONFIG_FILE"), std::string::npos);
}

// ------------------------------------------------------------ command line

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

// ------------------------------------------------------------------- values

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
  EXPECT_EQ(values.size(), 35u);
  EXPECT_EQ(value_of(config, "listen"), "127.0.0.1:6380 unix:/tmp/a.sock");
  EXPECT_EQ(value_of(config, "admin"), "none");
  EXPECT_EQ(value_of(config, "requirepass"), "pw");
  EXPECT_EQ(value_of(config, "package_max_length"), "2097152");
  EXPECT_EQ(value_of(config, "open_tcp_keepalive"), "no");
  EXPECT_EQ(value_of(config, "log_level"), "info");
  EXPECT_EQ(value_of(config, "max_wait_time"), "3");
  EXPECT_EQ(value_of(config, "pipe_start_timeout"), "30");
  EXPECT_EQ(value_of(config, "log_file"), "");
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

// -------------------------------------------------------------- endpoints

TEST(ConfigEndpoint, Ipv4) {
  auto endpoint = parse_endpoint("10.1.2.3:6380");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->kind, Endpoint::Kind::tcp);
  EXPECT_EQ(endpoint->host, "10.1.2.3");
  EXPECT_EQ(endpoint->port, 6380);
  EXPECT_EQ(endpoint->text, "10.1.2.3:6380");
}

TEST(ConfigEndpoint, Ipv6InBrackets) {
  auto endpoint = parse_endpoint("[::1]:6380");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->port, 6380);
  EXPECT_EQ(endpoint->text, "[::1]:6380");
}

TEST(ConfigEndpoint, HostNameAndPortZero) {
  auto endpoint = parse_endpoint("localhost:0");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->host, "localhost");
  EXPECT_EQ(endpoint->port, 0);
  EXPECT_TRUE(parse_endpoint("tasq-1.example.com:65535"));
}

TEST(ConfigEndpoint, UnixSocket) {
  auto endpoint = parse_endpoint("unix:/tmp/x.sock");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->kind, Endpoint::Kind::unix_socket);
  EXPECT_EQ(endpoint->path, "/tmp/x.sock");
  EXPECT_EQ(endpoint->text, "unix:/tmp/x.sock");
}

TEST(ConfigEndpoint, BadAddressesSayWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty address"},
      {"127.0.0.1", "missing port (use HOST:PORT)"},
      {"127.0.0.1:", "missing port"},
      {"[::1]", "missing port (use [IPv6]:PORT)"},
      {"[::1]:", "missing port"},
      {"[::1]6380", "expected ':' and a port after ']'"},
      {"[::1:6380", "missing ']' after the IPv6 address"},
      {"[nope]:1", "not an IPv6 address: nope"},
      {"::1:6380", "IPv6 addresses go in brackets, as in [::1]:6380"},
      {":6380", "missing host (use HOST:PORT)"},
      {"1.2.3.4:65536", "port must be a number from 0 to 65535"},
      {"1.2.3.4:-1", "port must be a number from 0 to 65535"},
      {"1.2.3.4:http", "port must be a number from 0 to 65535"},
      {"999.1.1.1:80", "not an IPv4 address: 999.1.1.1"},
      {"bad host:80", "not a host name: bad host"},
      {"unix:", "unix: needs a socket path"},
  };
  for (auto [text, reason] : cases) {
    std::string why;
    EXPECT_FALSE(parse_endpoint(text, &why)) << text;
    EXPECT_EQ(why, reason) << text;
  }
  std::string why;
  EXPECT_FALSE(parse_endpoint("unix:/" + std::string(200, 'x'), &why));
  EXPECT_EQ(why, "socket path is longer than 107 bytes");
}

TEST(ConfigEndpoint, BadListenOnTheCommandLine) {
  auto invocation = invoke({"--listen", "127.0.0.1"});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "listen: missing port (use HOST:PORT): '127.0.0.1'");
  auto port = invoke({"--listen", "127.0.0.1:70000"});
  ASSERT_EQ(port.errors.size(), 1u);
  EXPECT_EQ(port.errors[0], "listen: port must be a number from 0 to 65535: '127.0.0.1:70000'");
}

TEST(ConfigEndpoint, Loopback) {
  for (const char* text : {"127.0.0.1:1", "127.9.8.7:1", "[::1]:1", "localhost:1", "LocalHost:1",
                           "[::ffff:127.0.0.1]:1", "unix:/tmp/x.sock"}) {
    EXPECT_TRUE(parse_endpoint(text)->is_loopback()) << text;
  }
  for (const char* text : {"0.0.0.0:1", "10.0.0.1:1", "128.0.0.1:1", "[::]:1", "[::2]:1",
                           "[::ffff:10.0.0.1]:1", "example.com:1"}) {
    EXPECT_FALSE(parse_endpoint(text)->is_loopback()) << text;
  }
}

TEST(ConfigEndpoint, AdminNoneDisables) {
  auto invocation = invoke({"--admin", "none"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_FALSE(invocation.config.admin.has_value());
}

TEST(ConfigEndpoint, AdminIsUdpOnAnAddress) {
  auto unix_socket = invoke({"--admin", "unix:/tmp/a.sock"});
  ASSERT_EQ(unix_socket.errors.size(), 1u);
  EXPECT_EQ(unix_socket.errors[0],
            "admin: the admin port is UDP: use HOST:PORT or none: 'unix:/tmp/a.sock'");
  auto name = invoke({"--admin", "example.com:6381"});
  EXPECT_TRUE(one_problem_naming(name.errors, "admin"));
  auto ipv6 = invoke({"--admin", "[::1]:6381"});
  EXPECT_TRUE(ipv6.errors.empty());
}

// ------------------------------------------------------------- validation

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
}  // namespace tasq::server
