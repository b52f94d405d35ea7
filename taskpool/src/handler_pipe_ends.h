#pragma once
// Internal: the pipes between a worker and the processes its handlers start
// (the exec: shell, the pipe: co-process), made one way for both.

#include <string>

#include "handler_fd.h"

namespace tasq::taskpool::handlers {

struct PipeEnds {
  UniqueFd read_end, write_end;
};

/// "CALL: strerror(errno)", the form every failed call is reported in.
std::string describe_failure(const char* call, int error_number);

/// A close-on-exec pipe whose ends are both above fd 2. Returns false with
/// `error` naming the failed call.
bool make_pipe(PipeEnds& ends, std::string& error);

bool set_nonblocking(int fd, std::string& error);

}  // namespace tasq::taskpool::handlers
