#pragma once
// Internal: one worker's completion ring, a single-producer single-consumer
// byte ring in shared memory. The worker reserves room for the largest record
// before it runs a task, so the handler writes its result straight into the
// ring; the record becomes visible only when done_head moves past it, so a
// worker killed mid-write has simply not completed.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shm_layout.h"

namespace tasq::taskpool {

/// The worker's side.
class CompletionWriter {
 public:
  /// `data_capacity`: the most result + reason bytes one record may carry.
  CompletionWriter(shm::WorkerBlock& block, char* ring, std::uint64_t ring_bytes,
                   std::uint64_t data_capacity);

  /// Reserves room for one record and returns where its data goes (at least
  /// data_capacity() bytes), or nullptr while the master has not drained
  /// enough of the ring. Reserving again before commit() is harmless.
  char* try_reserve();
  /// Publishes the reserved record; its data (result, then reason) was written
  /// at the pointer try_reserve() returned.
  void commit(std::int32_t status, std::uint64_t task_id, std::uint64_t record,
              std::uint32_t result_len, std::uint32_t reason_len, std::int64_t started_ns = 0);

  [[nodiscard]] std::uint64_t data_capacity() const { return data_capacity_; }
  /// True when the master has consumed everything this worker published.
  [[nodiscard]] bool drained() const;

 private:
  shm::WorkerBlock& block_;
  char* ring_;
  std::uint64_t ring_bytes_;
  std::uint64_t data_capacity_;
  std::uint64_t head_;
  std::uint64_t record_at_ = 0;  ///< position of the reserved record
};

/// One record as the master reads it; views into the ring, valid until the
/// reader's next drain.
struct Completion {
  std::int32_t status;
  std::uint64_t task_id;
  std::uint64_t record;
  std::string_view result;
  std::string_view reason;
  std::int64_t started_ns;
};

/// The master's side.
class CompletionReader {
 public:
  CompletionReader(shm::WorkerBlock& block, const char* ring, std::uint64_t ring_bytes);

  enum class Result { ok, corrupt };

  /// Calls on_record(const Completion&) for every record published up to
  /// `head` (a done_head value the caller loaded), then releases their room.
  /// `corrupt` when a record's framing is impossible: the rest is skipped and
  /// the caller should treat the worker as broken.
  template <typename OnRecord>
  Result drain(std::uint64_t head, OnRecord&& on_record);

 private:
  /// Decodes the record at `tail`; false when the framing is impossible.
  bool read(std::uint64_t tail, std::uint64_t head, Completion& out, std::uint64_t& next) const;

  shm::WorkerBlock& block_;
  const char* ring_;
  std::uint64_t ring_bytes_;
};

template <typename OnRecord>
CompletionReader::Result CompletionReader::drain(std::uint64_t head, OnRecord&& on_record) {
  std::uint64_t tail = block_.done_tail.load(std::memory_order_relaxed);
  Result result = Result::ok;
  while (tail < head) {
    Completion completion{};
    std::uint64_t next = 0;
    if (!read(tail, head, completion, next)) {
      result = Result::corrupt;
      tail = head;
      break;
    }
    if (completion.task_id != 0) on_record(completion);  // 0: filler
    tail = next;
  }
  block_.done_tail.store(tail, std::memory_order_release);
  return result;
}

}  // namespace tasq::taskpool
