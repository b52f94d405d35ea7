#include "exec_report.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

namespace tasq::taskpool {

namespace {

// Where sources are parked on their way to their targets, above every target.
constexpr int kParkingFd = 10;
// The most sources place_descriptors() moves: their parking room lives on
// the stack, as nothing may be allocated after fork.
constexpr std::size_t kMostPlaced = 8;

}  // namespace

int descriptor_limit() {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    return static_cast<int>(files.rlim_cur);
  }
  return 1024;
}

bool prepare_child(pid_t parent) {
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  for (int signo = 1; signo < NSIG; ++signo) ::sigaction(signo, &defaults, nullptr);

  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  return ::getppid() == parent;
}

bool place_descriptors(const int* sources, std::size_t count, int first_target, int report_fd) {
  if (count > kMostPlaced || first_target + static_cast<int>(count) >= kParkingFd) return false;
  int parked[kMostPlaced];
  for (std::size_t i = 0; i < count; ++i) {
    parked[i] = ::fcntl(sources[i], F_DUPFD, kParkingFd);
    if (parked[i] < 0) return false;
  }
  const int report_target = first_target + static_cast<int>(count);
  const int report = ::fcntl(report_fd, F_DUPFD_CLOEXEC, kParkingFd);
  if (report < 0 || ::dup3(report, report_target, O_CLOEXEC) < 0) return false;
  for (std::size_t i = 0; i < count; ++i) {
    // dup2 clears close-on-exec on the target: these are inherited.
    if (::dup2(parked[i], first_target + static_cast<int>(i)) < 0) return false;
  }
  return true;
}

void exec_or_report(int report_fd, int max_fd, const char* path, char* const* argv,
                    char* const* envp) {
  // Whatever the parent opened without close-on-exec goes too: the child
  // keeps only what was placed for it.
  if (::close_range(static_cast<unsigned>(report_fd) + 1, ~0u, 0) != 0) {
    for (int fd = report_fd + 1; fd < max_fd; ++fd) ::close(fd);
  }
  ::execve(path, argv, envp);
  const int error = errno;
  [[maybe_unused]] const ssize_t ignored = ::write(report_fd, &error, sizeof(error));
  ::_exit(127);
}

int wait_for_exec(int report_fd) {
  int error = 0;
  for (;;) {
    const ssize_t n = ::read(report_fd, &error, sizeof(error));
    if (n == 0) return 0;
    if (n == sizeof(error)) return error;
    if (n < 0 && errno != EINTR) return errno;
  }
}

}  // namespace tasq::taskpool
