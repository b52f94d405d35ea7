#pragma once
// The worker side of a handler: the built-in echo, `exec:COMMAND`,
// `pipe:COMMAND` (a long-lived co-process speaking the worker protocol), or a
// C ABI plugin (tasq/handler.h) loaded with dlopen. A worker makes one at
// start, after dropping privileges, and runs every task through it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tasq/handler.h"

namespace tasq::taskpool {

struct TaskInput {
  std::uint64_t id;
  std::string_view queue;
  std::string_view payload;
  std::uint32_t attempt;
  std::uint32_t worker_id;
};

struct TaskOutput {
  int status = 0;  ///< 0 success; otherwise the failure status
  /// On failure: why, e.g. "exit code 3; stderr: ..." or "timeout after 5000 ms".
  std::string reason;
};

class HandlerRunner {
 public:
  virtual ~HandlerRunner() = default;
  /// Returns non-zero to refuse starting (the worker exits, is respawned with back-off).
  virtual int worker_start(std::uint32_t worker_id) = 0;
  /// Called by the worker before it claims each task. A handler that cannot
  /// take one yet (a pipe: co-process starting, or backing off after failed
  /// starts) waits here, so that tasks stay in the ring for other workers.
  /// Returns false when it gave up because HandlerOptions::stop_requested
  /// turned true; the worker then looks at its stop flag again.
  virtual bool wait_until_ready() { return true; }
  /// Runs one task; the handler may write up to result.capacity bytes into result.data
  /// and sets result.length. On failure (status != 0) result.length is 0 and the
  /// reason says why. Never throws for a failing task.
  virtual TaskOutput run(const TaskInput& task, tasq_result& result) = 0;
  virtual void worker_stop(std::uint32_t worker_id) = 0;
};

struct HandlerOptions {
  /// exec:, pipe: kill the command (its process group) past it; 0 = none
  std::chrono::milliseconds task_timeout{0};
  /// exec:, pipe: how much of the command's stderr (its tail) the reason keeps;
  /// plugin: the bound of the failure message taken from its result.
  std::size_t stderr_tail_bytes = 2048;
  /// pipe: READY must arrive this soon after the start, and a frame once
  /// begun must be whole this soon (pipe_start_timeout).
  std::chrono::milliseconds pipe_start_timeout{30'000};
  /// pipe: after STOP, how long the co-process may take to exit before its
  /// group is killed (max_wait_time).
  std::chrono::milliseconds stop_grace{3000};
  /// pipe: the longest part a co-process may send (package_max_length).
  std::size_t max_part_bytes = 2u << 20;
  /// Long waits outside a task (pipe: start-up, back-off) end when this turns
  /// true: the worker was asked to stop. None: they never end early.
  std::function<bool()> stop_requested{};
};

/// Makes the runner for a `handler` directive value. Throws std::runtime_error
/// with a one-line reason (e.g. the dlerror() text, or a missing symbol).
std::unique_ptr<HandlerRunner> make_handler_runner(std::string_view spec,
                                                   const HandlerOptions& options);

/// The master's view of a plugin: only its finish hook. A null hook (echo,
/// exec, or a plugin without tasq_finish) makes call() a no-op.
class FinishHook {
 public:
  /// Loads the plugin named by `spec` when it is one; throws like make_handler_runner.
  explicit FinishHook(std::string_view spec);
  ~FinishHook();
  FinishHook(const FinishHook&) = delete;
  FinishHook& operator=(const FinishHook&) = delete;
  void call(const tasq_finish_info& info) const;

 private:
  void* library_ = nullptr;
  void (*finish_)(const tasq_finish_info*) = nullptr;
};

}  // namespace tasq::taskpool
