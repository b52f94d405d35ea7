#include "handler_pipe_process.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>

#include "exec_report.h"
#include "handler_pipe_ends.h"

namespace tasq::taskpool::handlers {

namespace {

// The co-process's descriptors, by the protocol.
constexpr int kTasksFd = 3;    // it reads TASK and STOP frames here
constexpr int kRepliesFd = 4;  // it writes READY, DONE and FAIL here
// Where the child keeps the exec report pipe, just above what it keeps.
constexpr int kCoprocessReportFd = kRepliesFd + 1;

struct ChildFds {
  int null, out, err, tasks, replies, report;
};

// Between fork and exec only async-signal-safe calls; everything was
// prepared by the parent.
[[noreturn]] void become_coprocess(const ChildFds& fds, pid_t worker, int max_fd, char* const* argv,
                                   char* const* envp) {
  if (!prepare_child(worker)) ::_exit(127);  // the worker died before prctl took effect
  // In the order of their targets, from 0 on; the report lands on kCoprocessReportFd.
  static_assert(kTasksFd == STDERR_FILENO + 1 && kRepliesFd == kTasksFd + 1);
  const int sources[] = {fds.null, fds.out, fds.err, fds.tasks, fds.replies};
  static_assert(STDIN_FILENO + static_cast<int>(sizeof(sources) / sizeof(sources[0])) ==
                kCoprocessReportFd);
  if (!place_descriptors(sources, std::size(sources), STDIN_FILENO, fds.report)) ::_exit(127);
  exec_or_report(kCoprocessReportFd, max_fd, "/bin/sh", argv, envp);
}

/// Shell words that `exec` cannot take as a program: special builtins and
/// reserved words.
bool is_shell_word(std::string_view word) {
  static constexpr std::string_view kWords[] = {
      ".",       ":",       "!",       "{",        "}",      "alias", "bg",   "break",
      "case",    "cd",      "command", "continue", "do",     "done",  "elif", "else",
      "esac",    "eval",    "exec",    "exit",     "export", "fg",    "fi",   "for",
      "getopts", "hash",    "if",      "in",       "jobs",   "local", "read", "readonly",
      "return",  "set",     "shift",   "then",     "times",  "trap",  "type", "ulimit",
      "umask",   "unalias", "unset",   "until",    "wait",   "while"};
  for (std::string_view known : kWords) {
    if (word == known) return true;
  }
  return false;
}

}  // namespace

std::string shell_line(std::string_view command) {
  // Anything that makes more than one simple command, or that the shell
  // expands in ways `exec` would change, leaves the line as it is.
  if (command.find_first_of(";&|<>()`$\\\n{}") != std::string_view::npos) {
    return std::string(command);
  }
  const std::size_t begin = command.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return std::string(command);
  const std::size_t end = command.find_first_of(" \t", begin);
  const std::string_view first = command.substr(begin, end - begin);
  // A leading NAME=value is an assignment, not a program.
  if (first.find_first_of("='\"") != std::string_view::npos || is_shell_word(first)) {
    return std::string(command);
  }
  return "exec " + std::string(command.substr(begin));
}

bool CoProcess::start(const std::string& command, char* const envp[], std::string& error) {
  PipeEnds tasks, replies, out, err, report;
  if (!make_pipe(tasks, error) || !make_pipe(replies, error) || !make_pipe(out, error) ||
      !make_pipe(err, error) || !make_pipe(report, error)) {
    return false;
  }
  // stdin reads nothing: /dev/null, or, in a chroot without one, a pipe
  // whose writing end is closed at once.
  UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_fd) {
    PipeEnds empty;
    if (!make_pipe(empty, error)) return false;
    null_fd = std::move(empty.read_end);
  }
  const int max_fd = descriptor_limit();
  char* const argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                        const_cast<char*>(command.c_str()), nullptr};
  const ChildFds child{.null = null_fd.get(),
                       .out = out.write_end.get(),
                       .err = err.write_end.get(),
                       .tasks = tasks.read_end.get(),
                       .replies = replies.write_end.get(),
                       .report = report.write_end.get()};
  const pid_t worker = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    error = describe_failure("fork", errno);
    return false;
  }
  if (pid == 0) become_coprocess(child, worker, max_fd, argv, envp);

  group_.adopt(pid);
  report.write_end.reset();
  const int exec_error = wait_for_exec(report.read_end.get());
  if (exec_error != 0) {
    error = describe_failure("execve(/bin/sh)", exec_error);
    wait();
    return false;
  }
  tasks_ = std::move(tasks.write_end);
  replies_ = std::move(replies.read_end);
  stdout_ = std::move(out.read_end);
  stderr_ = std::move(err.read_end);
  // From here a failure leaves a running child, which the caller kills.
  for (int fd : {tasks_.get(), replies_.get(), stdout_.get(), stderr_.get()}) {
    if (!set_nonblocking(fd, error)) return false;
  }
  return true;
}

int CoProcess::wait() {
  tasks_.reset();
  replies_.reset();
  stdout_.reset();
  stderr_.reset();
  return group_.wait();
}

}  // namespace tasq::taskpool::handlers
