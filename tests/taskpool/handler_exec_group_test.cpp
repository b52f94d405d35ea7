// The exec handler's process handling: timeouts kill the whole process group,
// a task ends with its shell, and nothing is left behind (no zombie, no stray).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

#include "handler_test_support.h"
#include "sleep_probe.h"
#include "tasq/test/eventually.h"

namespace tasq::taskpool {
namespace {

using namespace std::chrono_literals;
using testing::expect_no_children;
using testing::live_sleeps;
using testing::run_task;

// Far beyond any timeout below, far below the sleeps the commands start: a
// task that took this long waited for its children instead of killing them.
constexpr auto hung = 20s;

// SIGKILL is delivered asynchronously; give the kernel time, generously.
bool sleeps_gone(const std::string& nap) {
  return tasq::test::eventually([&] { return live_sleeps(nap) == 0; }, 10s);
}

TEST(ExecTimeout, KillsTheWholeProcessGroup) {
  HandlerOptions options;
  options.task_timeout = 200ms;
  const std::string nap = testing::unique_nap(30, 1);
  // A background job and a foreground one, both holding stdout open.
  auto runner = make_handler_runner(
      "exec:echo started >&2; sleep " + nap + " & sleep " + nap + "; wait", options);
  const auto begin = std::chrono::steady_clock::now();
  const auto run = run_task(*runner, "payload");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, hung);
  EXPECT_EQ(run.output.status, 124);
  // Whether "started" was written before the kill depends on scheduling.
  EXPECT_TRUE(run.output.reason == "timeout after 200 ms" ||
              run.output.reason == "timeout after 200 ms; stderr: started")
      << run.output.reason;
  EXPECT_EQ(run.result, "");
  EXPECT_TRUE(sleeps_gone(nap));
  expect_no_children();
}

TEST(ExecTimeout, AppliesToACommandThatClosedItsStdio) {
  HandlerOptions options;
  options.task_timeout = 200ms;
  const std::string nap = testing::unique_nap(30, 2);
  auto runner = make_handler_runner("exec:exec <&- >&- 2>&-; sleep " + nap, options);
  const auto begin = std::chrono::steady_clock::now();
  const auto run = run_task(*runner, "");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, hung);
  EXPECT_EQ(run.output.status, 124);
  EXPECT_EQ(run.output.reason, "timeout after 200 ms");
  EXPECT_TRUE(sleeps_gone(nap));
  expect_no_children();
}

TEST(ExecTimeout, FastCommandIsUnaffected) {
  HandlerOptions options;
  options.task_timeout = 10s;
  auto runner = make_handler_runner("exec:cat", options);
  const auto run = run_task(*runner, "quick");
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  EXPECT_EQ(run.result, "quick");
}

TEST(ExecProcess, TaskEndsWithItsShellAndLeftoversAreKilled) {
  // The background sleep inherits stdout, so waiting for EOF would wait for
  // it; the task must end when the shell does, and take the sleep with it.
  const std::string nap = testing::unique_nap(30, 3);
  auto runner = make_handler_runner("exec:sleep " + nap + " & echo ok", {});
  const auto begin = std::chrono::steady_clock::now();
  const auto run = run_task(*runner, "");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, hung);
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  EXPECT_EQ(run.result, "ok\n");
  EXPECT_TRUE(sleeps_gone(nap));
  expect_no_children();
}

TEST(ExecProcess, ShellExitCodeAfterClosingStdoutEarly) {
  // stdout reaches EOF long before the exit: the exit status must still be waited for.
  auto runner = make_handler_runner("exec:echo early; exec >&-; sleep 0.2; exit 5", {});
  const auto run = run_task(*runner, "");
  EXPECT_EQ(run.output.status, 5);
  EXPECT_EQ(run.output.reason, "exit code 5");
  expect_no_children();
}

}  // namespace
}  // namespace tasq::taskpool
