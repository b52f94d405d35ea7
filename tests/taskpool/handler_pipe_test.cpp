// The pipe: handler in the test process: a real /bin/sh and a real Python
// co-process (pipe_test_worker.py), which answers, fails, dies, stalls or
// breaks the protocol as each task's payload asks.

#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "handler_pipe_process.h"
#include "handler_test_support.h"
#include "tasq/test/eventually.h"

namespace tasq::taskpool {
namespace {

using namespace std::chrono_literals;
using testing::run_task;

std::string worker_command(const std::string& args = "") {
  return std::string("pipe:python3 ") + TASQ_PIPE_TEST_WORKER + (args.empty() ? "" : " " + args);
}

std::string scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::path(TASQ_BINARY_DIR_FOR_TESTS) / "pipe-handler-tests" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count_lines(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

bool process_exists(pid_t pid) {
  if (::kill(pid, 0) == 0) {
    // A zombie nobody reaps counts as gone.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    const auto close = text.rfind(')');
    return close == std::string::npos || text.size() < close + 3 || text[close + 2] != 'Z';
  }
  return errno != ESRCH;
}

// Every co-process must be reaped by the runner: the test process has no other children.
void expect_no_children() {
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

/// Captures what the runner logs while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    auto logger = std::make_shared<spdlog::logger>("pipe-test", sink);
    logger->set_level(spdlog::level::debug);
    logger->set_pattern("[%l] %v");
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream text_;
};

std::unique_ptr<HandlerRunner> start(const std::string& spec, HandlerOptions options = {}) {
  auto runner = make_handler_runner(spec, options);
  EXPECT_EQ(runner->worker_start(3), 0);
  return runner;
}

TEST(PipeShellLine, OneSimpleCommandIsExecedAnythingElseIsLeftAlone) {
  using handlers::shell_line;
  EXPECT_EQ(shell_line("php worker.php"), "exec php worker.php");
  EXPECT_EQ(shell_line("  python3 -u '/srv/my app/w.py' --x=1"),
            "exec python3 -u '/srv/my app/w.py' --x=1");
  for (const char* kept :
       {"cd /srv && php w.php", "php w.php; echo done", "php w.php | tee x", "php w.php > log",
        "FOO=1 php w.php", "exec php w.php", "php $HOME/w.php", "(php w.php)", "while true",
        "cd /srv", "php w.php &", "php \\x"}) {
    EXPECT_EQ(shell_line(kept), kept);
  }
}

TEST(PipeHandler, DoneIsTheResult) {
  auto runner = start(worker_command());
  EXPECT_TRUE(runner->wait_until_ready());
  const auto run = run_task(*runner, "hello, world");
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  EXPECT_EQ(run.output.reason, "");
  EXPECT_EQ(run.result, "HELLO, WORLD");
  EXPECT_EQ(run_task(*runner, "").result, "") << "an empty payload and an empty result";
  runner->worker_stop(3);
  expect_no_children();
}

TEST(PipeHandler, OneCoProcessServesEveryTask) {
  auto runner = start(worker_command());
  const auto first = run_task(*runner, "ids:").result;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(run_task(*runner, "x").result, "X");
  EXPECT_EQ(run_task(*runner, "ids:").result, first);
  runner->worker_stop(3);
}

TEST(PipeHandler, LargeAndBinaryPayloadsPassWhole) {
  auto runner = start(worker_command());
  std::string payload(300'000, 'a');  // several pipe buffers: written as the co-process reads
  payload[1] = '\0';
  payload[2] = '\xff';
  std::string expected(300'000, 'A');
  expected[1] = '\0';
  expected[2] = '\xff';
  const auto run = run_task(*runner, payload);
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  EXPECT_EQ(run.result, expected);
  EXPECT_EQ(run_task(*runner, "big:900000").result, std::string(900'000, 'b'));
  runner->worker_stop(3);
}

TEST(PipeHandler, FailGivesTheErrorClassAndMessage) {
  auto runner = start(worker_command());
  const auto run = run_task(*runner, "fail:no SMTP server");
  EXPECT_EQ(run.output.status, 1);
  EXPECT_EQ(run.output.reason, "TestError: no SMTP server");
  EXPECT_EQ(run.result, "");
  EXPECT_EQ(run_task(*runner, "after").result, "AFTER") << "a FAIL keeps the co-process";
  runner->worker_stop(3);
}

TEST(PipeHandler, EnvironmentAndDescriptors) {
  ASSERT_EQ(::setenv("TASQ_PROTOCOL", "stale", 1), 0);
  auto runner = start(worker_command());
  ::unsetenv("TASQ_PROTOCOL");
  EXPECT_EQ(run_task(*runner, "env:").result, "3 1");
  // Only 0-4: stdin, stdout, stderr, the task pipe and the reply pipe.
  EXPECT_EQ(run_task(*runner, "fds:").result, "0 1 2 3 4");
  runner->worker_stop(3);
}

TEST(PipeHandler, CoProcessHasItsOwnProcessGroup) {
  auto runner = start(worker_command());
  std::istringstream ids(run_task(*runner, "ids:").result);
  pid_t pid = 0, pgid = 0, ppid = 0;
  ids >> pid >> pgid >> ppid;
  EXPECT_NE(pgid, ::getpgid(0));
  // The group is the shell's: it is the co-process itself, or its parent.
  EXPECT_TRUE(pgid == pid || pgid == ppid) << pid << " " << pgid << " " << ppid;
  runner->worker_stop(3);
  EXPECT_FALSE(process_exists(pid));
}

TEST(PipeHandler, ExitMidTaskFailsTheAttemptAndANewCoProcessStarts) {
  LogCapture log;
  auto runner = start(worker_command());
  const auto run = run_task(*runner, "exit:3");
  EXPECT_EQ(run.output.status, 3);
  EXPECT_NE(run.output.reason.find("exited mid-task: exit code 3"), std::string::npos)
      << run.output.reason;
  EXPECT_NE(run.output.reason.find("stderr: dying with 3"), std::string::npos) << run.output.reason;
  EXPECT_TRUE(runner->wait_until_ready());
  EXPECT_EQ(run_task(*runner, "next").result, "NEXT");
  runner->worker_stop(3);
  expect_no_children();
}

TEST(PipeHandler, KillMidTaskNamesTheSignal) {
  auto runner = start(worker_command());
  const auto run = run_task(*runner, "kill:");
  EXPECT_EQ(run.output.status, 128 + SIGKILL);
  EXPECT_NE(run.output.reason.find("killed by signal 9"), std::string::npos) << run.output.reason;
  EXPECT_TRUE(runner->wait_until_ready());
  EXPECT_EQ(run_task(*runner, "next").result, "NEXT");
  runner->worker_stop(3);
}

TEST(PipeHandler, TaskTimeoutKillsTheWholeGroup) {
  const std::string dir = scratch_dir("timeout");
  // Room for a loaded machine to start the child before the timeout.
  auto runner = start(worker_command(), {.task_timeout = 3s});
  const auto run = run_task(*runner, "spawn-sleep:" + dir + "/child");
  EXPECT_EQ(run.output.status, 124);
  EXPECT_EQ(run.output.reason.rfind("timed out after 3 s", 0), 0u) << run.output.reason;
  const pid_t child = std::stoi(read_file(dir + "/child"));
  // kill() returns before the signal has been delivered.
  EXPECT_TRUE(tasq::test::eventually([&] { return !process_exists(child); }, 10s))
      << "the co-process's own child outlived the timeout";
  EXPECT_TRUE(runner->wait_until_ready());
  EXPECT_EQ(run_task(*runner, "next").result, "NEXT");
  runner->worker_stop(3);
}

struct Garbage {
  const char* kind;
  const char* reason;
};

TEST(PipeHandler, EveryKindOfGarbageIsAProtocolError) {
  const Garbage cases[] = {
      {"magic", "protocol error: bad magic"},
      {"version", "protocol error: bad version 2"},
      {"type", "protocol error: bad frame type 9"},
      {"task", "protocol error: a TASK frame, which only tasqd sends"},
      {"ready", "protocol error: READY sent twice"},
      {"id", "protocol error: DONE for task 1042 while task 42 runs"},
      {"attempt", "protocol error: DONE with a non-zero attempt field"},
      {"long", "protocol error: a part of 4294967295 bytes, over package_max_length"},
      {"eof", "protocol error: EOF inside a frame"},
  };
  auto runner = start(worker_command());
  for (const Garbage& garbage : cases) {
    const auto run = run_task(*runner, std::string("garbage:") + garbage.kind);
    EXPECT_EQ(run.output.status, 76) << garbage.kind;
    EXPECT_EQ(run.output.reason.rfind(garbage.reason, 0), 0u)
        << garbage.kind << ": " << run.output.reason;
    EXPECT_EQ(run.result, "");
    // Killed and replaced: the next task runs in a fresh co-process.
    EXPECT_TRUE(runner->wait_until_ready());
    EXPECT_EQ(run_task(*runner, "fine").result, "FINE") << garbage.kind;
  }
  runner->worker_stop(3);
  expect_no_children();
}

TEST(PipeHandler, ResultOverTheCapacityIsAProtocolError) {
  auto runner = start(worker_command());
  const auto run = run_task(*runner, "big:2000", 1000);
  EXPECT_EQ(run.output.status, 76);
  EXPECT_EQ(run.output.reason.rfind("protocol error: a result of 2000 bytes, over the 1000-byte "
                                    "limit",
                                    0),
            0u)
      << run.output.reason;
  runner->worker_stop(3);
}

TEST(PipeHandler, HeaderThenStallIsCaughtWithoutATaskTimeout) {
  // The bound is pipe_start_timeout, which Python's start must fit in too.
  auto runner = start(worker_command(), {.pipe_start_timeout = 3s});
  const auto run = run_task(*runner, "garbage:stall");
  EXPECT_EQ(run.output.status, 76);
  EXPECT_EQ(run.output.reason.rfind("protocol error: a frame begun and not finished within "
                                    "pipe_start_timeout (3 s)",
                                    0),
            0u)
      << run.output.reason;
  runner->worker_stop(3);
}

TEST(PipeHandler, AnAnswerBeforeAnExitStands) {
  const std::string dir = scratch_dir("answer-exit");
  auto runner = start(worker_command("--starts " + dir + "/starts"));
  const auto run = run_task(*runner, "answer-then-exit:");
  EXPECT_EQ(run.output.status, 0) << run.output.reason;
  EXPECT_EQ(run.result, "LAST");
  // The next task finds the co-process gone before it read anything: it goes
  // to a new one, without a failed attempt and without a back-off.
  EXPECT_TRUE(runner->wait_until_ready());
  EXPECT_EQ(run_task(*runner, "next").result, "NEXT");
  EXPECT_EQ(count_lines(dir + "/starts"), 2u);
  runner->worker_stop(3);
}

TEST(PipeHandler, StopIsSentAndTheCoProcessExits) {
  const std::string dir = scratch_dir("stop");
  auto runner = start(worker_command("--evidence " + dir));
  std::istringstream ids(run_task(*runner, "ids:").result);
  pid_t pid = 0;
  ids >> pid;
  runner->worker_stop(3);
  EXPECT_TRUE(std::filesystem::exists(dir + "/.stop." + std::to_string(pid)));
  EXPECT_FALSE(process_exists(pid));
  expect_no_children();
}

TEST(PipeHandler, CoProcessIgnoringStopIsKilledAfterTheGrace) {
  LogCapture log;
  auto runner = start(worker_command("--start ignore-stop"), {.stop_grace = 500ms});
  std::istringstream ids(run_task(*runner, "ids:").result);
  pid_t pid = 0;
  ids >> pid;
  runner->worker_stop(3);
  EXPECT_FALSE(process_exists(pid));
  EXPECT_NE(log.text().find("did not exit within 0.5 s after STOP; killing its process group"),
            std::string::npos)
      << log.text();
  expect_no_children();
}

TEST(PipeHandler, OutputIsLoggedLineByLineAndNeverProtocol) {
  LogCapture log;
  auto runner = start(worker_command());
  EXPECT_EQ(run_task(*runner, "print:hello \x1b[31mred").result, "printed");
  EXPECT_EQ(run_task(*runner, "long-line:10000").result, "long");
  runner->worker_stop(3);
  const std::string text = log.text();
  EXPECT_NE(text.find("[info] co-process "), std::string::npos) << text;
  EXPECT_NE(text.find(" stdout: hello \\x1b[31mred\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[warning] co-process "), std::string::npos) << text;
  EXPECT_NE(text.find(" stderr: err hello \\x1b[31mred\n"), std::string::npos) << text;
  const auto cut = text.find(std::string(4096, 'L') + " [line cut]\n");
  EXPECT_NE(cut, std::string::npos) << "a long line is cut at 4096 bytes";
}

TEST(PipeHandler, FloodOfOutputIsBoundedAndCounted) {
  LogCapture log;
  auto runner = start(worker_command());
  EXPECT_EQ(run_task(*runner, "flood:5000").result, "flooded");
  runner->worker_stop(3);
  const std::string text = log.text();
  std::size_t lines = 0;
  for (auto at = text.find("stdout: flood line"); at != std::string::npos;
       at = text.find("stdout: flood line", at + 1)) {
    ++lines;
  }
  EXPECT_GE(lines, 500u);
  EXPECT_LT(lines, 5000u);
  EXPECT_NE(text.find("line(s) of output dropped"), std::string::npos);
}

TEST(PipeHandler, CommandThatExitsAtOnceBacksOffAndSaysWhy) {
  LogCapture log;
  const std::string dir = scratch_dir("exit-at-once");
  std::atomic<bool> stop{false};
  auto runner = start(worker_command("--start exit --starts " + dir + "/starts"),
                      {.stop_requested = [&stop] { return stop.load(); }});
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(3500ms);
    stop = true;
  });
  EXPECT_FALSE(runner->wait_until_ready());
  stopper.join();
  runner->worker_stop(3);
  // Starts at 0 s, then after 1 s and 2 s of back-off: a handful, never a busy loop.
  const std::size_t starts = count_lines(dir + "/starts");
  EXPECT_GE(starts, 1u);
  EXPECT_LE(starts, 4u);
  const std::string text = log.text();
  EXPECT_NE(text.find("did not start: exited before READY (exit code 3); stderr: cannot start: "
                      "configuration missing; next try in 1 s"),
            std::string::npos)
      << text;
  expect_no_children();
}

TEST(PipeHandler, MissingCommandSaysNotFound) {
  LogCapture log;
  auto runner = start("pipe:/nonexistent/tasq-worker");
  runner->worker_stop(3);
  const std::string text = log.text();
  EXPECT_NE(text.find("exited before READY (exit code 127); stderr: "), std::string::npos) << text;
  EXPECT_NE(text.find("not found"), std::string::npos) << text;
}

TEST(PipeHandler, NoReadyWithinTheStartTimeout) {
  LogCapture log;
  auto runner = start(worker_command("--start no-ready"), {.pipe_start_timeout = 1s});
  runner->worker_stop(3);
  EXPECT_NE(log.text().find("no READY within pipe_start_timeout (1 s)"), std::string::npos)
      << log.text();
  expect_no_children();
}

TEST(PipeHandler, ReadyThenExitFailsTheTaskAfterOneMoreTry) {
  const std::string dir = scratch_dir("ready-exit");
  auto runner = start(worker_command("--start ready-exit --starts " + dir + "/starts"));
  const auto run = run_task(*runner, "x");
  EXPECT_EQ(run.output.status, 126);
  EXPECT_NE(run.output.reason.find("co-process ended before it read the task"), std::string::npos)
      << run.output.reason;
  EXPECT_EQ(count_lines(dir + "/starts"), 2u);
  runner->worker_stop(3);
}

TEST(PipeHandler, StopRequestEndsAStartUpWait) {
  std::atomic<bool> stop{false};
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(300ms);
    stop = true;
  });
  const auto began = std::chrono::steady_clock::now();
  auto runner =
      start(worker_command("--start no-ready"),
            {.pipe_start_timeout = 60s, .stop_requested = [&stop] { return stop.load(); }});
  EXPECT_FALSE(runner->wait_until_ready());
  stopper.join();
  // Well before the 60 s start timeout; generous for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - began, 30s);
  runner->worker_stop(3);
  expect_no_children();
}

}  // namespace
}  // namespace tasq::taskpool
