#include "handler_pipe_ends.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tasq::taskpool::handlers {

std::string describe_failure(const char* call, int error_number) {
  return std::string(call) + ": " + std::strerror(error_number);
}

// Our pipe ends must not be fds 0-2 (a worker started with a closed stdio
// gets them from pipe2): a child's dup2 onto 0, 1, 2 would then overwrite
// one end with another.
bool make_pipe(PipeEnds& ends, std::string& error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error = describe_failure("pipe2", errno);
    return false;
  }
  ends.read_end.reset(fds[0]);
  ends.write_end.reset(fds[1]);
  for (UniqueFd* end : {&ends.read_end, &ends.write_end}) {
    if (end->get() > STDERR_FILENO) continue;
    const int moved = ::fcntl(end->get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (moved < 0) {
      error = describe_failure("fcntl(F_DUPFD_CLOEXEC)", errno);
      return false;
    }
    end->reset(moved);
  }
  return true;
}

bool set_nonblocking(int fd, std::string& error) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    error = describe_failure("fcntl(O_NONBLOCK)", errno);
    return false;
  }
  return true;
}

}  // namespace tasq::taskpool::handlers
