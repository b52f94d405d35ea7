#pragma once
// Internal: moves the bytes between tasq and a running exec command.

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "handler_exec_process.h"
#include "tasq/handler.h"

namespace tasq::taskpool::handlers {

/// Keeps the last `limit` bytes appended to it, so a command that floods
/// stderr costs a bounded amount of memory.
class TailBuffer {
 public:
  explicit TailBuffer(std::size_t limit) : limit_(limit) {}
  void append(std::string_view bytes);
  [[nodiscard]] std::string_view text() const { return text_; }
  /// True when earlier bytes were dropped to respect the limit.
  [[nodiscard]] bool cut() const { return cut_; }

 private:
  std::size_t limit_;
  std::string text_;
  bool cut_ = false;
};

enum class PumpEnd {
  exited,     ///< the shell exited; its group is killed and its output drained
  timed_out,  ///< the deadline passed; the group is killed, stderr drained
  failed,     ///< poll() failed (logged); the group is killed
};

/// Runs the I/O of one exec task until the shell exits or `deadline` passes:
/// writes `payload` to its stdin (a command that stops reading is fine), keeps
/// the first result.capacity bytes of its stdout in `result` and reads and
/// drops the rest, and keeps the tail of its stderr. All three streams move
/// in one poll loop, so no payload or output size can deadlock it. The shell
/// is left for the caller to reap; its process group is killed before return,
/// so nothing the command started outlives the task.
class ExecPump {
 public:
  /// The first `written` bytes of `payload` are in the command's stdin already.
  ExecPump(ShellProcess& child, std::string_view payload, std::size_t written, tasq_result& result,
           TailBuffer& errors, std::span<char> scratch);

  PumpEnd run(std::optional<std::chrono::steady_clock::time_point> deadline);

  /// Bytes the command wrote to stdout, the dropped ones included.
  [[nodiscard]] std::size_t stdout_bytes() const { return stdout_bytes_; }

 private:
  enum class Read { data, again, closed };
  void write_stdin();
  Read read_stdout();
  Read read_stderr();
  /// Reads what is left in the pipes after the group was killed.
  void drain();

  ShellProcess& child_;
  std::string_view payload_;
  std::size_t written_ = 0;
  tasq_result& result_;
  TailBuffer& errors_;
  std::span<char> scratch_;
  std::size_t stdout_bytes_ = 0;
};

}  // namespace tasq::taskpool::handlers
