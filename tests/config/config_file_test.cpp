// tasq::config: the config file's syntax: comments, quotes, case, and errors that
// name their line.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config_test_support.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

using testing_support::invoke;
using testing_support::TempDir;

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

}  // namespace
}  // namespace tasq::config
