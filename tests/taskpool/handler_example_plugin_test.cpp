// examples/plugin, built from the tree and loaded like any user's plugin.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "handler_test_support.h"

namespace tasq::taskpool {
namespace {

using testing::finish_info;
using testing::run_task;

TEST(ExamplePlugin, UpperCasesPayloads) {
  auto runner = make_handler_runner(TASQ_EXAMPLE_PLUGIN, {});
  ASSERT_EQ(runner->worker_start(0), 0);
  auto run = run_task(*runner, "hello, tasq");
  EXPECT_EQ(run.output.status, 0);
  EXPECT_EQ(run.result, "HELLO, TASQ");

  run = run_task(*runner, "");
  EXPECT_EQ(run.output.status, 1);
  EXPECT_EQ(run.output.reason, "status 1: empty payload");
  runner->worker_stop(0);
}

TEST(ExamplePlugin, FinishWritesALineToItsLog) {
  const auto log = std::filesystem::temp_directory_path() /
                   ("tasq-example-finish-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(log);
  ASSERT_EQ(::setenv("TASQ_EXAMPLE_LOG", log.c_str(), 1), 0);
  {
    FinishHook hook(TASQ_EXAMPLE_PLUGIN);
    const std::string result = "HELLO";
    hook.call(finish_info(7, "greetings", 1, TASQ_COMPLETED, 0, result, ""));
    hook.call(finish_info(8, "greetings", 3, TASQ_DEAD, 1, "", "status 1: empty payload"));
  }
  ::unsetenv("TASQ_EXAMPLE_LOG");
  std::ifstream in(log);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::filesystem::remove(log);
  EXPECT_EQ(text,
            "task 7 on queue greetings: completed (attempt 1), 5-byte result\n"
            "task 8 on queue greetings: dead (attempt 3): status 1: empty payload\n");
}

}  // namespace
}  // namespace tasq::taskpool
