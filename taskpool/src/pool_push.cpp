// Tasks into the ring: allocation, the backlog, and the once-per-turn dispatch
// that hands tasks to the workers' own queues, takes back what a worker
// should not keep, and wakes the workers that sleep.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "futex.h"
#include "pool_impl.h"

namespace tasq::taskpool {
namespace {

/// How often a taking back that a worker holds up (it was between its two
/// stores when the master looked) is tried again, and how long a worker may
/// hold it up before it is taken for broken: a few instructions normally.
constexpr auto kRevokeRetry = std::chrono::milliseconds(1);
constexpr auto kRevokeStuck = std::chrono::seconds(5);
/// Tasks published to a worker between two stores of its `published`: a busy
/// worker sees new tasks while the master is still pushing, without a store
/// (and a cache line moving to the worker) per task.
constexpr unsigned kPublishBatch = 16;

}  // namespace

std::uint64_t Pool::Impl::push(std::string_view queue, std::span<const std::string_view> payloads) {
  if (!started_ || phase_ != Phase::running || payloads.empty()) return 0;
  if (queue.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("queue name longer than 4 GiB");
  }

  // All or none: allocate every record first, enqueue only when all fit.
  scratch_offsets_.clear();
  for (std::string_view payload : payloads) {
    if (payload.size() > std::numeric_limits<std::uint32_t>::max()) {
      for (std::uint64_t allocated : scratch_offsets_) arena_->free(allocated);
      throw std::length_error("payload longer than 4 GiB");
    }
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
  if (queue.size() > std::numeric_limits<std::uint32_t>::max() ||
      payload.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("queue name or payload longer than 4 GiB");
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
  auto& task = *reinterpret_cast<shm::TaskRecord*>(arena_->at(offset));
  task.id = id;
  task.payload_len = payload.size();
  task.queue_len = static_cast<std::uint32_t>(queue.size());
  task.attempt = attempt;
  char* bytes = reinterpret_cast<char*>(&task + 1);
  std::memcpy(bytes, queue.data(), queue.size());
  std::memcpy(bytes + queue.size(), payload.data(), payload.size());
  const Task info{.offset = offset,
                  .id = id,
                  .enqueued_ns = enqueue_time_ns(),
                  .queue = &entry,
                  .payload_len = static_cast<std::uint32_t>(payload.size()),
                  .attempt = attempt};
  enqueue(new_task(info), info, false);
}

void Pool::Impl::enqueue(std::uint32_t handle, const Task& task, bool retry) {
  QueueCount& queue = task.queue->second;
  ++queue.pending;
  ++counters_.pending;
  if (retry) {
    // A retry goes ahead of tasks still waiting in the backlog. In key mode
    // its queue stays busy meanwhile, so it also stays ahead of the queue's
    // later tasks, which are held until it ends for good.
    backlog_.push_front(handle);
    schedule_flush();
    return;
  }
  if (config_.dispatch_mode == DispatchMode::key) {
    // Any idle worker may get any task, so the master enforces the order: at
    // most one task per queue is ever in the workers' queues.
    if (queue.busy) {
      held_.push_back(queue.held, handle);
      return;
    }
    queue.busy = true;
  }
  dispatch(handle, task);
}

// Straight into a worker's queue while the backlog is empty, round robin
// over the workers that could take tasks at the last flush, so that workers
// start on the first tasks of a burst while the master is still pushing the
// rest; the flush at the end of the turn evens out the load and wakes the
// workers that sleep.
void Pool::Impl::dispatch(std::uint32_t handle, const Task& task) {
  schedule_flush();
  if (backlog_.empty()) {
    for (std::size_t tries = 0; tries < takers_.size(); ++tries) {
      WorkerSlot& slot = *takers_[next_taker_++ % takers_.size()];
      if (slot.pid <= 0 || slot.stopping || slot.queue->room() == 0) continue;
      slot.queue->publish(handle, task.offset);
      if (++slot.unflushed >= kPublishBatch) {
        slot.queue->flush();
        slot.unflushed = 0;
      }
      return;
    }
  }
  backlog_.push_back(handle);
}

void Pool::Impl::pass_turn(QueueCount& queue) {
  if (auto next = held_.pop_front(queue.held)) {
    const auto handle = static_cast<std::uint32_t>(*next);
    dispatch(handle, tasks_[handle]);
  } else {
    queue.busy = false;
  }
}

void Pool::Impl::schedule_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  post([this] { flush(); });
}

std::int64_t Pool::Impl::enqueue_time_ns() {
  if (!turn_enqueued_ns_) {
    turn_enqueued_ns_ =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count();
  }
  return *turn_enqueued_ns_;
}

void Pool::Impl::flush() {
  flush_posted_ = false;
  turn_enqueued_ns_.reset();
  if (!started_) return;
  observe_claims();
  rebalance();
  takers_.clear();
  for (const auto& slot : slots_) {
    if (eligible(*slot)) takers_.push_back(slot.get());
  }
  assign_backlog();
}

bool Pool::Impl::eligible(const WorkerSlot& slot) const {
  if (slot.pid <= 0 || slot.stopping || slot.corrupt || slot.queue->revoking()) return false;
  // The worker's own word: a worker that lies here only stops getting tasks.
  const shm::WorkerState& w = slot.region.state();
  return w.ready.load(std::memory_order_acquire) != 0 &&
         w.retiring.load(std::memory_order_acquire) == 0;
}

void Pool::Impl::rebalance() {
  // Idle, as far as the master has seen: nothing queued, nothing running.
  bool hungry = false;
  for (const auto& slot : slots_) {
    if (eligible(*slot) && slot->queue->outstanding() == 0) hungry = true;
  }
  bool held_up = false;
  for (auto& slot : slots_) {
    if (slot->pid <= 0 || !readable(*slot)) continue;
    DispatchProducer& queue = *slot->queue;
    const bool keep = eligible(*slot) || queue.revoking();
    // An idle worker gets the queued tasks of another that wait behind a task
    // it runs or is about to take (a burst pushed straight into one queue
    // during a turn, while the others were not yet taking), unless the
    // backlog feeds it. No worker wakes the master by taking a task, so this
    // flush is the last chance before the busy one's task ends.
    const bool stuck_behind =
        hungry && backlog_.empty() && (queue.running() > 0 || queue.untaken() > 1);
    if (queue.revoking() || (queue.untaken() > 0 && (!keep || stuck_behind))) {
      if (!revoke(*slot)) held_up = true;
    }
  }
  if (held_up && !revoke_timer_armed_) {
    revoke_timer_armed_ = true;
    revoke_timer_.expires_after(kRevokeRetry);
    revoke_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;  // the pool may be gone
      revoke_timer_armed_ = false;
      flush();
    });
  }
}

bool Pool::Impl::revoke(WorkerSlot& slot) {
  scratch_handles_.clear();
  const auto result =
      slot.queue->revoke([this](std::uint32_t handle) { take_claim(handle); },
                         [this](std::uint32_t handle) { scratch_handles_.push_back(handle); });
  if (result == DispatchProducer::Result::corrupt) {
    worker_corrupted(slot, "its claim moved back or past what it was given");
    return true;
  }
  if (result == DispatchProducer::Result::pending) {
    const auto now = Clock::now();
    if (!slot.revoke_since) slot.revoke_since = now;
    if (now - *slot.revoke_since > kRevokeStuck) {
      worker_corrupted(slot, "it stayed in the middle of taking a task");
      return true;
    }
    return false;
  }
  slot.revoke_since.reset();
  // Oldest first at the front: they were handed out before the backlog.
  for (auto it = scratch_handles_.rbegin(); it != scratch_handles_.rend(); ++it) {
    backlog_.push_front(*it);
  }
  return true;
}

// Water-filling: each round gives one more task to every eligible worker at
// the lowest load, so a burst spreads evenly and an idle worker comes first.
void Pool::Impl::assign_backlog() {
  std::uint64_t level = std::numeric_limits<std::uint64_t>::max();
  for (const auto& slot : slots_) {
    if (eligible(*slot)) level = std::min(level, slot->queue->outstanding());
  }
  bool room = level != std::numeric_limits<std::uint64_t>::max();  // anybody to give to?
  while (!backlog_.empty() && room) {
    room = false;
    for (auto& slot : slots_) {
      if (!eligible(*slot)) continue;
      DispatchProducer& queue = *slot->queue;
      while (!backlog_.empty() && queue.outstanding() <= level && queue.room() > 0) {
        const std::uint32_t handle = backlog_.front();
        backlog_.pop_front();
        queue.publish(handle, tasks_[handle].offset);
      }
      room = room || queue.room() > 0;
    }
    ++level;
  }
  // Every worker with tasks to take, whether they came now or straight from
  // a push during the turn.
  for (auto& slot : slots_) {
    slot->unflushed = 0;
    slot->queue->flush();
    if (slot->pid > 0 && readable(*slot) && slot->queue->untaken() > 0) {
      wake_if_waiting(*slot, shm::kWaitingForWork);
    }
  }
}

// The worker announces a sleep with the value of its wake word it saw, fences
// and looks for work once more; the master publishes, fences and looks at
// the announcement. Whatever the interleaving, one side sees the other, so no
// wake-up is lost; the master changes the word only when the worker waits on
// its current value, so each sleep costs at most one futex_wake.
void Pool::Impl::wake_if_waiting(WorkerSlot& slot, shm::WakeState state) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const std::uint64_t word = slot.region.state().sleep.load(std::memory_order_relaxed);
  if (shm::sleep_state(word) == state && shm::sleep_wake_seen(word) == slot.wake) wake(slot);
}

void Pool::Impl::wake(WorkerSlot& slot) {
  shm::MasterBlock& b = block(slot.id);
  b.wake.store(++slot.wake, std::memory_order_release);
  futex_wake(b.wake, 1);
}

void Pool::Impl::observe_claims() {
  for (auto& slot : slots_) observe_claim(*slot);
}

void Pool::Impl::observe_claim(WorkerSlot& slot) {
  if (!readable(slot)) return;
  const auto result = slot.queue->observe([this](std::uint32_t handle) { take_claim(handle); });
  if (result == DispatchProducer::Result::corrupt) {
    worker_corrupted(slot, "its claim moved back or past what it was given");
  }
}

void Pool::Impl::take_claim(std::uint32_t handle) {
  --tasks_[handle].queue->second.pending;
  --counters_.pending;
  ++counters_.in_flight;
}

}  // namespace tasq::taskpool
