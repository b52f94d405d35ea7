#pragma once
// Internal: the dispatch queue, a bounded array of slots in shared memory with
// one producer (the master) and many consumers (the workers).
//
// Position p lives in slot p % slot_count, in lap p / slot_count. A slot's
// state goes FREE(lap) -> READY(lap) -> CLAIMED(lap, worker) -> FREE(lap+1)
// and only ever grows. A worker claims with one CAS READY -> CLAIMED that also
// names it, so a worker killed at any instruction leaves either an unclaimed
// slot or one that says who held it: nothing is lost and nothing is stuck.
// The master sweeps claimed slots back to FREE in order, moving each task to
// its own books, so a long task never pins a slot.

#include <atomic>
#include <cstdint>
#include <optional>

#include "shm_layout.h"

namespace tasq::taskpool {

/// The master's side; single-threaded.
class DispatchProducer {
 public:
  DispatchProducer(shm::Slot* slots, std::uint32_t slot_count, std::uint32_t slot_shift);

  /// Publishes `record` at the head. False when the slot there still holds a
  /// task of the previous lap (waiting for a worker, or for sweep()).
  bool try_publish(std::uint64_t record);

  /// Frees the claimed slots from the oldest on, calling on_claim(worker,
  /// record) for each, up to the first slot still waiting for a worker.
  template <typename OnClaim>
  void sweep(OnClaim&& on_claim);

  /// Frees every not-yet-swept slot claimed by `worker` (a worker that died),
  /// wherever it is, calling on_claim(worker, record) for each.
  template <typename OnClaim>
  void reclaim(std::uint32_t worker, OnClaim&& on_claim);

  /// Tasks published and not yet swept (waiting, or claimed since the last sweep).
  [[nodiscard]] std::uint64_t unswept() const { return head_ - swept_; }
  [[nodiscard]] std::uint64_t head() const { return head_; }

 private:
  shm::Slot& slot(std::uint64_t position) const { return slots_[position & mask_]; }
  std::uint64_t lap(std::uint64_t position) const { return position >> shift_; }
  void free_slot(std::uint64_t position) const;

  shm::Slot* slots_;
  std::uint64_t mask_;
  std::uint32_t shift_;
  std::uint64_t head_ = 0;   ///< next position to publish
  std::uint64_t swept_ = 0;  ///< positions before it are free for their next lap
};

/// A worker's side.
class DispatchConsumer {
 public:
  DispatchConsumer(shm::Slot* slots, std::uint32_t slot_count, std::uint32_t slot_shift,
                   std::atomic<std::uint64_t>& hint, std::uint32_t worker);

  /// Claims the oldest waiting task; returns its record offset, or nullopt
  /// when none is waiting. Lock-free: no system call, one CAS when it wins.
  std::optional<std::uint64_t> try_claim();

 private:
  void advance_hint(std::uint64_t past) const;

  shm::Slot* slots_;
  std::uint64_t mask_;
  std::uint32_t shift_;
  std::atomic<std::uint64_t>& hint_;
  std::uint32_t worker_;
};

template <typename OnClaim>
void DispatchProducer::sweep(OnClaim&& on_claim) {
  while (swept_ < head_) {
    shm::Slot& s = slot(swept_);
    const std::uint64_t state = s.state.load(std::memory_order_acquire);
    const std::uint64_t this_lap = lap(swept_);
    if (state >= shm::slot_state(this_lap + 1, shm::SlotKind::free)) {
      ++swept_;  // reclaimed out of order already
      continue;
    }
    if (shm::state_kind(state) != shm::SlotKind::claimed) break;
    const std::uint64_t record = s.record.load(std::memory_order_relaxed);
    free_slot(swept_);
    ++swept_;
    on_claim(shm::state_worker(state), record);
  }
}

template <typename OnClaim>
void DispatchProducer::reclaim(std::uint32_t worker, OnClaim&& on_claim) {
  for (std::uint64_t position = swept_; position < head_; ++position) {
    shm::Slot& s = slot(position);
    const std::uint64_t state = s.state.load(std::memory_order_acquire);
    if (state == shm::slot_state(lap(position), shm::SlotKind::claimed, worker)) {
      const std::uint64_t record = s.record.load(std::memory_order_relaxed);
      free_slot(position);
      on_claim(worker, record);
    }
  }
}

}  // namespace tasq::taskpool
