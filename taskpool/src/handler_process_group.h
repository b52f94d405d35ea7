#pragma once
// Internal: the leader of a process group that a handler started (the exec
// handler's shell, the pipe: handler's co-process), by its pid and, where
// the kernel has pidfd_open, a descriptor that becomes readable at its exit.

#include <sys/types.h>

#include "handler_fd.h"

namespace tasq::taskpool::handlers {

class ProcessGroup {
 public:
  /// `tag` names the handler in log lines ("exec handler"); a literal.
  explicit ProcessGroup(const char* tag) : tag_(tag) {}
  /// Kills the group and reaps the leader if wait() was not called, so no
  /// path out of a handler leaves a stray process or a zombie.
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  /// Takes charge of `pid`, the leader (its pid is the group id), and opens
  /// its pidfd. Call once, with the leader started.
  void adopt(pid_t pid);

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] bool running() const { return pid_ > 0; }
  /// Readable once the leader has exited; -1 when the kernel has no
  /// pidfd_open, in which case callers poll exited() instead.
  [[nodiscard]] int exit_fd() const { return pidfd_.get(); }

  /// True once the leader has exited; does not reap it.
  [[nodiscard]] bool exited() const;
  /// SIGKILLs every process of the group. Safe until wait() returns: the
  /// unreaped leader keeps its pid, and so the group id, from being reused.
  void kill_group() const;
  /// Reaps the leader (blocking) and returns its wait status, or -1 when it
  /// was lost.
  int wait();

 private:
  const char* tag_;
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

}  // namespace tasq::taskpool::handlers
