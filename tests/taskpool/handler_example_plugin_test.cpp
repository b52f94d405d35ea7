// examples/plugin, built from the tree and loaded like any user's plugin.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "handler_test_support.h"
#include "tasq/test/files.h"
#include "tasq/test/temp_dir.h"

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
  const tasq::test::TempDir dir("example-finish");
  const std::string log = dir.file("finish.log");
  ASSERT_EQ(::setenv("TASQ_EXAMPLE_LOG", log.c_str(), 1), 0);
  {
    FinishHook hook(TASQ_EXAMPLE_PLUGIN);
    const std::string result = "HELLO";
    hook.call(finish_info(7, "greetings", 1, TASQ_COMPLETED, 0, result, ""));
    hook.call(finish_info(8, "greetings", 3, TASQ_DEAD, 1, "", "status 1: empty payload"));
  }
  ::unsetenv("TASQ_EXAMPLE_LOG");
  const std::string text = tasq::test::read_file(log);
  EXPECT_EQ(text,
            "task 7 on queue greetings: completed (attempt 1), 5-byte result\n"
            "task 8 on queue greetings: dead (attempt 3): status 1: empty payload\n");
}

}  // namespace
}  // namespace tasq::taskpool
