// The `exec:COMMAND` handler: each task runs `/bin/sh -c COMMAND` with the
// payload on stdin and the task in its environment; stdout is the result,
// exit 0 is success.
//
// Failure statuses follow the shell's conventions so that they read the same
// in logs: the exit code itself, 128+N for death by signal N, 124 for a
// timeout (as coreutils' timeout), 126 when the shell could not be started.

#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "handler_exec_process.h"
#include "handler_exec_pump.h"
#include "handler_factory.h"
#include "handler_signals.h"
#include "process_status.h"

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace tasq::taskpool::handlers {

namespace {

constexpr int status_timeout = 124;
constexpr int status_cannot_start = 126;
constexpr std::size_t scratch_bytes = 64 * 1024;  // one pipe's worth per read

// The variables tasq sets; copies inherited from the worker are dropped so
// that each appears exactly once.
constexpr std::string_view task_variables[] = {
    "TASQ_TASK_ID=", "TASQ_QUEUE=", "TASQ_WORKER_ID=", "TASQ_ATTEMPT="};

/// The worker's environment plus the task's variables, as execve wants it.
class TaskEnvironment {
 public:
  explicit TaskEnvironment(const TaskInput& task) {
    // The C environment cannot carry a NUL byte; a binary queue name is cut there.
    const std::string_view queue = task.queue.substr(0, task.queue.find('\0'));
    own_ = {std::string(task_variables[0]) + std::to_string(task.id),
            std::string(task_variables[1]).append(queue),
            std::string(task_variables[2]) + std::to_string(task.worker_id),
            std::string(task_variables[3]) + std::to_string(task.attempt)};
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      if (!is_task_variable(*entry)) pointers_.push_back(*entry);
    }
    for (std::string& variable : own_) pointers_.push_back(variable.data());
    pointers_.push_back(nullptr);
  }

  [[nodiscard]] char* const* data() const { return pointers_.data(); }

 private:
  static bool is_task_variable(std::string_view entry) {
    for (std::string_view name : task_variables) {
      if (entry.starts_with(name)) return true;
    }
    return false;
  }

  std::vector<std::string> own_;
  std::vector<char*> pointers_;
};

int failure_status(int wait_status) {
  if (wait_status < 0) return status_cannot_start;
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return status_cannot_start;
}

/// "; stderr: LINES" for the reason: the last whole lines that fit the tail,
/// "..." first when earlier output was dropped. Empty when stderr was.
std::string stderr_excerpt(const TailBuffer& tail) {
  std::string_view text = tail.text();
  if (tail.cut()) {
    const std::size_t newline = text.find('\n');
    if (newline != std::string_view::npos && newline + 1 < text.size()) {
      text.remove_prefix(newline + 1);
    }
  }
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  if (last == std::string_view::npos) return {};
  text = text.substr(0, last + 1);
  return std::string("; stderr: ").append(tail.cut() ? "..." : "").append(text);
}

class ExecRunner final : public HandlerRunner {
 public:
  ExecRunner(std::string command, const HandlerOptions& options)
      : command_(std::move(command)), options_(options), scratch_(scratch_bytes) {
    prepare_worker_signals("exec handler");
  }

  int worker_start(std::uint32_t /*worker_id*/) override { return 0; }
  void worker_stop(std::uint32_t /*worker_id*/) override {}

  TaskOutput run(const TaskInput& task, tasq_result& result) override {
    result.length = 0;
    const TaskEnvironment environment(task);
    ShellProcess child;
    std::string error;
    if (!child.start(command_, environment.data(), task.payload, error)) {
      return {.status = status_cannot_start, .reason = "cannot run /bin/sh: " + error};
    }

    std::optional<std::chrono::steady_clock::time_point> deadline;
    if (options_.task_timeout.count() > 0) {
      deadline = std::chrono::steady_clock::now() + options_.task_timeout;
    }
    TailBuffer errors(options_.stderr_tail_bytes);
    ExecPump pump(child, task.payload, child.prefilled(), result, errors, scratch_);
    const PumpEnd end = pump.run(deadline);
    const int wait_status = child.wait();

    if (end == PumpEnd::timed_out) {
      result.length = 0;
      return {.status = status_timeout,
              .reason = "timeout after " + std::to_string(options_.task_timeout.count()) + " ms" +
                        stderr_excerpt(errors)};
    }
    if (end == PumpEnd::exited && wait_status >= 0 && WIFEXITED(wait_status) &&
        WEXITSTATUS(wait_status) == 0) {
      if (pump.stdout_bytes() > result.length) {
        spdlog::warn("task {}: exec output of {} bytes cut to the {}-byte result limit", task.id,
                     pump.stdout_bytes(), result.capacity);
      }
      return {};
    }
    result.length = 0;
    std::string reason = end == PumpEnd::failed ? "lost track of the command (poll failed)"
                                                : describe_wait_status(wait_status);
    return {.status = end == PumpEnd::failed ? status_cannot_start : failure_status(wait_status),
            .reason = reason + stderr_excerpt(errors)};
  }

 private:
  std::string command_;
  HandlerOptions options_;
  std::vector<char> scratch_;
};

}  // namespace

std::unique_ptr<HandlerRunner> make_exec_runner(std::string command,
                                                const HandlerOptions& options) {
  return std::make_unique<ExecRunner>(std::move(command), options);
}

}  // namespace tasq::taskpool::handlers
