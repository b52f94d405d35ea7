#include "dispatch_queue.h"

namespace tasq::taskpool {

using shm::slot_state;
using shm::SlotKind;

DispatchProducer::DispatchProducer(shm::Slot* slots, std::uint32_t slot_count,
                                   std::uint32_t slot_shift)
    : slots_(slots), mask_(slot_count - 1), shift_(slot_shift) {}

bool DispatchProducer::try_publish(std::uint64_t record) {
  shm::Slot& s = slot(head_);
  const std::uint64_t this_lap = lap(head_);
  // Only the master moves a slot to FREE, so its own relaxed view is current.
  if (s.state.load(std::memory_order_relaxed) != slot_state(this_lap, SlotKind::free)) {
    return false;
  }
  s.record.store(record, std::memory_order_relaxed);
  s.state.store(slot_state(this_lap, SlotKind::ready), std::memory_order_release);
  ++head_;
  return true;
}

void DispatchProducer::free_slot(std::uint64_t position) const {
  slot(position).state.store(slot_state(lap(position) + 1, SlotKind::free),
                             std::memory_order_release);
}

DispatchConsumer::DispatchConsumer(shm::Slot* slots, std::uint32_t slot_count,
                                   std::uint32_t slot_shift, std::atomic<std::uint64_t>& hint,
                                   std::uint32_t worker)
    : slots_(slots), mask_(slot_count - 1), shift_(slot_shift), hint_(hint), worker_(worker) {}

std::optional<std::uint64_t> DispatchConsumer::try_claim() {
  std::uint64_t position = hint_.load(std::memory_order_relaxed);
  for (;;) {
    shm::Slot& s = slots_[position & mask_];
    const std::uint64_t this_lap = position >> shift_;
    const std::uint64_t ready = slot_state(this_lap, SlotKind::ready);
    std::uint64_t state = s.state.load(std::memory_order_acquire);
    if (state < ready) return std::nullopt;  // not published yet: nothing after it is either
    if (state > ready) {                     // claimed (or already swept) by someone else
      ++position;
      continue;
    }
    // The record is read before the claim; the lap in the state makes the
    // CAS fail if the slot moved on meanwhile, so a successful claim vouches
    // for what was read.
    const std::uint64_t record = s.record.load(std::memory_order_relaxed);
    if (s.state.compare_exchange_strong(state, slot_state(this_lap, SlotKind::claimed, worker_),
                                        std::memory_order_acq_rel, std::memory_order_acquire)) {
      advance_hint(position + 1);
      return record;
    }
  }
}

void DispatchConsumer::advance_hint(std::uint64_t past) const {
  std::uint64_t current = hint_.load(std::memory_order_relaxed);
  while (current < past && !hint_.compare_exchange_weak(current, past, std::memory_order_relaxed)) {
  }
}

}  // namespace tasq::taskpool
