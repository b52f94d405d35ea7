// tasq::config: the directive table as users see it — every row's default,
// bounds and flags, through --help, CONFIG GET and validate().

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "config_test_support.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

using testing_support::invoke;
using testing_support::one_problem_naming;
using testing_support::value_of;

std::string help() { return invoke({"--help"}).help_text; }

// The line of --help that describes `--name`, with its wrapped continuation.
std::string help_entry(const std::string& name) {
  auto text = help();
  auto at = text.find("  --" + name + " ");
  if (at == std::string::npos) return {};
  auto end = text.find("\n  -", at + 1);
  auto blank = text.find("\n\n", at + 1);
  return text.substr(at, std::min(end, blank) - at);
}

TEST(ConfigTable, NamesAreUniqueAndLowercase) {
  std::set<std::string> names;
  for (const auto& [name, value] : directive_values(Config{})) {
    EXPECT_TRUE(names.insert(name).second) << name << " twice";
    EXPECT_TRUE(std::regex_match(name, std::regex("[a-z][a-z_]*"))) << name;
  }
}

// What --help shows as a directive's default is what Config{} holds: fed
// back as the value, it changes nothing.
TEST(ConfigTable, HelpDefaultsAreTheDefaults) {
  std::regex entry(R"(  --([a-z_]+) \S+ \(=([^)]*)\))");
  auto text = help();
  std::size_t checked = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), entry), end; it != end; ++it) {
    std::string name = (*it)[1];
    std::string shown = (*it)[2];
    if (shown == "CPU count") {
      EXPECT_EQ(Config{}.task_worker_num, default_task_worker_num());
      continue;
    }
    auto invocation = invoke({"--" + name, shown});
    ASSERT_TRUE(invocation.errors.empty()) << name << ": " << invocation.errors[0];
    EXPECT_EQ(directive_values(invocation.config), directive_values(Config{})) << name;
    ++checked;
  }
  EXPECT_GE(checked, 20u);
}

TEST(ConfigTable, HelpShowsTheBounds) {
  EXPECT_NE(help_entry("task_worker_num").find("(1..256)"), std::string::npos)
      << help_entry("task_worker_num");
  EXPECT_NE(help_entry("package_max_length").find("(1k..1g)"), std::string::npos)
      << help_entry("package_max_length");
  EXPECT_NE(help_entry("ring_size").find("(at most 64g)"), std::string::npos)
      << help_entry("ring_size");
  EXPECT_NE(help_entry("journal_rewrite_min_size").find("(at least 1m)"), std::string::npos)
      << help_entry("journal_rewrite_min_size");
  EXPECT_EQ(help_entry("max_request").find("(at"), std::string::npos) << "unbounded";
}

TEST(ConfigTable, HelpGroupsEachOnce) {
  auto text = help();
  for (const char* group :
       {"\nTasks and workers:\n", "\nNetwork:\n", "\nAdmin port:\n", "\nProcess:\n",
        "\nDurability:\n", "\nTime and change:\n", "\nOther options:\n"}) {
    auto at = text.find(group);
    ASSERT_NE(at, std::string::npos) << group;
    EXPECT_EQ(text.find(group, at + 1), std::string::npos) << group << " twice";
  }
}

TEST(ConfigTable, HelpLinesFitOneHundredColumns) {
  auto text = help();
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    EXPECT_LE(end - start, 100u) << text.substr(start, end - start);
    start = end + 1;
  }
}

TEST(ConfigTable, SecretDirectivesAreLeftOutWhenHidden) {
  Config config;
  config.admin_token = "s3cret";
  config.requirepass = "pa55";
  auto shown = directive_values(config);
  auto hidden = directive_values(config, Secrets::hidden);
  EXPECT_EQ(hidden.size() + 2, shown.size());
  for (const auto& [name, value] : hidden) {
    EXPECT_NE(name, "admin_token");
    EXPECT_NE(name, "requirepass");
    EXPECT_NE(value, "s3cret") << name;
    EXPECT_NE(value, "pa55") << name;
  }
  EXPECT_EQ(value_of(config, "admin_token"), "s3cret");
}

TEST(ConfigTable, BoundsComeFromTheRowForEveryKindOfNumber) {
  auto delay = invoke({"--reload_watch_delay_ms", "3600001"});
  ASSERT_TRUE(one_problem_naming(delay.errors, "reload_watch_delay_ms"));
  EXPECT_EQ(delay.errors[0],
            "reload_watch_delay_ms: 3600001 is too large: must be at most 3600000");
  EXPECT_TRUE(invoke({"--reload_watch_delay_ms", "3600000"}).errors.empty());

  Config config;
  config.ring_size_bytes = (64ull << 30) + 1;
  EXPECT_EQ(config.validate(),
            std::vector<std::string>{
                "ring_size: 68719476737 is too large: must be at most 68719476736 (64g)"});

  config = Config{};
  config.task_retry = 1001;
  EXPECT_EQ(config.validate(),
            std::vector<std::string>{"task_retry: 1001 is out of range: must be 1..1000"});

  config = Config{};
  config.tcp_keepidle = std::chrono::seconds(-5);
  EXPECT_EQ(config.validate(),
            std::vector<std::string>{"tcp_keepidle: -5 is out of range: must be 1..32767"});
}

TEST(ConfigTable, RepeatableDirectivesTakeEveryLine) {
  auto invocation = invoke({"--cron", "@hourly a x", "--cron", "@daily b y", "--reload_watch", "/",
                            "--reload_watch", "/tmp"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.cron, (std::vector<std::string>{"@hourly a x", "@daily b y"}));
  EXPECT_EQ(invocation.config.reload_watch, (std::vector<std::string>{"/", "/tmp"}));
  EXPECT_EQ(value_of(invocation.config, "cron"), "@hourly a x\n@daily b y");
}

}  // namespace
}  // namespace tasq::config
