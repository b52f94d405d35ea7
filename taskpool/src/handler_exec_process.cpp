#include "handler_exec_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "handler_pipe_ends.h"

namespace tasq::taskpool::handlers {

namespace {

// The payload goes into the stdin pipe before the shell exists. A command
// started later than its worker's death (SIGKILL through PDEATHSIG when the
// master is killed) would otherwise read whatever part of its payload the
// worker had written, and run on with it; this way a command that starts has
// its whole payload, as long as the pipe can hold it. Returns the bytes written.
// The pipe grows to at most 1 MiB (the kernel's default pipe-max-size), so
// that a root worker does not pin more kernel memory per task than that.
constexpr std::size_t kMaxPrefill = std::size_t{1} << 20;

std::size_t prefill(int fd, std::string_view input) {
  if (input.empty()) return 0;
  // Growing the pipe is best effort: past /proc/sys/fs/pipe-max-size an
  // unprivileged worker gets EPERM, and the pump writes the rest later.
  const int pipe_size = ::fcntl(fd, F_GETPIPE_SZ);
  const std::size_t wanted = std::min(input.size(), kMaxPrefill);
  if (pipe_size >= 0 && static_cast<std::size_t>(pipe_size) < wanted &&
      ::fcntl(fd, F_SETPIPE_SZ, static_cast<int>(wanted)) < 0 && errno != EPERM && errno != EBUSY) {
    spdlog::warn("exec handler: fcntl(F_SETPIPE_SZ, {}): {}", input.size(), std::strerror(errno));
  }
  std::size_t written = 0;
  while (written < input.size()) {
    const ssize_t n = ::write(fd, input.data() + written, input.size() - written);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n < 0 && errno != EAGAIN) {
        spdlog::error("exec handler: write(stdin) before the start: {}", std::strerror(errno));
      }
      break;  // full: the pump writes the rest once the command reads
    }
  }
  return written;
}

// posix_spawn's attribute and file-action objects need destroying on every path.
struct SpawnSetup {
  posix_spawnattr_t attr{};
  posix_spawn_file_actions_t actions{};
  bool attr_ok = false, actions_ok = false;
  ~SpawnSetup() {
    if (attr_ok) posix_spawnattr_destroy(&attr);
    if (actions_ok) posix_spawn_file_actions_destroy(&actions);
  }
};

int prepare_spawn(SpawnSetup& setup, int child_stdin, int child_stdout, int child_stderr) {
  int rc = posix_spawnattr_init(&setup.attr);
  if (rc != 0) return rc;
  setup.attr_ok = true;
  rc = posix_spawn_file_actions_init(&setup.actions);
  if (rc != 0) return rc;
  setup.actions_ok = true;

  // These three are all the child keeps: the worker marks its own
  // descriptors close-on-exec, and whatever a library opened without the
  // flag is closed here, so the command can never reach the pool's memory.
  if ((rc = posix_spawn_file_actions_adddup2(&setup.actions, child_stdin, STDIN_FILENO)) != 0 ||
      (rc = posix_spawn_file_actions_adddup2(&setup.actions, child_stdout, STDOUT_FILENO)) != 0 ||
      (rc = posix_spawn_file_actions_adddup2(&setup.actions, child_stderr, STDERR_FILENO)) != 0 ||
      (rc = posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1)) != 0) {
    return rc;
  }
  // A fresh process group (pgid = the shell's pid) lets a timeout kill the
  // whole job. Signals go back to their defaults: the worker ignores SIGPIPE
  // and ignored signals would otherwise survive exec into the command.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  if ((rc = posix_spawnattr_setpgroup(&setup.attr, 0)) != 0 ||
      (rc = posix_spawnattr_setsigdefault(&setup.attr, &all)) != 0 ||
      (rc = posix_spawnattr_setsigmask(&setup.attr, &none)) != 0) {
    return rc;
  }
  return posix_spawnattr_setflags(
      &setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

}  // namespace

bool ShellProcess::start(const std::string& command, char* const envp[], std::string_view input,
                         std::string& error) {
  PipeEnds in, out, err;
  if (!make_pipe(in, error) || !make_pipe(out, error) || !make_pipe(err, error) ||
      !set_nonblocking(in.write_end.get(), error)) {
    spdlog::error("exec handler: {}", error);
    return false;
  }
  prefilled_ = prefill(in.write_end.get(), input);
  SpawnSetup setup;
  int rc = prepare_spawn(setup, in.read_end.get(), out.write_end.get(), err.write_end.get());
  if (rc != 0) {
    error = describe_failure("posix_spawn setup", rc);
    spdlog::error("exec handler: {}", error);
    return false;
  }
  char* const argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                        const_cast<char*>(command.c_str()), nullptr};
  pid_t pid = -1;
  rc = ::posix_spawn(&pid, "/bin/sh", &setup.actions, &setup.attr, argv, envp);
  if (rc != 0) {
    error = describe_failure("posix_spawn(/bin/sh)", rc);
    spdlog::error("exec handler: {}", error);
    return false;
  }
  group_.adopt(pid);

  stdin_ = std::move(in.write_end);
  stdout_ = std::move(out.read_end);
  stderr_ = std::move(err.read_end);
  // The child's ends close with the Pipe objects; from now on a failure
  // leaves a running child, which the destructor kills and reaps.
  for (int fd : {stdin_.get(), stdout_.get(), stderr_.get()}) {
    if (!set_nonblocking(fd, error)) {
      spdlog::error("exec handler: {}", error);
      return false;
    }
  }
  return true;
}

}  // namespace tasq::taskpool::handlers
