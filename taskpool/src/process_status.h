#pragma once
// Internal: how a worker process ended, in words for logs and dead letters.

#include <string>

namespace tasq::taskpool {

/// "exit code 3", "killed by signal 9 (SIGKILL)", "... (core dumped)".
std::string describe_exit(int wait_status);

}  // namespace tasq::taskpool
