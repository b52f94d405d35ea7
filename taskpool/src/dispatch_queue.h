#pragma once
// Internal: one worker's task queue — a ring of task slots that only the
// master writes, and a claim word that only the worker writes.
//
// The master publishes task positions 0, 1, 2, ... to each worker (slot
// p % slots, then `published`), the worker takes them in order, one at a
// time, and says how far it got in its own region (`claim`). Nothing is
// written by both sides, so a worker can hurt no other worker's queue, and
// the master checks each claim against the truth it keeps in its own memory:
// which task it put at which position.
//
// Taking back. A task published and not taken can be taken back (to give it
// to an idle worker, or when the worker is being stopped): the master lowers
// `published`, the worker marks `taking` before it looks at `published`, and
// each side fences between its store and its load, so at least one of them
// sees the other. A master that finds `taking` set waits for the worker to
// settle (a few instructions), then everything from the worker's `taken` on
// is the master's again. A worker killed at any instruction leaves a claim
// word whose `taken` says exactly which tasks it had.

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "shm_layout.h"

namespace tasq::taskpool {

/// The master's side of one worker's queue; single-threaded.
class DispatchProducer {
 public:
  /// `block` and `slots` are in the master's region; the worker's state is
  /// given by reset() for each process.
  DispatchProducer(shm::MasterBlock& block, shm::TaskSlot* slots, std::uint32_t slot_count);

  /// Starts over for a new worker process whose fresh region holds `worker`:
  /// positions from 0, nothing published. Nothing may be held or published.
  void reset(const shm::WorkerState* worker);

  enum class Result { ok, pending, corrupt };

  /// Tasks that may still be published: slots minus those published and not
  /// yet completed, so a slot is rewritten only once its task was taken.
  [[nodiscard]] std::uint64_t room() const;
  /// Writes the task `handle` (the master's own name for it) at the next
  /// position; the worker sees it after flush(). Needs room().
  void publish(std::uint32_t handle, std::uint64_t record);
  /// Makes what publish() wrote visible to the worker (one store per batch).
  /// Returns whether there was anything new.
  bool flush();

  /// Reads the worker's claim; calls on_taken(handle) for each task it took
  /// since the last look, oldest first. `corrupt` when the claim is
  /// impossible (behind the last one, or past what was published).
  template <typename OnTaken>
  Result observe(OnTaken&& on_taken);

  /// Takes back every task published and not taken: on_taken(handle) for
  /// those the worker did take meanwhile, then on_returned(handle) for the
  /// rest, oldest first. `pending` while the worker is in the middle of
  /// taking one: call again (nothing may be published meanwhile).
  template <typename OnTaken, typename OnReturned>
  Result revoke(OnTaken&& on_taken, OnReturned&& on_returned);
  [[nodiscard]] bool revoking() const { return revoking_; }

  /// The worker reports the task at `position` ended. Returns the handle of
  /// the task published there, or nullopt — nothing counted — when it is not
  /// the oldest task the worker took, or `is_it(handle)` (the caller's check
  /// of what else the worker reported, its id) says no: the worker is lying.
  /// Call observe() first.
  template <typename IsIt>
  std::optional<std::uint32_t> complete(std::uint64_t position, IsIt&& is_it);

  /// After the worker died (observe() called on its last claim, unless it was
  /// corrupt): on_held(handle) for each task it took and did not complete,
  /// then on_untaken(handle) for each it never took. Leaves the queue empty.
  template <typename OnHeld, typename OnUntaken>
  void abandon(OnHeld&& on_held, OnUntaken&& on_untaken);

  [[nodiscard]] std::uint64_t untaken() const { return published_ - taken_; }
  [[nodiscard]] std::uint64_t running() const { return taken_ - completed_; }
  [[nodiscard]] std::uint64_t outstanding() const { return published_ - completed_; }
  /// The oldest task taken and not completed, if any.
  [[nodiscard]] std::optional<std::uint32_t> oldest_running() const;
  /// Its position (== completed positions): changes when it completes.
  [[nodiscard]] std::uint64_t completed() const { return completed_; }

 private:
  std::uint32_t at(std::uint64_t position) const { return mirror_[position & mask_]; }
  /// Checks a claim's `taken` against [taken_, bound] and reports the tasks
  /// taken since; false when it is impossible.
  template <typename OnTaken>
  bool advance(std::uint64_t taken, std::uint64_t bound, OnTaken& on_taken);

  shm::MasterBlock& block_;
  shm::TaskSlot* slots_;
  std::uint64_t mask_;
  std::vector<std::uint32_t> mirror_;  ///< the handle the master published at each slot
  const shm::WorkerState* worker_ = nullptr;
  std::uint64_t published_ = 0;  ///< positions written
  std::uint64_t visible_ = 0;    ///< positions the worker may see (the stored `published`)
  std::uint64_t taken_ = 0;      ///< the worker's last checked claim
  std::uint64_t completed_ = 0;  ///< positions whose completion was consumed
  bool revoking_ = false;
  std::uint64_t revoke_from_ = 0;  ///< `published_` when the taking back began
};

/// A worker's side of its queue.
class DispatchConsumer {
 public:
  DispatchConsumer(const shm::MasterBlock& block, const shm::TaskSlot* slots,
                   std::uint32_t slot_count, shm::WorkerState& state);

  struct Task {
    std::uint64_t position;
    std::uint64_t record;  ///< arena offset of the TaskRecord
  };

  /// True when the master has published a task not taken yet (a hint: the
  /// master may take it back before try_take()).
  [[nodiscard]] bool work_visible() const {
    return block_.published.load(std::memory_order_relaxed) > taken_;
  }
  /// Takes the next task, or nullopt when none is published. No system call;
  /// one fence.
  std::optional<Task> try_take();

 private:
  const shm::MasterBlock& block_;
  const shm::TaskSlot* slots_;
  std::uint64_t mask_;
  shm::WorkerState& state_;
  std::uint64_t taken_ = 0;
};

// ---- templates ------------------------------------------------------------------

template <typename OnTaken>
bool DispatchProducer::advance(std::uint64_t taken, std::uint64_t bound, OnTaken& on_taken) {
  if (taken < taken_ || taken > bound) return false;
  for (; taken_ < taken; ++taken_) on_taken(at(taken_));
  return true;
}

template <typename IsIt>
std::optional<std::uint32_t> DispatchProducer::complete(std::uint64_t position, IsIt&& is_it) {
  // A worker runs its tasks in the order it takes them, one at a time.
  if (position != completed_ || position >= taken_ || !is_it(at(position))) return std::nullopt;
  ++completed_;
  return at(position);
}

template <typename OnTaken>
DispatchProducer::Result DispatchProducer::observe(OnTaken&& on_taken) {
  if (worker_ == nullptr) return Result::ok;
  const std::uint64_t word = worker_->claim.load(std::memory_order_acquire);
  // While taking back, positions up to where it began may still be taken.
  const std::uint64_t bound = revoking_ ? revoke_from_ : visible_;
  return advance(shm::claim_taken(word), bound, on_taken) ? Result::ok : Result::corrupt;
}

template <typename OnTaken, typename OnReturned>
DispatchProducer::Result DispatchProducer::revoke(OnTaken&& on_taken, OnReturned&& on_returned) {
  if (worker_ == nullptr) return Result::ok;
  if (!revoking_) {
    flush();
    if (published_ == taken_) return Result::ok;
    revoking_ = true;
    revoke_from_ = published_;
    block_.published.store(taken_, std::memory_order_relaxed);
    visible_ = taken_;
    // Pairs with the worker's fence between setting `taking` and loading
    // `published`: either it sees the lowered value, or this sees `taking`
    // (or the claim that followed it).
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  const std::uint64_t word = worker_->claim.load(std::memory_order_acquire);
  if (shm::claim_taking(word)) return Result::pending;
  if (!advance(shm::claim_taken(word), revoke_from_, on_taken)) return Result::corrupt;
  for (std::uint64_t p = taken_; p < revoke_from_; ++p) on_returned(at(p));
  published_ = taken_;
  if (visible_ != taken_) {
    // The worker took more before it saw the lowered value: a later look at
    // `published` must not find it below what it holds.
    visible_ = taken_;
    block_.published.store(taken_, std::memory_order_release);
  }
  revoking_ = false;
  return Result::ok;
}

template <typename OnHeld, typename OnUntaken>
void DispatchProducer::abandon(OnHeld&& on_held, OnUntaken&& on_untaken) {
  for (std::uint64_t p = completed_; p < taken_; ++p) on_held(at(p));
  const std::uint64_t end = revoking_ ? revoke_from_ : published_;
  for (std::uint64_t p = taken_; p < end; ++p) on_untaken(at(p));
  worker_ = nullptr;
  revoking_ = false;
  published_ = visible_ = taken_ = completed_ = 0;
}

}  // namespace tasq::taskpool
