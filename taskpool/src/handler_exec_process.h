#pragma once
// Internal: one run of `/bin/sh -c COMMAND` for the exec handler, in a process
// group of its own so that everything it starts can be killed together, with
// non-blocking pipes to its stdin, stdout and stderr.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "handler_fd.h"
#include "handler_process_group.h"

namespace tasq::taskpool::handlers {

class ShellProcess {
 public:
  ShellProcess() = default;
  ShellProcess(const ShellProcess&) = delete;
  ShellProcess& operator=(const ShellProcess&) = delete;

  /// Starts the shell with environment `envp`, signals at their defaults and
  /// none blocked, its stdin already holding as much of `input` as the pipe
  /// takes (all of it up to the pipe's maximum size, 1 MiB by default).
  /// Returns false with `error` naming the failed call (also logged). Call once.
  bool start(const std::string& command, char* const envp[], std::string_view input,
             std::string& error);
  /// The bytes of `input` that start() put in the pipe before the shell ran.
  [[nodiscard]] std::size_t prefilled() const { return prefilled_; }

  [[nodiscard]] int stdin_fd() const { return stdin_.get(); }
  [[nodiscard]] int stdout_fd() const { return stdout_.get(); }
  [[nodiscard]] int stderr_fd() const { return stderr_.get(); }
  /// Readable once the shell has exited; -1 when the kernel has no pidfd_open,
  /// in which case callers poll exited() instead.
  [[nodiscard]] int exit_fd() const { return group_.exit_fd(); }

  void close_stdin() { stdin_.reset(); }
  void close_stdout() { stdout_.reset(); }
  void close_stderr() { stderr_.reset(); }

  /// True once the shell has exited; does not reap it.
  [[nodiscard]] bool exited() const { return group_.exited(); }
  /// SIGKILLs every process of the group. Safe until wait() returns: the
  /// unreaped shell keeps its pid, and so the group id, from being reused.
  void kill_group() const { group_.kill_group(); }
  /// Reaps the shell and returns its wait status, or -1 when it was lost.
  int wait() { return group_.wait(); }

 private:
  UniqueFd stdin_, stdout_, stderr_;
  std::size_t prefilled_ = 0;
  // Last, so destroyed first: if wait() was not called, the group is killed
  // and the shell reaped before its pipes close, so no path out of a task
  // leaves a stray process or a zombie.
  ProcessGroup group_{"exec handler"};
};

}  // namespace tasq::taskpool::handlers
