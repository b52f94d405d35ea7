// Tasks into the ring: allocation, publication, the per-turn wake-up of
// sleeping workers, and the sweep that takes claimed tasks into the books.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "futex.h"
#include "pool_impl.h"

namespace tasq::taskpool {

std::uint64_t Pool::Impl::push(std::string_view queue, std::span<const std::string_view> payloads) {
  if (!started_ || phase_ != Phase::running || payloads.empty()) return 0;
  if (queue.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("queue name longer than 4 GiB");
  }

  // All or none: allocate every record first, publish only when all fit.
  scratch_offsets_.clear();
  for (std::string_view payload : payloads) {
    auto offset = arena_->allocate(sizeof(shm::TaskRecord) + queue.size() + payload.size());
    if (!offset) {
      for (std::uint64_t allocated : scratch_offsets_) arena_->free(allocated);
      space_wanted_ = true;
      return 0;
    }
    scratch_offsets_.push_back(*offset);
  }

  QueueEntry& entry = queue_entry(queue);
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    fill_record(scratch_offsets_[i], entry, next_id_++, 1, payloads[i]);
  }
  entry.second.live += payloads.size();
  counters_.enqueued += payloads.size();
  schedule_flush();
  return next_id_ - 1;
}

bool Pool::Impl::push_known(std::string_view queue, std::uint64_t id, std::uint32_t attempt,
                            std::string_view payload) {
  if (!started_ || phase_ != Phase::running) return false;
  if (queue.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("queue name longer than 4 GiB");
  }
  auto offset = arena_->allocate(sizeof(shm::TaskRecord) + queue.size() + payload.size());
  if (!offset) {
    space_wanted_ = true;
    return false;
  }
  QueueEntry& entry = queue_entry(queue);
  fill_record(*offset, entry, id, std::max<std::uint32_t>(attempt, 1), payload);
  ++entry.second.live;
  ++counters_.enqueued;
  if (id >= next_id_) next_id_ = id + 1;
  schedule_flush();
  return true;
}

std::uint64_t Pool::Impl::reserve_ids(std::uint64_t count) {
  const std::uint64_t first = next_id_;
  next_id_ += count;
  return first;
}

void Pool::Impl::continue_ids_after(std::uint64_t highest) {
  if (highest >= next_id_) next_id_ = highest + 1;
}

Pool::Impl::QueueEntry& Pool::Impl::queue_entry(std::string_view queue) {
  auto it = queues_.find(queue);
  if (it == queues_.end()) it = queues_.emplace(std::string(queue), QueueCount{}).first;
  return *it;
}

void Pool::Impl::fill_record(std::uint64_t offset, QueueEntry& entry, std::uint64_t id,
                             std::uint32_t attempt, std::string_view payload) {
  const std::string_view queue = entry.first;
  shm::TaskRecord& task = record(offset);
  task.id = id;
  task.payload_len = payload.size();
  task.queue_len = static_cast<std::uint32_t>(queue.size());
  task.attempt = attempt;
  task.master_cookie = reinterpret_cast<std::uintptr_t>(&entry);
  task.enqueued_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  char* bytes = reinterpret_cast<char*>(&task + 1);
  std::memcpy(bytes, queue.data(), queue.size());
  std::memcpy(bytes + queue.size(), payload.data(), payload.size());
  enqueue(offset, false);
}

void Pool::Impl::enqueue(std::uint64_t offset, bool retry) {
  QueueCount& queue = entry_of(record(offset)).second;
  ++queue.pending;
  ++counters_.pending;
  if (retry) {
    // A retry goes ahead of tasks still waiting for a slot. In key mode its
    // queue stays busy meanwhile, so it also stays ahead of the queue's later
    // tasks, which are held until it ends for good.
    backlog_.push_front(offset);
    publish_backlog();
    return;
  }
  if (config_.dispatch_mode == DispatchMode::key) {
    // The ring is claimed by whichever worker is idle, so the master enforces
    // the order: at most one task per queue is ever visible to the workers.
    if (queue.busy) {
      held_.push_back(queue.held, offset);
      return;
    }
    queue.busy = true;
  }
  dispatch(offset);
}

void Pool::Impl::dispatch(std::uint64_t offset) {
  if (!backlog_.empty() || !publish(offset)) backlog_.push_back(offset);
}

void Pool::Impl::pass_turn(QueueCount& queue) {
  if (auto next = held_.pop_front(queue.held)) {
    dispatch(*next);
    // Callers that drain completions flush anyway; a dead worker's last task
    // dead-lettered outside a drain needs this to wake an idle worker.
    schedule_flush();
  } else {
    queue.busy = false;
  }
}

bool Pool::Impl::publish(std::uint64_t offset) {
  if (!dispatch_->try_publish(offset)) {
    sweep();  // the head slot may only be waiting for its claim to be swept
    if (!dispatch_->try_publish(offset)) return false;
  }
  ++published_since_flush_;
  return true;
}

void Pool::Impl::publish_backlog() {
  while (!backlog_.empty() && publish(backlog_.front())) backlog_.pop_front();
}

void Pool::Impl::schedule_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  post([this] { flush(); });
}

void Pool::Impl::flush() {
  flush_posted_ = false;
  publish_backlog();
  wake_workers();
}

// Workers announce a sleep, fence, and look for work once more; the master
// publishes, fences, and looks at who sleeps. Whatever the interleaving, one
// side sees the other, so no wake-up is lost, and a busy pool makes no
// system call at all here.
void Pool::Impl::wake_workers() {
  std::uint64_t budget = published_since_flush_;
  published_since_flush_ = 0;
  if (budget == 0) return;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (const auto& slot : slots_) {
    if (budget == 0) break;
    if (slot->pid <= 0) continue;
    std::atomic<std::uint32_t>& wake = block(slot->id).wake;
    std::uint32_t expected = shm::kWaitingForWork;
    if (wake.load(std::memory_order_relaxed) == expected &&
        wake.compare_exchange_strong(expected, shm::kRunning, std::memory_order_acq_rel)) {
      futex_wake(wake, 1);
      --budget;
    }
  }
}

void Pool::Impl::sweep() {
  dispatch_->sweep(
      [this](std::uint32_t worker, std::uint64_t offset) { take_claim(worker, offset); });
}

void Pool::Impl::take_claim(std::uint32_t worker, std::uint64_t offset) {
  --entry_of(record(offset)).second.pending;
  --counters_.pending;
  ++counters_.in_flight;
  if (worker < slots_.size()) {
    slots_[worker]->held.push_back(offset);
    return;
  }
  // Only memory corruption writes such a claim; keep the task rather than lose it.
  spdlog::critical("task {} claimed by unknown worker {}; requeued", record(offset).id, worker);
  --counters_.in_flight;
  enqueue(offset, true);
}

}  // namespace tasq::taskpool
