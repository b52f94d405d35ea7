// Completions out of the ring: each end of a task attempt reaches the master
// exactly once, here, and turns into counters, a retry or a dead letter, the
// plugin's finish hook and on_task_end (the server's door for task ends, which
// logs it) — all on the reactor thread.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/buffer.hpp>

#include "futex.h"
#include "pool_impl.h"

namespace tasq::taskpool {

// A read, not a wait for readable: Asio tries a read at once (a worker may
// have written while the master drained) and re-arms nothing in epoll, where
// a wait costs an epoll_ctl each time it is started.
void Pool::Impl::arm_notify(WorkerSlot& slot) {
  slot.notify.async_read_some(boost::asio::buffer(&slot.notify_count, sizeof(slot.notify_count)),
                              [this, &slot](const boost::system::error_code& ec, std::size_t) {
                                if (ec == boost::asio::error::operation_aborted)
                                  return;  // pool gone
                                if (ec) {
                                  spdlog::error("reading task worker {}'s eventfd: {}", slot.id,
                                                ec.message());
                                  return;
                                }
                                on_notify(slot);
                              });
}

void Pool::Impl::on_notify(WorkerSlot& slot) {
  drain();
  check_replacement_ready();
  recycle_retired();
  check_drained();
  if (phase_ != Phase::done) arm_notify(slot);
}

void Pool::Impl::drain() {
  // Say "looking now" before looking: a worker that publishes after this
  // either is seen below or sees the new value and writes its eventfd again.
  memory_.header().drain_seq.store(++drain_seq_, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (const auto& slot : slots_) {
    scratch_heads_[slot->id] = readable(*slot) ? slot->reader.load_head() : 0;
  }
  // One reading of the clock for the whole drain: per end it was a visible
  // part of the master's time at hundreds of thousands of ends a second.
  const Clock::time_point now = Clock::now();
  // A worker takes before it completes, so every task completed up to these
  // heads is in a claim read after them: take those into the books first.
  observe_claims();
  for (auto& slot : slots_) {
    if (readable(*slot)) drain_worker(*slot, scratch_heads_[slot->id], now);
  }
  // Completions freed room in the workers' queues, and perhaps a queue's turn.
  schedule_flush();
  notify_space_freed();
}

void Pool::Impl::notify_space_freed() {
  const bool wanted = space_freed_ && space_wanted_;
  space_freed_ = false;
  if (!wanted) return;
  space_wanted_ = false;
  if (owner_.on_space_freed) owner_.on_space_freed();
}

void Pool::Impl::drain_worker(WorkerSlot& slot, std::uint64_t head, Clock::time_point now) {
  const auto result = slot.reader.drain(head, [this, &slot, now](const Completion& completion) {
    return on_completion(slot, completion, now);
  });
  if (result == CompletionReader::Result::corrupt) {
    worker_corrupted(slot, "its completion ring holds a record it could not have written");
    return;
  }
  wake_if_waiting(slot, shm::kWaitingForRoom);
}

bool Pool::Impl::on_completion(WorkerSlot& slot, const Completion& completion,
                               Clock::time_point now) {
  // A worker runs its tasks in the order it takes them: this must be the
  // oldest it holds, at the position and with the id the master gave it.
  const auto handle = slot.queue->complete(
      completion.position, [&](std::uint32_t h) { return tasks_[h].id == completion.task_id; });
  if (!handle) {
    spdlog::error(
        "task worker {} reported task {} at position {}, which it was not given to run now",
        slot.id, completion.task_id, completion.position);
    return false;
  }
  --counters_.in_flight;
  ++slot.tasks;
  if (completion.status == 0) {
    complete_task(*handle, completion.result, completion.started_ns, now);
  } else {
    fail_task(*handle, completion.status, completion.reason, completion.started_ns, now);
  }
  return true;
}

void Pool::Impl::complete_task(std::uint32_t handle, std::string_view result,
                               std::int64_t started_ns, Clock::time_point ended) {
  ++counters_.completed;
  emit(tasks_[handle], TASQ_COMPLETED, 0, result, {}, started_ns, ended);
  release_task(handle);
}

void Pool::Impl::fail_task(std::uint32_t handle, int status, std::string_view reason,
                           std::int64_t started_ns, Clock::time_point ended) {
  Task& task = tasks_[handle];
  ++counters_.failed;
  if (task.attempt < std::max(config_.task_retry, 1u)) {
    ++counters_.retried;
    emit(task, TASQ_FAILED, status, {}, reason, started_ns, ended);
    ++task.attempt;
    // The workers read the attempt from the record: the master's region,
    // written by the master alone.
    reinterpret_cast<shm::TaskRecord*>(arena_->at(task.offset))->attempt = task.attempt;
    enqueue(handle, task, true);
    return;
  }
  ++counters_.dead;
  spdlog::warn("task {} of queue '{}' dead-lettered after {} attempt(s): {}", task.id,
               task.queue->first, task.attempt, reason);
  emit(task, TASQ_DEAD, status, {}, reason, started_ns, ended);
  release_task(handle);
}

void Pool::Impl::emit(const Task& task, tasq_outcome outcome, int status, std::string_view result,
                      std::string_view reason, std::int64_t started_ns, Clock::time_point ended) {
  const std::string_view queue = task.queue->first;
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
                               .payload = payload_of(task),
                               .enqueued = enqueued,
                               .started = started,
                               .ended = ended});
  }
}

void Pool::Impl::release_task(std::uint32_t handle) {
  QueueEntry& entry = *tasks_[handle].queue;
  const std::uint64_t offset = tasks_[handle].offset;
  free_task(handle);
  if (config_.dispatch_mode == DispatchMode::key) pass_turn(entry.second);
  // Held tasks count as live, so an entry that goes holds none.
  if (--entry.second.live == 0) {
    if (auto it = queues_.find(entry.first); it != queues_.end()) queues_.erase(it);
  }
  arena_->free(offset);
  space_freed_ = true;
}

}  // namespace tasq::taskpool
