// The task worker process: started by the master with fork + exec, it maps the
// pool's shared memory, enters its jail, loads the handler and runs tasks
// until the master asks it to stop.

#include <sched.h>
#include <signal.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "shared_memory.h"
#include "tasq/taskpool/handler_runner.h"
#include "tasq/taskpool/pool.h"
#include "worker_descriptors.h"
#include "worker_loop.h"
#include "worker_privileges.h"
#include "worker_settings.h"

namespace tasq::taskpool {
namespace {

std::optional<std::uint32_t> parse_id(const char* text) {
  if (text == nullptr) return std::nullopt;
  const std::string_view view(text);
  std::uint32_t id = 0;
  auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), id);
  if (ec != std::errc() || end != view.data() + view.size()) return std::nullopt;
  return id;
}

/// Logs go where the master's go, tagged with the worker id. The file is
/// opened before chroot, while its path still resolves.
void setup_logging(const WorkerSettings& settings, std::uint32_t id) {
  std::shared_ptr<spdlog::logger> logger;
  if (settings.log_file.empty()) {
    logger = std::make_shared<spdlog::logger>("worker",
                                              std::make_shared<spdlog::sinks::stderr_sink_st>());
  } else {
    logger = std::make_shared<spdlog::logger>(
        "worker", std::make_shared<spdlog::sinks::basic_file_sink_st>(settings.log_file, false));
  }
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [worker " + std::to_string(id) + " %P] [%l] %v");
  logger->set_level(
      spdlog::level::from_str(settings.log_level.empty() ? "info" : settings.log_level));
  // A worker can be killed at any moment: what it said must already be out.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

/// How long a pipe: co-process may take to exit after STOP: max_wait_time,
/// less a margin, so that this worker kills the co-process's whole group
/// before the master, whose clock started a moment earlier, kills the worker.
std::chrono::milliseconds co_process_grace(std::chrono::milliseconds max_wait) {
  constexpr std::chrono::milliseconds kMargin{250};
  return max_wait > kMargin ? max_wait - kMargin : std::chrono::milliseconds(0);
}

/// Under SCHED_BATCH the wake-up a task brings does not preempt the master,
/// which is usually the task on the CPU then: the worker runs on a free CPU,
/// or when the master waits for its next event. Handlers and what they start
/// inherit it. Refused (a seccomp filter, say), the worker runs on as it is.
void apply_sched_policy(bool batch) {
  if (!batch) return;
  const sched_param param{};
  if (::sched_setscheduler(0, SCHED_BATCH, &param) != 0) {
    spdlog::warn("cannot run under SCHED_BATCH (worker_sched_policy batch): {}",
                 std::strerror(errno));
  }
}

/// The parent-death signal is cleared by setuid, so it is set (again) here,
/// after the jail; a master that died meanwhile leaves us orphaned: exit.
bool bind_to_master(pid_t master) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  return ::getppid() == master;
}

int run(std::uint32_t id) {
  SharedMemory memory = SharedMemory::attach(shm::kMemoryFd);
  WorkerRegion own = WorkerRegion::attach(shm::kWorkerMemoryFd, memory.header());
  // Mapped: the descriptors are of no more use, and a handler must not find them.
  memory.close_fd();
  own.close_fd();
  const Layout& layout = memory.layout();
  if (id >= layout.worker_count) {
    std::fprintf(stderr, "tasqd worker: id %u is not below the pool's %u workers\n", id,
                 layout.worker_count);
    return shm::kExitConfig;
  }
  auto settings = decode_worker_settings(memory.settings());
  if (!settings) {
    std::fprintf(stderr, "tasqd worker %u: the settings in shared memory are malformed\n", id);
    return shm::kExitConfig;
  }
  setup_logging(*settings, id);
  apply_sched_policy(settings->sched_batch);

  try {
    const Identity identity = resolve_identity(settings->user, settings->group);
    enter_jail(settings->chroot, identity);
  } catch (const std::exception& e) {
    spdlog::error("cannot enter the worker's jail: {}", e.what());
    return shm::kExitConfig;
  }
  if (!bind_to_master(static_cast<pid_t>(memory.header().master_pid))) return 1;
  close_on_exec_above_stderr();

  // A pipe: co-process that is slow to start must not keep a stopping worker.
  // The master's block for this worker, where the master asks it to stop.
  const shm::MasterBlock& stop_block = memory.block(id);
  std::unique_ptr<HandlerRunner> runner;
  try {
    runner = make_handler_runner(settings->handler,
                                 {.task_timeout = settings->task_timeout,
                                  .pipe_start_timeout = settings->pipe_start_timeout,
                                  .stop_grace = co_process_grace(settings->max_wait),
                                  .max_part_bytes = memory.layout().result_capacity,
                                  .stop_requested = [&stop_block] {
                                    return stop_block.stop.load(std::memory_order_acquire) != 0;
                                  }});
  } catch (const std::exception& e) {
    spdlog::error("cannot load handler '{}': {}", settings->handler, e.what());
    return shm::kExitConfig;
  }
  if (const int status = runner->worker_start(id); status != 0) {
    spdlog::error("the handler's worker start refused to start (status {})", status);
    return shm::kExitConfig;
  }

  WorkerLoop loop(memory, own, id, *runner, settings->max_request);
  own.state().ready.store(1, std::memory_order_release);
  loop.notify_master();
  spdlog::debug("ready: handler {}", settings->handler);
  loop.run();
  runner->worker_stop(id);
  spdlog::debug("stopped at the master's request");
  return 0;
}

}  // namespace

bool is_worker_process(int /*argc*/, char** /*argv*/) {
  return std::getenv(shm::kWorkerEnv) != nullptr;
}

int worker_main(int /*argc*/, char** /*argv*/) {
  const auto id = parse_id(std::getenv(shm::kWorkerEnv));
  // Handlers and the commands they start must not believe they are workers.
  ::unsetenv(shm::kWorkerEnv);
  if (!id) {
    std::fprintf(stderr, "tasqd worker: %s is not a worker id\n", shm::kWorkerEnv);
    return shm::kExitConfig;
  }
  try {
    return run(*id);
  } catch (const std::exception& e) {
    // Before logging is set up (no shared memory): stderr is all there is.
    std::fprintf(stderr, "tasqd worker %u: %s\n", *id, e.what());
    return shm::kExitConfig;
  }
}

}  // namespace tasq::taskpool
