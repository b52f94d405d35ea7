// The Pool facade, and the Impl's set-up, teardown and read-only views.

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "descendants.h"
#include "handler_factory.h"
#include "pool_impl.h"
#include "worker_settings.h"

namespace tasq::taskpool {

std::string_view to_string(WorkerState state) {
  switch (state) {
    case WorkerState::starting:
      return "starting";
    case WorkerState::idle:
      return "idle";
    case WorkerState::busy:
      return "busy";
    case WorkerState::stopping:
      return "stopping";
    case WorkerState::dead:
      return "dead";
  }
  return "dead";
}

// ---- Impl: life --------------------------------------------------------------

Pool::Impl::Impl(boost::asio::io_context& io, PoolConfig config, Pool& owner)
    : io_(io),
      owner_(owner),
      config_(std::move(config)),
      sigchld_(io),
      timeout_timer_(io),
      shutdown_timer_(io),
      revoke_timer_(io) {}

Pool::Impl::~Impl() {
  alive_.reset();
  for (auto& slot : slots_) {
    if (slot->pid <= 0) continue;
    ::kill(slot->pid, SIGKILL);
    while (::waitpid(slot->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    slot->pid = 0;
  }
  if (!started_) return;
  // What the workers' handlers left behind goes with them. A killed process
  // hands its own children to the master, hence the few rounds.
  for (int round = 0; round < 4; ++round) {
    const std::vector<pid_t> children = list_children();
    if (children.empty()) break;
    for (pid_t pid : children) kill_child_and_group(pid);
    for (pid_t pid : children) {
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
}

void Pool::Impl::check_config() const {
  if (config_.worker_count == 0 || config_.worker_count > shm::kMaxWorkers) {
    throw std::invalid_argument("task_worker_num must be 1.." + std::to_string(shm::kMaxWorkers));
  }
  if (config_.max_payload_bytes == 0 || config_.max_payload_bytes > (1u << 30)) {
    throw std::invalid_argument("package_max_length must be 1 byte .. 1g");
  }
  // One largest task must always fit an empty ring, bookkeeping included.
  if (config_.ring_bytes < config_.max_payload_bytes + 64 * 1024) {
    throw std::invalid_argument("ring_size must exceed package_max_length by at least 64k");
  }
  if (config_.worker_exe.empty() || ::access(config_.worker_exe.c_str(), X_OK) != 0) {
    throw std::invalid_argument("worker executable '" + config_.worker_exe +
                                "' is not an executable file");
  }
}

// Workers load a plugin inside their chroot; the master, outside it, finds
// the same file under the chroot directory.
std::string Pool::Impl::finish_hook_spec() const {
  if (config_.chroot.empty()) return config_.handler;
  const handlers::Spec spec = handlers::parse_spec(config_.handler);
  if (spec.kind != handlers::Kind::plugin) return config_.handler;
  const std::filesystem::path path(spec.argument);
  if (!path.is_absolute()) return config_.handler;
  return (std::filesystem::path(config_.chroot) / path.relative_path()).string();
}

void Pool::Impl::start() {
  if (started_) return;
  check_config();
  finish_hook_ = std::make_unique<FinishHook>(finish_hook_spec());
  // So that what a dead worker's handler started comes to the master, to be
  // killed, rather than to init, to run on beside the task's next attempt.
  become_subreaper();

  const std::string settings = encode(WorkerSettings{.handler = config_.handler,
                                                     .user = config_.user,
                                                     .group = config_.group,
                                                     .chroot = config_.chroot,
                                                     .log_level = config_.log_level,
                                                     .log_file = config_.log_file,
                                                     .task_timeout = config_.task_timeout,
                                                     .max_request = config_.max_request,
                                                     .pipe_start_timeout = config_.pipe_start_timeout,
                                                     .max_wait = config_.max_wait,
                                                     .sched_batch = config_.sched_batch});
  memory_ = SharedMemory::create({.worker_count = config_.worker_count,
                                  .arena_bytes = config_.ring_bytes,
                                  .result_capacity = config_.max_payload_bytes,
                                  .settings = settings},
                                 ::getpid());
  layout_ = memory_.layout();
  arena_ = std::make_unique<PayloadArena>(memory_.arena(), layout_.arena_bytes);
  for (std::uint32_t id = 0; id < config_.worker_count; ++id) {
    auto slot = std::make_unique<WorkerSlot>(io_, id);
    slot->queue.emplace(memory_.block(id), memory_.queue(id), layout_.queue_slots);
    // One channel per worker: a worker can wake the master, and only for itself.
    const int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) throw std::system_error(errno, std::generic_category(), "eventfd()");
    slot->notify.assign(efd);
    slots_.push_back(std::move(slot));
  }
  for (auto& slot : slots_) arm_notify(*slot);
  scratch_heads_.resize(config_.worker_count);
  sigchld_.add(SIGCHLD);
  arm_sigchld();
  arm_timeout_check();
  started_ = true;
  for (std::uint32_t id = 0; id < config_.worker_count; ++id) spawn(id);
  spdlog::debug("task pool: {} worker(s), {} bytes of ring, {} task slots per worker",
                config_.worker_count, layout_.arena_bytes, layout_.queue_slots);
}

void Pool::Impl::post(std::function<void()> fn) {
  boost::asio::post(io_, [alive = std::weak_ptr<int>(alive_), fn = std::move(fn)] {
    if (alive.lock()) fn();
  });
}

// Handles are reused oldest first: tasks mostly end in the order they came,
// so the table is walked in order, which the cache's prefetching likes.
std::uint32_t Pool::Impl::new_task(const Task& task) {
  if (free_tasks_.empty()) {
    tasks_.push_back(task);
    return static_cast<std::uint32_t>(tasks_.size() - 1);
  }
  const std::uint32_t handle = free_tasks_.front();
  free_tasks_.pop_front();
  tasks_[handle] = task;
  return handle;
}

void Pool::Impl::free_task(std::uint32_t handle) {
  tasks_[handle].queue = nullptr;
  free_tasks_.push_back(handle);
}

std::string_view Pool::Impl::payload_of(const Task& task) const {
  const char* record = arena_->at(task.offset);
  return {record + sizeof(shm::TaskRecord) + task.queue->first.size(), task.payload_len};
}

// ---- Impl: views ---------------------------------------------------------------

std::uint64_t Pool::Impl::pending(std::string_view queue) {
  if (!started_) return 0;
  observe_claims();
  auto it = queues_.find(queue);
  return it == queues_.end() ? 0 : it->second.pending;
}

std::uint64_t Pool::Impl::in_flight(std::string_view queue) {
  if (!started_) return 0;
  observe_claims();
  auto it = queues_.find(queue);
  return it == queues_.end() ? 0 : it->second.live - it->second.pending;
}

PoolStats Pool::Impl::stats() {
  if (started_) observe_claims();
  PoolStats stats = counters_;
  for (const auto& slot : slots_) stats.workers_alive += slot->pid > 0 ? 1 : 0;
  stats.ring_bytes = arena_ ? arena_->capacity() : config_.ring_bytes;
  stats.ring_used = arena_ ? arena_->used() : 0;
  return stats;
}

std::vector<WorkerInfo> Pool::Impl::workers() const {
  std::vector<WorkerInfo> out;
  out.reserve(slots_.size());
  for (const auto& slot : slots_) {
    WorkerState state = WorkerState::dead;
    if (slot->pid > 0) {
      // What the worker says of itself: only shown, never acted upon.
      const shm::WorkerState& w = slot->region.state();
      if (slot->stopping || slot->corrupt || w.retiring.load(std::memory_order_relaxed) != 0) {
        state = WorkerState::stopping;
      } else if (w.ready.load(std::memory_order_acquire) == 0) {
        state = WorkerState::starting;
      } else {
        state = w.current_task.load(std::memory_order_relaxed) != 0 ? WorkerState::busy
                                                                    : WorkerState::idle;
      }
    }
    out.push_back({.id = slot->id,
                   .pid = slot->pid,
                   .state = state,
                   .tasks = slot->tasks,
                   .started = slot->started,
                   .restarts = slot->restarts});
  }
  return out;
}

// ---- the facade ----------------------------------------------------------------

Pool::Pool(boost::asio::io_context& io, PoolConfig config)
    : impl_(std::make_unique<Impl>(io, std::move(config), *this)) {}

Pool::~Pool() = default;

void Pool::start() { impl_->start(); }

std::uint64_t Pool::push(std::string_view queue, std::span<const std::string_view> payloads) {
  return impl_->push(queue, payloads);
}

bool Pool::push_known(std::string_view queue, std::uint64_t id, std::uint32_t attempt,
                      std::string_view payload) {
  return impl_->push_known(queue, id, attempt, payload);
}

std::uint64_t Pool::reserve_ids(std::uint64_t count) { return impl_->reserve_ids(count); }

void Pool::continue_ids_after(std::uint64_t highest) { impl_->continue_ids_after(highest); }

std::uint64_t Pool::pending(std::string_view queue) const { return impl_->pending(queue); }

std::uint64_t Pool::in_flight(std::string_view queue) const { return impl_->in_flight(queue); }

bool Pool::reload() { return impl_->reload(); }

void Pool::shutdown(std::function<void()> done) { impl_->shutdown(std::move(done)); }

PoolStats Pool::stats() const { return impl_->stats(); }

std::vector<WorkerInfo> Pool::workers() const { return impl_->workers(); }


}  // namespace tasq::taskpool
