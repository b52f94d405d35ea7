#include "dispatch_queue.h"

#include <cassert>

namespace tasq::taskpool {

DispatchProducer::DispatchProducer(shm::MasterBlock& block, shm::TaskSlot* slots,
                                   std::uint32_t slot_count)
    : block_(block), slots_(slots), mask_(slot_count - 1), mirror_(slot_count) {}

void DispatchProducer::reset(const shm::WorkerState* worker) {
  assert(outstanding() == 0);
  worker_ = worker;
  revoking_ = false;
  published_ = visible_ = taken_ = completed_ = 0;
  block_.published.store(0, std::memory_order_release);
}

std::uint64_t DispatchProducer::room() const {
  if (worker_ == nullptr || revoking_) return 0;
  return mirror_.size() - outstanding();
}

void DispatchProducer::publish(std::uint32_t handle, std::uint64_t record) {
  assert(room() > 0);
  // The slot's previous task (published_ - slots) was completed, so taken:
  // the worker is done reading it.
  mirror_[published_ & mask_] = handle;
  slots_[published_ & mask_].record.store(record, std::memory_order_relaxed);
  ++published_;
}

bool DispatchProducer::flush() {
  if (visible_ == published_ || revoking_) return false;
  visible_ = published_;
  block_.published.store(published_, std::memory_order_release);
  return true;
}

std::optional<std::uint32_t> DispatchProducer::oldest_running() const {
  if (taken_ == completed_) return std::nullopt;
  return at(completed_);
}

DispatchConsumer::DispatchConsumer(const shm::MasterBlock& block, const shm::TaskSlot* slots,
                                   std::uint32_t slot_count, shm::WorkerState& state)
    : block_(block),
      slots_(slots),
      mask_(slot_count - 1),
      state_(state),
      taken_(shm::claim_taken(state.claim.load(std::memory_order_relaxed))) {}

std::optional<DispatchConsumer::Task> DispatchConsumer::try_take() {
  if (!work_visible()) return std::nullopt;
  // Say "taking" before looking: a master taking tasks back either sees this
  // and waits for the outcome, or lowered `published` before the load below.
  state_.claim.store(shm::claim_word(taken_, true), std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (block_.published.load(std::memory_order_acquire) <= taken_) {
    state_.claim.store(shm::claim_word(taken_, false), std::memory_order_release);
    return std::nullopt;
  }
  const Task task{.position = taken_,
                  .record = slots_[taken_ & mask_].record.load(std::memory_order_relaxed)};
  ++taken_;
  state_.claim.store(shm::claim_word(taken_, false), std::memory_order_release);
  return task;
}

}  // namespace tasq::taskpool
