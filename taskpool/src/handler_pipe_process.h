#pragma once
// Internal: the long-lived `/bin/sh -c COMMAND` of a `pipe:` handler. It
// gets exactly five descriptors: /dev/null (or an empty pipe) as stdin,
// pipes to the worker as stdout and stderr (logged, never protocol), fd 3 to
// read frames from and fd 4 to write frames to. It runs in a process group of its own, so that a
// timeout or a stop can kill everything it started, and it is killed by the
// kernel when its worker dies (PR_SET_PDEATHSIG).

#include <sys/types.h>

#include <string>
#include <string_view>

#include "handler_fd.h"
#include "handler_process_group.h"

namespace tasq::taskpool::handlers {

/// What `/bin/sh -c` runs for `command`: the command itself, or, when it is
/// one simple command (a program and its arguments, nothing the shell would
/// have to stay around for), `exec COMMAND`. Then the co-process is the
/// program itself, as `bash -c` would make it, not a child of a waiting
/// dash: the death signal reaches it, and a kill is reported as a signal.
std::string shell_line(std::string_view command);

class CoProcess {
 public:
  CoProcess() = default;
  CoProcess(const CoProcess&) = delete;
  CoProcess& operator=(const CoProcess&) = delete;

  /// Forks and execs the shell with environment `envp`, signals at their
  /// defaults and none blocked. Returns false with `error` naming the failed
  /// call, the exec of /bin/sh included (reported back through a pipe).
  bool start(const std::string& command, char* const envp[], std::string& error);

  [[nodiscard]] pid_t pid() const { return group_.pid(); }
  [[nodiscard]] bool running() const { return group_.running(); }
  /// Our end of its fd 3 (we write tasks), of its fd 4 (we read replies), of
  /// its stdout and its stderr; all non-blocking, -1 once closed.
  [[nodiscard]] int tasks_fd() const { return tasks_.get(); }
  [[nodiscard]] int replies_fd() const { return replies_.get(); }
  [[nodiscard]] int stdout_fd() const { return stdout_.get(); }
  [[nodiscard]] int stderr_fd() const { return stderr_.get(); }
  /// Readable once the shell has exited; -1 without pidfd_open (old kernels),
  /// when callers poll exited() instead.
  [[nodiscard]] int exit_fd() const { return group_.exit_fd(); }

  void close_tasks() { tasks_.reset(); }
  void close_replies() { replies_.reset(); }
  void close_stdout() { stdout_.reset(); }
  void close_stderr() { stderr_.reset(); }

  /// True once the shell has exited; does not reap it.
  [[nodiscard]] bool exited() const { return group_.exited(); }
  /// SIGKILLs the whole process group. Safe until wait() returns: the
  /// unreaped shell keeps its pid, and so the group id, from being reused.
  void kill_group() const { group_.kill_group(); }
  /// Reaps the shell (blocking) and returns its wait status, or -1 when it
  /// was lost. Closes every descriptor.
  int wait();

 private:
  UniqueFd tasks_, replies_, stdout_, stderr_;
  // Last, so destroyed first: if wait() was not called, the group is killed
  // and the shell reaped before its pipes close.
  ProcessGroup group_{"pipe handler"};
};

}  // namespace tasq::taskpool::handlers
