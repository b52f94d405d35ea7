// Supervision: starting workers, reaping them on SIGCHLD, requeueing what a
// dead one held, respawning with back-off, and the task_timeout backstop.

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include "descendants.h"
#include "pool_impl.h"
#include "process_status.h"
#include "worker_spawn.h"

namespace tasq::taskpool {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinBackoff{100};
constexpr milliseconds kMaxBackoff{10'000};
/// A worker that dies sooner than this after its start, having ended no task,
/// is crash-looping.
constexpr auto kShortLife = std::chrono::seconds(1);
/// The reason its tasks are retried with when a worker was caught writing
/// nonsense into its shared memory.
constexpr const char* kCorruptedReason = "worker corrupted shared memory";

long long ms(Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

}  // namespace

void Pool::Impl::spawn(std::uint32_t worker) {
  WorkerSlot& slot = *slots_[worker];
  // A fresh region for every process: nothing a dead one wrote, or a process
  // it left behind could still write, reaches its successor.
  try {
    slot.region = WorkerRegion::create(layout_);
  } catch (const std::exception& e) {
    spdlog::error("shared memory for task worker {}: {}", worker, e.what());
    slot.backoff = std::clamp(slot.backoff * 2, kMinBackoff, kMaxBackoff);
    schedule_respawn(worker, slot.backoff);
    return;
  }
  shm::MasterBlock& b = block(worker);
  slot.wake = 0;
  b.wake.store(0, std::memory_order_relaxed);
  b.stop.store(0, std::memory_order_relaxed);
  slot.queue->reset(&slot.region.state());
  slot.reader.reset(&slot.region.state(), &b, slot.region.ring(), slot.region.ring_bytes());
  slot.stopping = false;
  slot.corrupt = false;
  slot.kill_reason.clear();
  slot.revoke_since.reset();
  slot.timed_position = ~std::uint64_t{0};
  slot.tasks = 0;

  std::vector<std::string> argv{"tasqd: task worker " + std::to_string(worker)};
  argv.insert(argv.end(), config_.worker_args.begin(), config_.worker_args.end());
  io_.notify_fork(boost::asio::execution_context::fork_prepare);
  const pid_t pid = spawn_worker({.exe = config_.worker_exe,
                                  .argv = std::move(argv),
                                  .worker_id = worker,
                                  .notify_fd = slot.notify.native_handle(),
                                  .memory_fd = memory_.fd(),
                                  .worker_memory_fd = slot.region.fd()});
  io_.notify_fork(boost::asio::execution_context::fork_parent);
  // The worker has its own descriptor now; the master keeps its mapping.
  slot.region.close_fd();
  if (pid < 0) {
    slot.queue->abandon([](std::uint32_t) {}, [](std::uint32_t) {});
    slot.reader.reset(nullptr, nullptr, nullptr, 0);
    slot.region = WorkerRegion();
    slot.backoff = std::clamp(slot.backoff * 2, kMinBackoff, kMaxBackoff);
    schedule_respawn(worker, slot.backoff);
    return;
  }
  slot.pid = pid;
  slot.started = Clock::now();
  spdlog::debug("task worker {} started (pid {})", worker, pid);
}

void Pool::Impl::schedule_respawn(std::uint32_t worker, milliseconds delay) {
  if (delay.count() == 0) {
    spawn(worker);
    return;
  }
  WorkerSlot& slot = *slots_[worker];
  slot.respawn_timer.expires_after(delay);
  slot.respawn_timer.async_wait([this, worker](const boost::system::error_code& ec) {
    if (ec) return;
    const bool wanted = phase_ == Phase::running || phase_ == Phase::draining;
    if (wanted && slots_[worker]->pid == 0) spawn(worker);
  });
}

void Pool::Impl::arm_sigchld() {
  sigchld_.async_wait([this](const boost::system::error_code& ec, int /*signo*/) {
    if (ec) return;
    on_sigchld();
    if (phase_ != Phase::done) arm_sigchld();
  });
}

// The master is a subreaper: besides its workers, every process a worker's
// handler started and left behind ends up its child. All are reaped here;
// only a worker's pid counts as a worker's exit.
void Pool::Impl::on_sigchld() {
  bool orphans_died = false;
  for (;;) {
    int status = 0;
    const pid_t reaped = ::waitpid(-1, &status, WNOHANG);
    if (reaped < 0 && errno == EINTR) continue;
    if (reaped <= 0) {
      if (reaped < 0 && errno != ECHILD) {
        spdlog::error("waitpid(-1) for task workers: {}", std::strerror(errno));
      }
      break;
    }
    if (WorkerSlot* slot = slot_of(reaped)) {
      on_worker_exit(slot->id, status);
    } else {
      orphans_died = true;
      spdlog::debug("reaped process {} left behind by a task worker ({})", reaped,
                    describe_wait_status(status, SignalName::with_name));
    }
  }
  // A process that dies hands its own children to the master: kill them too.
  if (orphans_died) kill_orphans();
  for (const auto& slot : slots_) {
    if (slot->pid > 0 && ::waitpid(slot->pid, nullptr, WNOHANG) < 0 && errno == ECHILD) {
      spdlog::error("waitpid({}) for task worker {}: someone else reaped it", slot->pid, slot->id);
      on_worker_exit(slot->id, W_EXITCODE(255, 0));
    }
  }
}

WorkerSlot* Pool::Impl::slot_of(pid_t pid) const {
  for (const auto& slot : slots_) {
    if (slot->pid == pid) return slot.get();
  }
  return nullptr;
}

void Pool::Impl::kill_orphans() {
  std::size_t killed = 0;
  for (pid_t pid : list_children()) {
    if (slot_of(pid) == nullptr && kill_child_and_group(pid)) ++killed;
  }
  if (killed > 0) {
    spdlog::info("killed {} process group(s) left behind by task workers", killed);
  }
}

void Pool::Impl::on_worker_exit(std::uint32_t worker, int wait_status) {
  WorkerSlot& slot = *slots_[worker];
  const pid_t pid = slot.pid;
  const Clock::duration lived = Clock::now() - slot.started;
  slot.pid = 0;
  slot.stop_timer.cancel();
  const bool clean = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
  // Whatever its handler still ran dies before any of its tasks runs again.
  kill_orphans();

  // What it published counts (unless it was caught lying: then nothing more
  // of its region is read); what it still held died with it; what it never
  // took goes back to the backlog, its attempt not used up.
  if (!slot.corrupt) drain();
  // The task it died running said when it started (a claim, for reports).
  std::uint64_t running_id = 0;
  std::int64_t running_since = 0;
  if (!slot.corrupt && slot.region.mapped()) {
    running_id = slot.region.state().current_task.load(std::memory_order_acquire);
    running_since = slot.region.state().busy_since_ns.load(std::memory_order_relaxed);
  }
  std::vector<std::pair<std::uint32_t, std::int64_t>> held;
  scratch_handles_.clear();
  slot.queue->abandon(
      [&](std::uint32_t handle) {
        held.emplace_back(handle, tasks_[handle].id == running_id ? running_since : 0);
      },
      [this](std::uint32_t handle) { scratch_handles_.push_back(handle); });
  for (auto it = scratch_handles_.rbegin(); it != scratch_handles_.rend(); ++it) {
    backlog_.push_front(*it);
  }
  slot.reader.reset(nullptr, nullptr, nullptr, 0);
  slot.region = WorkerRegion();

  const std::string how = describe_wait_status(wait_status, SignalName::with_name);
  if (slot.stopping && clean) {
    spdlog::debug("task worker {} (pid {}) stopped", worker, pid);
  } else if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == shm::kExitConfig) {
    spdlog::error(
        "task worker {} (pid {}) could not start with its settings (exit code {}; its "
        "log says why)",
        worker, pid, shm::kExitConfig);
  } else {
    spdlog::warn("task worker {} (pid {}) {} after {} ms, holding {} task(s){}", worker, pid, how,
                 ms(lived), held.size(),
                 slot.kill_reason.empty() ? "" : "; killed because " + slot.kill_reason);
  }

  if (phase_ == Phase::stopping || phase_ == Phase::done) {
    // Shutdown: nothing restarts; tasks it held stay unfinished (counted).
    const bool all_gone =
        std::all_of(slots_.begin(), slots_.end(), [](const auto& s) { return s->pid <= 0; });
    if (all_gone) finish_shutdown();
    return;
  }
  const std::string why = slot.kill_reason.empty()
                              ? fmt::format("worker {} (pid {}) {}", worker, pid, how)
                              : slot.kill_reason;
  fail_held_tasks(held, why);
  if (!on_replaced_exit(slot, clean)) respawn_after_crash(slot, wait_status, lived);
  schedule_flush();
  notify_space_freed();
  check_drained();
}

void Pool::Impl::fail_held_tasks(const std::vector<std::pair<std::uint32_t, std::int64_t>>& held,
                                 const std::string& why) {
  const Clock::time_point now = Clock::now();  // one reading for them all, as a drain does
  for (const auto& [handle, started_ns] : held) {
    --counters_.in_flight;
    if (phase_ == Phase::stopping || phase_ == Phase::done) {
      // Stopped by the shutdown, not failed: no attempt is used up and no end
      // is reported, so a journal keeps the task for the next start.
      const Task& task = tasks_[handle];
      spdlog::warn("task {} of queue '{}' interrupted by the shutdown ({})", task.id,
                   task.queue->first, why);
      ++counters_.pending;
      ++task.queue->second.pending;
      continue;
    }
    fail_task(handle, -1, why, started_ns, now);
  }
}

void Pool::Impl::worker_corrupted(WorkerSlot& slot, std::string_view what) {
  if (slot.corrupt) return;
  spdlog::error("task worker {} corrupted its shared memory: {}; killing it", slot.id, what);
  slot.corrupt = true;
  slot.revoke_since.reset();
  if (slot.pid > 0) {
    kill_worker(slot.id, kCorruptedReason);
  } else if (slot.kill_reason.empty()) {
    slot.kill_reason = kCorruptedReason;  // caught in its last words
  }
}

void Pool::Impl::respawn_after_crash(WorkerSlot& slot, int wait_status, Clock::duration lived) {
  ++slot.restarts;
  ++counters_.worker_restarts;
  const bool config_error = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == shm::kExitConfig;
  // Crash-looping: it cannot start, or died soon after its start before it
  // ended a single task. One that had been working restarts at once: if a
  // task kills it, that task's retries and dead letter bound the damage.
  if (config_error || (lived < kShortLife && slot.tasks == 0)) {
    slot.backoff = std::clamp(slot.backoff * 2, kMinBackoff, kMaxBackoff);
    spdlog::warn("task worker {} restarts in {} ms (it keeps dying: backing off)", slot.id,
                 slot.backoff.count());
  } else {
    slot.backoff = milliseconds(0);
  }
  schedule_respawn(slot.id, slot.backoff);
}

void Pool::Impl::kill_worker(std::uint32_t worker, std::string reason) {
  WorkerSlot& slot = *slots_[worker];
  if (slot.pid <= 0) return;
  spdlog::warn("killing task worker {} (pid {}): {}", worker, slot.pid, reason);
  if (slot.kill_reason.empty()) slot.kill_reason = std::move(reason);
  if (::kill(slot.pid, SIGKILL) != 0) {
    spdlog::error("kill({}, SIGKILL) of task worker {}: {}", slot.pid, worker,
                  std::strerror(errno));
  }
}

// The exec handler enforces task_timeout itself; this catches every other
// handler (a plugin stuck in a loop) and an exec runner that did not.
void Pool::Impl::arm_timeout_check() {
  if (config_.task_timeout.count() <= 0 || phase_ == Phase::done) return;
  timeout_timer_.expires_after(
      std::clamp(config_.task_timeout / 4, milliseconds(20), milliseconds(1000)));
  timeout_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    check_timeouts();
    arm_timeout_check();
  });
}

// The clock is the master's own: a task counts as running from the first
// time the master saw it taken (or its predecessor completed), which is never
// before it really started. A worker cannot hide a task from it.
void Pool::Impl::check_timeouts() {
  const auto limit = config_.task_timeout + milliseconds(500) + config_.task_timeout / 10;
  const auto now = Clock::now();
  observe_claims();
  for (const auto& slot : slots_) {
    if (slot->pid <= 0 || !slot->kill_reason.empty()) continue;
    const auto running = slot->queue->oldest_running();
    if (!running) {
      slot->timed_position = ~std::uint64_t{0};
      continue;
    }
    if (slot->timed_position != slot->queue->completed()) {
      slot->timed_position = slot->queue->completed();
      slot->running_since = now;
    } else if (now - slot->running_since > limit) {
      kill_worker(slot->id, fmt::format("timeout: task {} ran past task_timeout ({} ms)",
                                        tasks_[*running].id, config_.task_timeout.count()));
    }
  }
}

}  // namespace tasq::taskpool
