#include "worker_spawn.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <string_view>

#include "exec_report.h"
#include "shm_layout.h"

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace tasq::taskpool {
namespace {

/// The master's secrets and its own channels. The container image hands the
/// admin token to tasqd in its environment; a worker, and through it every
/// task's command, could otherwise reload or stop tasqd with it. systemd's
/// notification socket and watchdog settings are the master's alone: a
/// handler must not be able to report readiness or pet the watchdog.
constexpr std::string_view kMasterOnly[] = {"TASQ_ADMIN_TOKEN=", "TASQ_ADMIN_TOKEN_FILE=",
                                            "NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID="};

bool master_only(std::string_view entry) {
  for (std::string_view name : kMasterOnly) {
    if (entry.starts_with(name)) return true;
  }
  return false;
}

/// The master's environment without what is the master's alone, with the
/// worker marker set to `id`.
std::vector<std::string> worker_environment(std::uint32_t id) {
  const std::string marker = std::string(shm::kWorkerEnv) + "=";
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with(marker) && !master_only(text)) env.emplace_back(text);
  }
  env.push_back(marker + std::to_string(id));
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The pipe that tells the parent how exec went: closed by a successful exec
// (CLOEXEC), or carrying the errno of a failed one.
constexpr int kWorkerReportFd = shm::kWorkerMemoryFd + 1;

// Between fork and exec only async-signal-safe calls: everything the child
// needs was prepared by the parent.
[[noreturn]] void become_worker(const SpawnRequest& request, pid_t master, int max_fd,
                                int report_fd, char* const* argv, char* const* envp) {
  if (!prepare_child(master)) ::_exit(1);  // the master died before prctl took effect

  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  // In the order of their targets; the report lands on kWorkerReportFd.
  static_assert(shm::kMemoryFd == shm::kNotifyFd + 1 && shm::kWorkerMemoryFd == shm::kMemoryFd + 1);
  const int sources[] = {request.notify_fd, request.memory_fd, request.worker_memory_fd};
  static_assert(shm::kNotifyFd + static_cast<int>(sizeof(sources) / sizeof(sources[0])) ==
                kWorkerReportFd);
  if (!place_descriptors(sources, std::size(sources), shm::kNotifyFd, report_fd)) {
    ::_exit(shm::kExitConfig);
  }
  exec_or_report(kWorkerReportFd, max_fd, request.exe.c_str(), argv, envp);
}

}  // namespace

pid_t spawn_worker(const SpawnRequest& request) {
  std::vector<std::string> argv_strings = request.argv;
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<std::string> env_strings = worker_environment(request.worker_id);
  std::vector<char*> envp = pointers(env_strings);
  const int max_fd = descriptor_limit();
  const pid_t master = ::getpid();
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    spdlog::error("pipe2() for task worker {}: {}", request.worker_id, std::strerror(errno));
    return -1;
  }

  const pid_t pid = ::fork();
  if (pid == 0) become_worker(request, master, max_fd, report[1], argv.data(), envp.data());
  ::close(report[1]);
  if (pid < 0) {
    spdlog::error("fork() for task worker {}: {}", request.worker_id, std::strerror(errno));
    ::close(report[0]);
    return -1;
  }
  // Until exec, the child is a copy of the master with the master's title:
  // hand out its pid only once it is really the worker.
  const int exec_error = wait_for_exec(report[0]);
  ::close(report[0]);
  if (exec_error != 0) {
    spdlog::error("execve({}) for task worker {}: {}", request.exe, request.worker_id,
                  std::strerror(exec_error));
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return -1;
  }
  return pid;
}

}  // namespace tasq::taskpool
