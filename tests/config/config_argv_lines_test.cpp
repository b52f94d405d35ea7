// tasq::config: `--name value` on the command line is read as the config
// line `name "value"`, by the parser the file goes through, so a value
// arrives exactly as given and the rules of the file hold for argv too.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config_test_support.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

using testing_support::invoke;
using testing_support::TempDir;

TEST(ConfigArgvLines, ValuesArriveExactly) {
  for (std::string value :
       {std::string("two  spaces"), std::string(" padded "), std::string("quote \" and 'single'"),
        std::string("back\\slash\\"), std::string("line\nbreak\r\ttab"),
        std::string("#not a comment"), std::string("\"quoted\"")}) {
    auto spaced = invoke({"--requirepass", value});
    ASSERT_TRUE(spaced.errors.empty()) << spaced.errors[0];
    EXPECT_EQ(spaced.config.requirepass, value);
    auto joined = invoke({"--requirepass=" + value});
    ASSERT_TRUE(joined.errors.empty()) << joined.errors[0];
    EXPECT_EQ(joined.config.requirepass, value);
  }
}

TEST(ConfigArgvLines, ASingleDashValueIsAValue) {
  auto invocation = invoke({"--requirepass", "-secret"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.requirepass, "-secret");
}

TEST(ConfigArgvLines, TheNextOptionIsNotAValue) {
  auto invocation = invoke({"--daemonize", "--backlog", "5"});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "daemonize: missing value");
  auto dashes = invoke({"--requirepass=--secret"});
  ASSERT_TRUE(dashes.errors.empty()) << dashes.errors[0];
  EXPECT_EQ(dashes.config.requirepass, "--secret");
}

TEST(ConfigArgvLines, NamesInAnyCaseAsInTheFile) {
  auto invocation = invoke({"--TASK_RETRY", "4"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.task_retry, 4u);
}

TEST(ConfigArgvLines, NamesThatAreNotDirectives) {
  for (const char* arg : {"--#backlog=5", "--back log=5", "--\"backlog\"=5", "--config_file=x"}) {
    auto invocation = invoke({arg});
    ASSERT_EQ(invocation.errors.size(), 1u) << arg;
    EXPECT_EQ(invocation.errors[0].rfind("unknown directive '", 0), 0u) << invocation.errors[0];
  }
}

TEST(ConfigArgvLines, OptionsThatAreNotDirectives) {
  auto dash = invoke({"-x"});
  ASSERT_EQ(dash.errors.size(), 1u);
  EXPECT_EQ(dash.errors[0], "unknown option '-x'");
  auto flag = invoke({"--help=yes"});
  ASSERT_EQ(flag.errors.size(), 1u);
  EXPECT_EQ(flag.errors[0], "--help takes no value");
  auto check = invoke({"--check-journal"});
  ASSERT_EQ(check.errors.size(), 1u);
  EXPECT_EQ(check.errors[0], "check-journal: missing value");
  auto joined = invoke({"--check-journal=/tmp/x.journal"});
  ASSERT_TRUE(joined.errors.empty()) << joined.errors[0];
  EXPECT_EQ(joined.check_journal_file, "/tmp/x.journal");
}

TEST(ConfigArgvLines, EveryBadLineIsReported) {
  auto invocation = invoke({"--nope", "1", "--daemonize"});
  ASSERT_EQ(invocation.errors.size(), 2u);
  EXPECT_EQ(invocation.errors[0], "unknown directive 'nope'");
  EXPECT_EQ(invocation.errors[1], "daemonize: missing value");
}

TEST(ConfigArgvLines, RepeatableLinesOnTheCommandLineReplaceTheFiles) {
  TempDir dir;
  auto file = dir.write("tasq.conf",
                        "cron \"@hourly a x\"\n"
                        "cron \"@daily b y\"\n"
                        "reload_watch " +
                            dir.path().string() + "\n");
  auto invocation = invoke({file, "--cron", "@every 5s c z"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_EQ(invocation.config.cron, std::vector<std::string>{"@every 5s c z"});
  EXPECT_EQ(invocation.config.reload_watch, std::vector<std::string>{dir.path().string()});
}

TEST(ConfigArgvLines, TheFilesBadLinesAreReportedWithTheirNumbers) {
  TempDir dir;
  auto file = dir.write("tasq.conf", "backlog 5\nnope 1\nbacklog\n");
  auto invocation = invoke({file, "--backlog", "7"});
  ASSERT_EQ(invocation.errors.size(), 2u);
  EXPECT_EQ(invocation.errors[0], "line 2: unknown directive 'nope'");
  EXPECT_EQ(invocation.errors[1], "line 3: backlog: missing value");
}

}  // namespace
}  // namespace tasq::config
