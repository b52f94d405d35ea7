#pragma once
// Internal: starting one worker process — fork, then at once exec of the
// worker executable with only its three pool descriptors open.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tasq::taskpool {

struct SpawnRequest {
  std::string exe;
  std::vector<std::string> argv;  ///< argv[0] is the title, "tasqd: task worker N"
  std::uint32_t worker_id;
  int notify_fd;         ///< this worker's eventfd to the master, becomes shm::kNotifyFd
  int memory_fd;         ///< the master's region, becomes shm::kMemoryFd
  int worker_memory_fd;  ///< this worker's own region, becomes shm::kWorkerMemoryFd
};

/// Forks and execs a worker. In the child, before exec: signals back to their
/// defaults and unblocked, a process group of its own (a Ctrl-C meant for the
/// master does not kill tasks mid-way: the master drains them), SIGKILL when
/// the master dies, stdin from /dev/null, descriptors 3 to 5 as above and
/// every other one above 2 closed; the environment is the master's without
/// the admin token (TASQ_ADMIN_TOKEN, TASQ_ADMIN_TOKEN_FILE). Returns the pid
/// once the exec has happened (so the process already carries its title), or
/// -1 when fork or exec failed (logged with errno; a failed child is reaped).
/// The caller brackets it with io_context::notify_fork.
pid_t spawn_worker(const SpawnRequest& request);

}  // namespace tasq::taskpool
