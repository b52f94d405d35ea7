#pragma once
// The worker side of a handler: the built-in echo, `exec:COMMAND`, or a C ABI
// plugin (tasq/handler.h) loaded with dlopen. A worker makes one at start,
// after dropping privileges, and runs every task through it.

#include <chrono>
#include <cstdint>
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
  /// Runs one task; the handler may write up to result.capacity bytes into result.data
  /// and sets result.length. On failure (status != 0) result.length is 0 and the
  /// reason says why. Never throws for a failing task.
  virtual TaskOutput run(const TaskInput& task, tasq_result& result) = 0;
  virtual void worker_stop(std::uint32_t worker_id) = 0;
};

struct HandlerOptions {
  std::chrono::milliseconds task_timeout{0};  ///< exec: kill the command past it; 0 = none
  /// exec: how much of the command's stderr (its tail) the reason keeps;
  /// plugin: the bound of the failure message taken from its result.
  std::size_t stderr_tail_bytes = 2048;
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
