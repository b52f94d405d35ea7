// Supervision: starting workers, reaping them on SIGCHLD, requeueing what a
// dead one held, respawning with back-off, and the task_timeout backstop.

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

long long ms(Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

}  // namespace

void Pool::Impl::spawn(std::uint32_t worker) {
  WorkerSlot& slot = *slots_[worker];
  shm::WorkerBlock& b = block(worker);
  b.wake.store(shm::kRunning, std::memory_order_relaxed);
  b.ready.store(0, std::memory_order_relaxed);
  b.retiring.store(0, std::memory_order_relaxed);
  b.current_task.store(0, std::memory_order_relaxed);
  b.busy_since_ns.store(0, std::memory_order_relaxed);
  b.stop.store(0, std::memory_order_release);
  slot.stopping = false;
  slot.kill_reason.clear();
  slot.tasks = 0;

  std::vector<std::string> argv{"tasqd: task worker " + std::to_string(worker)};
  argv.insert(argv.end(), config_.worker_args.begin(), config_.worker_args.end());
  io_.notify_fork(boost::asio::execution_context::fork_prepare);
  const pid_t pid = spawn_worker({.exe = config_.worker_exe,
                                  .argv = std::move(argv),
                                  .worker_id = worker,
                                  .notify_fd = notify_.native_handle(),
                                  .memory_fd = memory_.fd()});
  io_.notify_fork(boost::asio::execution_context::fork_parent);
  if (pid < 0) {
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

// Reaps only our own workers, by pid: the process may have other children.
void Pool::Impl::on_sigchld() {
  for (const auto& slot : slots_) {
    if (slot->pid <= 0) continue;
    int status = 0;
    const pid_t reaped = ::waitpid(slot->pid, &status, WNOHANG);
    if (reaped == slot->pid) {
      on_worker_exit(slot->id, status);
    } else if (reaped < 0 && errno == ECHILD) {
      spdlog::error("waitpid({}) for task worker {}: someone else reaped it", slot->pid, slot->id);
      on_worker_exit(slot->id, W_EXITCODE(255, 0));
    }
  }
}

void Pool::Impl::on_worker_exit(std::uint32_t worker, int wait_status) {
  WorkerSlot& slot = *slots_[worker];
  const pid_t pid = slot.pid;
  const Clock::duration lived = Clock::now() - slot.started;
  slot.pid = 0;
  slot.stop_timer.cancel();
  const bool clean = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;

  // What it published counts; what it still held died with it. The drain also
  // clears master_notified, which a worker killed mid-notify may have left set.
  drain();
  dispatch_->reclaim(worker,
                     [this](std::uint32_t w, std::uint64_t offset) { take_claim(w, offset); });

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
                 ms(lived), slot.held.size(),
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
  fail_held_tasks(slot, why);
  if (!on_replaced_exit(slot, clean)) respawn_after_crash(slot, wait_status, lived);
  notify_space_freed();
  check_drained();
}

void Pool::Impl::fail_held_tasks(WorkerSlot& slot, const std::string& why) {
  std::deque<std::uint64_t> held;
  held.swap(slot.held);
  for (std::uint64_t offset : held) {
    --counters_.in_flight;
    if (phase_ == Phase::stopping || phase_ == Phase::done) {
      // Stopped by the shutdown, not failed: no attempt is used up and no end
      // is reported, so a journal keeps the task for the next start.
      const shm::TaskRecord& task = record(offset);
      spdlog::warn("task {} of queue '{}' interrupted by the shutdown ({})", task.id,
                   std::string_view(task.queue(), task.queue_len), why);
      ++counters_.pending;
      continue;
    }
    // A worker that died running this task published when it started.
    const shm::WorkerBlock& b = block(slot.id);
    const bool running = b.current_task.load(std::memory_order_acquire) == record(offset).id;
    fail_task(offset, -1, why, running ? b.busy_since_ns.load(std::memory_order_relaxed) : 0);
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

void Pool::Impl::check_timeouts() {
  const auto limit = config_.task_timeout + milliseconds(500) + config_.task_timeout / 10;
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  for (const auto& slot : slots_) {
    if (slot->pid <= 0 || !slot->kill_reason.empty()) continue;
    const shm::WorkerBlock& b = block(slot->id);
    // current_task is stored after busy_since, with release: a new id brings its start time.
    const std::uint64_t task = b.current_task.load(std::memory_order_acquire);
    if (task == 0) continue;
    const std::int64_t since = b.busy_since_ns.load(std::memory_order_relaxed);
    if (std::chrono::nanoseconds(now - since) > limit) {
      kill_worker(slot->id, fmt::format("timeout: task {} ran past task_timeout ({} ms)", task,
                                        config_.task_timeout.count()));
    }
  }
}

}  // namespace tasq::taskpool
