#pragma once
// Internal: one worker's completion ring, a single-producer single-consumer
// byte ring in the worker's own region. The worker reserves room for the
// largest record before it runs a task, so the handler writes its result
// straight into the ring; the record becomes visible only when done_head
// (the worker's) moves past it, so a worker killed mid-write has simply not
// completed. The master says how far it has read in done_tail (its own
// region) and keeps that position in its own memory too: it never reads its
// tail back, and takes each header, length and position from the ring as a
// claim to check.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shm_layout.h"

namespace tasq::taskpool {

/// The worker's side.
class CompletionWriter {
 public:
  /// `data_capacity`: the most result + reason bytes one record may carry.
  CompletionWriter(shm::WorkerState& state, const shm::MasterBlock& block, char* ring,
                   std::uint64_t ring_bytes, std::uint64_t data_capacity);

  /// Reserves room for one record and returns where its data goes (at least
  /// data_capacity() bytes), or nullptr while the master has not drained
  /// enough of the ring. Reserving again before commit() is harmless.
  char* try_reserve();
  /// Publishes the reserved record; its data (result, then reason) was written
  /// at the pointer try_reserve() returned.
  void commit(std::int32_t status, std::uint64_t task_id, std::uint64_t position,
              std::uint32_t result_len, std::uint32_t reason_len, std::int64_t started_ns = 0);

  [[nodiscard]] std::uint64_t data_capacity() const { return data_capacity_; }
  /// True when the master has consumed everything this worker published.
  [[nodiscard]] bool drained() const;

 private:
  shm::WorkerState& state_;
  const shm::MasterBlock& block_;
  char* ring_;
  std::uint64_t ring_bytes_;
  std::uint64_t data_capacity_;
  std::uint64_t head_;
  std::uint64_t record_at_ = 0;  ///< position of the reserved record
};

/// One record as the master reads it; the views point into the worker's
/// ring (bytes the worker produced), valid until the reader's next drain.
struct Completion {
  std::int32_t status;
  std::uint64_t task_id;
  std::uint64_t position;
  std::string_view result;
  std::string_view reason;
  std::int64_t started_ns;
};

/// The master's side.
class CompletionReader {
 public:
  CompletionReader() = default;
  /// A fresh ring (a new worker process): nothing read yet.
  void reset(const shm::WorkerState* state, shm::MasterBlock* block, const char* ring,
             std::uint64_t ring_bytes);

  enum class Result { ok, corrupt };

  /// Loads the worker's head: what drain() then reads up to.
  [[nodiscard]] std::uint64_t load_head() const;

  /// Calls on_record(const Completion&) for every record published up to
  /// `head` (a load_head() value), then releases their room. `corrupt` when
  /// the head or a record's framing is impossible: nothing more is read, and
  /// the caller should treat the worker as broken. on_record returns false to
  /// stop at a record it refuses (also `corrupt`).
  template <typename OnRecord>
  Result drain(std::uint64_t head, OnRecord&& on_record);

 private:
  /// Decodes the record at `tail_`; false when the framing is impossible.
  bool read(std::uint64_t head, Completion& out, std::uint64_t& next) const;

  const shm::WorkerState* state_ = nullptr;
  shm::MasterBlock* block_ = nullptr;
  const char* ring_ = nullptr;
  std::uint64_t ring_bytes_ = 0;
  std::uint64_t tail_ = 0;       ///< consumed up to here (the truth; done_tail mirrors it)
  std::uint64_t last_head_ = 0;  ///< a head never moves back
};

template <typename OnRecord>
CompletionReader::Result CompletionReader::drain(std::uint64_t head, OnRecord&& on_record) {
  if (state_ == nullptr) return Result::ok;
  if (head < last_head_ || head < tail_ || head - tail_ > ring_bytes_) return Result::corrupt;
  last_head_ = head;
  Result result = Result::ok;
  while (tail_ < head) {
    Completion completion{};
    std::uint64_t next = 0;
    if (!read(head, completion, next)) {
      result = Result::corrupt;
      break;
    }
    if (completion.task_id != 0 && !on_record(completion)) {  // 0: filler
      result = Result::corrupt;
      break;
    }
    tail_ = next;
  }
  block_->done_tail.store(tail_, std::memory_order_release);
  return result;
}

}  // namespace tasq::taskpool
