// The exec handler's data path: payload in, result out, environment, sizes.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "handler_test_support.h"

namespace tasq::taskpool {
namespace {

using testing::expect_no_children;
using testing::run_task;
using testing::sample_task;

std::string pattern_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 131 + i / 977) & 0xff);
  return bytes;
}

TEST(ExecHandler, StdoutIsTheResult) {
  auto runner = make_handler_runner("exec:tr a-z A-Z", {});
  EXPECT_EQ(runner->worker_start(3), 0);
  const auto run = run_task(*runner, "hello, world");
  EXPECT_EQ(run.output.status, 0);
  EXPECT_EQ(run.output.reason, "");
  EXPECT_EQ(run.result, "HELLO, WORLD");
  runner->worker_stop(3);
  expect_no_children();
}

TEST(ExecHandler, EmptyPayloadGivesEmptyStdin) {
  auto runner = make_handler_runner("exec:wc -c", {});
  const auto run = run_task(*runner, "");
  EXPECT_EQ(run.output.status, 0);
  EXPECT_EQ(run.result, "0\n");
}

TEST(ExecHandler, TaskVariablesAreSetExactlyOnce) {
  // Stale copies in the worker's environment must be replaced, not repeated;
  // other variables pass through.
  ASSERT_EQ(::setenv("TASQ_TASK_ID", "stale", 1), 0);
  ASSERT_EQ(::setenv("HANDLER_TEST_INHERITED", "yes", 1), 0);
  auto runner = make_handler_runner(
      "exec:env | grep -E "
      "'^(TASQ_TASK_ID|TASQ_QUEUE|TASQ_WORKER_ID|TASQ_ATTEMPT|HANDLER_TEST_INHERITED)=' | sort",
      {});
  const auto run = run_task(*runner, "");
  ::unsetenv("TASQ_TASK_ID");
  ::unsetenv("HANDLER_TEST_INHERITED");
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  EXPECT_EQ(run.result,
            "HANDLER_TEST_INHERITED=yes\n"
            "TASQ_ATTEMPT=2\n"
            "TASQ_QUEUE=emails\n"
            "TASQ_TASK_ID=42\n"
            "TASQ_WORKER_ID=3\n");
}

TEST(ExecHandler, QueueNameIsCutAtNulForTheEnvironment) {
  auto runner = make_handler_runner("exec:printf '%s' \"$TASQ_QUEUE\"", {});
  TaskInput task = sample_task("");
  task.queue = std::string_view("jobs\0hidden", 11);
  EXPECT_EQ(run_task(*runner, task).result, "jobs");
}

TEST(ExecHandler, CommandStartsWithDefaultSignals) {
  // The worker ignores SIGPIPE (this runner made it so); the command must not
  // inherit that, nor a blocked signal.
  auto runner = make_handler_runner("exec:grep -E '^Sig(Blk|Ign):' /proc/self/status", {});
  struct sigaction pipe_action {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &pipe_action), 0);
  ASSERT_EQ(pipe_action.sa_handler, SIG_IGN) << "the runner should ignore SIGPIPE in the worker";
  const auto run = run_task(*runner, "");
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  unsigned long long blocked = ~0ull, ignored = ~0ull;
  ASSERT_EQ(std::sscanf(run.result.c_str(), "SigBlk: %llx SigIgn: %llx", &blocked, &ignored), 2)
      << run.result;
  EXPECT_EQ(blocked, 0u);
  // glibc's posix_spawn leaves its two internal real-time signals (32 and 33)
  // ignored, which every glibc program resets at start; the classic ones must be clear.
  EXPECT_EQ(ignored & 0x7fffffffu, 0u) << run.result;
}

TEST(ExecHandler, OnlyStdioIsInherited) {
  // A descriptor left without close-on-exec (by a library, say, or by the
  // process that started this one) still does not reach the command: it sees
  // 0, 1, 2 and the one ls opens to read the directory.
  const int leaked = ::open("/dev/null", O_RDONLY);
  ASSERT_GT(leaked, STDERR_FILENO);
  auto runner = make_handler_runner("exec:ls /proc/self/fd | wc -l", {});
  const auto run = run_task(*runner, "");
  ::close(leaked);
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  EXPECT_EQ(run.result, "4\n");
}

TEST(ExecHandler, MebibyteInAndOutDoesNotDeadlock) {
  auto runner = make_handler_runner("exec:cat", {});
  const std::string payload = pattern_bytes(1 << 20);
  const auto run = run_task(*runner, payload, 1 << 20);
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  EXPECT_EQ(run.result.size(), payload.size());
  EXPECT_TRUE(run.result == payload);
  expect_no_children();
}

TEST(ExecHandler, OutputBeyondCapacityIsReadAndDropped) {
  // 4 MiB of output into a 1000-byte result: the command must still run to
  // its end (it would block forever on a full pipe otherwise) and succeed.
  auto runner = make_handler_runner("exec:head -c 4194304 /dev/zero | tr '\\0' a", {});
  const auto run = run_task(*runner, "", 1000);
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  EXPECT_EQ(run.result, std::string(1000, 'a'));
  expect_no_children();
}

TEST(ExecHandler, CommandThatIgnoresStdinSucceeds) {
  // The payload is far larger than a pipe; writing it to a command that has
  // exited gives EPIPE, which must neither kill nor fail the worker.
  auto runner = make_handler_runner("exec:echo done", {});
  const std::string payload = pattern_bytes(1 << 20);
  for (int i = 0; i < 3; ++i) {
    const auto run = run_task(*runner, payload);
    EXPECT_EQ(run.output.status, 0) << run.output.reason;
    EXPECT_EQ(run.result, "done\n");
  }
  expect_no_children();
}

TEST(ExecHandler, NonZeroExitFailsWithStderr) {
  auto runner = make_handler_runner(
      "exec:echo partial result; echo first >&2; echo 'second line' >&2; exit 3", {});
  const auto run = run_task(*runner, "x");
  EXPECT_EQ(run.output.status, 3);
  EXPECT_EQ(run.output.reason, "exit code 3; stderr: first\nsecond line");
  EXPECT_EQ(run.result, "") << "a failed task has no result";
  expect_no_children();
}

TEST(ExecHandler, FailureWithoutStderrIsJustTheExitCode) {
  auto runner = make_handler_runner("exec:exit 1", {});
  const auto run = run_task(*runner, "");
  EXPECT_EQ(run.output.status, 1);
  EXPECT_EQ(run.output.reason, "exit code 1");
}

TEST(ExecHandler, HugeStderrKeepsOnlyTheTail) {
  HandlerOptions options;
  options.stderr_tail_bytes = 2048;
  auto runner = make_handler_runner(
      "exec:head -c 3000000 /dev/zero | tr '\\0' x >&2; echo >&2; "
      "echo 'next to last' >&2; echo 'last words' >&2; exit 4",
      options);
  const auto run = run_task(*runner, "");
  EXPECT_EQ(run.output.status, 4);
  // The cut-off line of x's is dropped whole; the last lines are kept.
  EXPECT_EQ(run.output.reason, "exit code 4; stderr: ...next to last\nlast words");
}

TEST(ExecHandler, StderrTailWithoutNewlinesIsTheLastBytes) {
  HandlerOptions options;
  options.stderr_tail_bytes = 16;
  auto runner = make_handler_runner(
      "exec:head -c 100000 /dev/zero | tr '\\0' x >&2; printf 0123456789 >&2; exit 2", options);
  const auto run = run_task(*runner, "");
  EXPECT_EQ(run.output.status, 2);
  EXPECT_EQ(run.output.reason, "exit code 2; stderr: ...xxxxxx0123456789");
}

TEST(ExecHandler, KilledBySignal) {
  auto runner = make_handler_runner("exec:echo dying >&2; kill -9 $$", {});
  const auto run = run_task(*runner, "");
  EXPECT_EQ(run.output.status, 128 + 9);
  EXPECT_EQ(run.output.reason, "killed by signal 9; stderr: dying");
  expect_no_children();
}

TEST(ExecHandler, RunnerIsReusableAcrossManyTasks) {
  auto runner = make_handler_runner("exec:printf '%s:' \"$TASQ_TASK_ID\"; cat", {});
  for (std::uint64_t id = 1; id <= 50; ++id) {
    const std::string payload = "p" + std::to_string(id);
    TaskInput task = sample_task(payload);
    task.id = id;
    const auto run = run_task(*runner, task, 64);
    ASSERT_EQ(run.output.status, 0) << run.output.reason;
    ASSERT_EQ(run.result, std::to_string(id) + ":" + payload);
  }
  expect_no_children();
}

}  // namespace
}  // namespace tasq::taskpool
