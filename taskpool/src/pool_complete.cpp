// Completions out of the ring: each end of a task attempt reaches the master
// exactly once, here, and turns into counters, a retry or a dead letter, the
// plugin's finish hook and on_task_end (the server's door for task ends, which
// logs it) — all on the reactor thread.

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "futex.h"
#include "pool_impl.h"

namespace tasq::taskpool {

void Pool::Impl::arm_notify() {
  notify_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [this](const boost::system::error_code& ec) {
                       if (ec == boost::asio::error::operation_aborted) return;  // pool gone
                       if (ec) {
                         spdlog::error("waiting on the workers' eventfd: {}", ec.message());
                         return;
                       }
                       on_notify();
                     });
}

void Pool::Impl::on_notify() {
  std::uint64_t count = 0;
  if (::read(notify_.native_handle(), &count, sizeof(count)) < 0 && errno != EAGAIN &&
      errno != EINTR) {
    spdlog::error("read(eventfd) from the workers: {}", std::strerror(errno));
  }
  drain();
  check_replacement_ready();
  recycle_retired();
  check_drained();
  if (phase_ != Phase::done) arm_notify();
}

void Pool::Impl::drain() {
  // Clear before reading: a worker that publishes after this either is seen
  // below or finds the flag clear and writes the eventfd again.
  memory_.header().master_notified.store(0, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (std::uint32_t id = 0; id < slots_.size(); ++id) {
    scratch_heads_[id] = block(id).done_head.load(std::memory_order_acquire);
  }
  // A worker claims before it completes, so every task completed up to these
  // heads has a claim the sweep can see: take them into the books first.
  sweep();
  for (std::uint32_t id = 0; id < slots_.size(); ++id) drain_worker(id, scratch_heads_[id]);
  publish_backlog();
  if (published_since_flush_ > 0) schedule_flush();
  notify_space_freed();
}

void Pool::Impl::notify_space_freed() {
  const bool wanted = space_freed_ && space_wanted_;
  space_freed_ = false;
  if (!wanted) return;
  space_wanted_ = false;
  if (owner_.on_space_freed) owner_.on_space_freed();
}

void Pool::Impl::drain_worker(std::uint32_t worker, std::uint64_t head) {
  const auto result = readers_[worker].drain(
      head, [this, worker](const Completion& completion) { on_completion(worker, completion); });
  if (result == CompletionReader::Result::corrupt) {
    spdlog::error("task worker {} wrote an unreadable completion record", worker);
    kill_worker(worker, "its completion ring was corrupt");
  }
  // Pairs with the worker's fence between announcing that it waits for room
  // and looking at the tail once more.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  std::atomic<std::uint32_t>& wake = block(worker).wake;
  std::uint32_t expected = shm::kWaitingForRoom;
  if (wake.load(std::memory_order_relaxed) == expected &&
      wake.compare_exchange_strong(expected, shm::kRunning, std::memory_order_acq_rel)) {
    futex_wake(wake, 1);
  }
}

void Pool::Impl::on_completion(std::uint32_t worker, const Completion& completion) {
  WorkerSlot& slot = *slots_[worker];
  // A worker completes in the order it claims, so this is nearly always the front.
  auto held = std::find(slot.held.begin(), slot.held.end(), completion.record);
  if (held == slot.held.end()) {
    // Claims are swept in order; one the sweep has not reached yet is found here.
    dispatch_->reclaim(worker,
                       [this](std::uint32_t w, std::uint64_t offset) { take_claim(w, offset); });
    held = std::find(slot.held.begin(), slot.held.end(), completion.record);
  }
  if (held == slot.held.end() || record(completion.record).id != completion.task_id) {
    spdlog::error("task worker {} reported task {}, which it does not hold; ignored", worker,
                  completion.task_id);
    return;
  }
  slot.held.erase(held);
  --counters_.in_flight;
  ++slot.tasks;
  if (completion.status == 0) {
    complete_task(completion.record, completion.result, completion.started_ns);
  } else {
    fail_task(completion.record, completion.status, completion.reason, completion.started_ns);
  }
}

void Pool::Impl::complete_task(std::uint64_t offset, std::string_view result,
                               std::int64_t started_ns) {
  ++counters_.completed;
  emit(record(offset), TASQ_COMPLETED, 0, result, {}, started_ns);
  release_task(offset);
}

void Pool::Impl::fail_task(std::uint64_t offset, int status, std::string_view reason,
                           std::int64_t started_ns) {
  shm::TaskRecord& task = record(offset);
  ++counters_.failed;
  if (task.attempt < std::max(config_.task_retry, 1u)) {
    ++counters_.retried;
    emit(task, TASQ_FAILED, status, {}, reason, started_ns);
    ++task.attempt;
    enqueue(offset, true);
    schedule_flush();
    return;
  }
  ++counters_.dead;
  spdlog::warn("task {} of queue '{}' dead-lettered after {} attempt(s): {}", task.id,
               std::string_view(task.queue(), task.queue_len), task.attempt, reason);
  emit(task, TASQ_DEAD, status, {}, reason, started_ns);
  release_task(offset);
}

void Pool::Impl::emit(const shm::TaskRecord& task, tasq_outcome outcome, int status,
                      std::string_view result, std::string_view reason, std::int64_t started_ns) {
  const std::string_view queue(task.queue(), task.queue_len);
  reason_buffer_.assign(reason);
  const tasq_finish_info info{.id = task.id,
                              .queue = queue.data(),
                              .queue_len = queue.size(),
                              .attempt = task.attempt,
                              .outcome = outcome,
                              .status = status,
                              .result = outcome == TASQ_COMPLETED ? result.data() : nullptr,
                              .result_len = outcome == TASQ_COMPLETED ? result.size() : 0,
                              .reason = reason_buffer_.c_str()};
  finish_hook_->call(info);
  if (owner_.on_task_end) {
    using std::chrono::nanoseconds;
    const Clock::time_point ended = Clock::now();
    const Clock::time_point enqueued =
        std::min(Clock::time_point(nanoseconds(task.enqueued_ns)), ended);
    // The worker's word for its start, kept within what the master knows.
    const Clock::time_point started =
        started_ns == 0 ? ended
                        : std::clamp(Clock::time_point(nanoseconds(started_ns)), enqueued, ended);
    owner_.on_task_end(TaskEnd{.id = task.id,
                               .queue = queue,
                               .attempt = task.attempt,
                               .outcome = outcome,
                               .status = status,
                               .result = result,
                               .reason = reason,
                               .payload = {task.payload(), task.payload_len},
                               .enqueued = enqueued,
                               .started = started,
                               .ended = ended});
  }
}

void Pool::Impl::release_task(std::uint64_t offset) {
  QueueEntry& entry = entry_of(record(offset));
  if (config_.dispatch_mode == DispatchMode::key) pass_turn(entry.second);
  // Held tasks count as live, so an entry that goes holds none.
  if (--entry.second.live == 0) {
    if (auto it = queues_.find(entry.first); it != queues_.end()) queues_.erase(it);
  }
  arena_->free(offset);
  space_freed_ = true;
}

}  // namespace tasq::taskpool
