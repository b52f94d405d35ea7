#include "handler_process_group.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

namespace tasq::taskpool::handlers {

namespace {

// Through syscall(): glibc 2.36's <sys/pidfd.h> lacks C++ linkage guards, and
// older C libraries lack the wrapper altogether.
int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

}  // namespace

void ProcessGroup::adopt(pid_t pid) {
  pid_ = pid;
  const int pidfd = open_pidfd(pid_);
  if (pidfd >= 0) {
    pidfd_.reset(pidfd);
  } else {
    // Old kernels (before 5.3) and some seccomp profiles lack it; exited()
    // polling takes over.
    spdlog::debug("{}: pidfd_open: {}; polling for the exit instead", tag_, std::strerror(errno));
  }
}

bool ProcessGroup::exited() const {
  if (pid_ < 0) return true;
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    spdlog::error("{}: waitid({}): {}", tag_, pid_, std::strerror(errno));
    return true;  // nothing left to wait for; wait() will report it
  }
  return info.si_pid != 0;
}

void ProcessGroup::kill_group() const {
  if (pid_ < 0) return;
  // ESRCH is normal: the group may already be empty but for the zombie leader.
  if (::kill(-pid_, SIGKILL) != 0 && errno != ESRCH) {
    spdlog::error("{}: kill(-{}, SIGKILL): {}", tag_, pid_, std::strerror(errno));
  }
}

int ProcessGroup::wait() {
  pidfd_.reset();
  if (pid_ < 0) return -1;
  int status = 0;
  pid_t reaped;
  do {
    reaped = ::waitpid(pid_, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  if (reaped < 0) {
    spdlog::error("{}: waitpid({}): {}", tag_, pid_, std::strerror(errno));
    status = -1;
  }
  pid_ = -1;
  return status;
}

ProcessGroup::~ProcessGroup() {
  if (pid_ < 0) return;
  kill_group();
  wait();
}

}  // namespace tasq::taskpool::handlers
