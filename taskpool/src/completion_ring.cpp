#include "completion_ring.h"

#include <cstring>

namespace tasq::taskpool {
namespace {

constexpr std::uint64_t round8(std::uint64_t n) { return (n + 7) & ~std::uint64_t{7}; }
constexpr std::uint64_t kHeaderBytes = sizeof(shm::CompletionHeader);
static_assert(kHeaderBytes % 8 == 0);

}  // namespace

CompletionWriter::CompletionWriter(shm::WorkerState& state, const shm::MasterBlock& block,
                                   char* ring, std::uint64_t ring_bytes,
                                   std::uint64_t data_capacity)
    : state_(state),
      block_(block),
      ring_(ring),
      ring_bytes_(ring_bytes),
      data_capacity_(data_capacity),
      head_(state.done_head.load(std::memory_order_relaxed)) {}

char* CompletionWriter::try_reserve() {
  const std::uint64_t need = round8(kHeaderBytes + data_capacity_);
  const std::uint64_t offset = head_ % ring_bytes_;
  // A record never wraps: when it would not fit before the end, the rest of
  // the ring becomes filler and the record starts at offset 0.
  const std::uint64_t filler = ring_bytes_ - offset < need ? ring_bytes_ - offset : 0;
  const std::uint64_t tail = block_.done_tail.load(std::memory_order_acquire);
  if (head_ + filler + need - tail > ring_bytes_) return nullptr;
  record_at_ = head_ + filler;
  return ring_ + record_at_ % ring_bytes_ + kHeaderBytes;
}

void CompletionWriter::commit(std::int32_t status, std::uint64_t task_id, std::uint64_t position,
                              std::uint32_t result_len, std::uint32_t reason_len,
                              std::int64_t started_ns) {
  if (record_at_ != head_) {
    const auto filler = static_cast<std::uint32_t>(record_at_ - head_) | shm::kWrapBit;
    std::memcpy(ring_ + head_ % ring_bytes_, &filler, sizeof(filler));
  }
  shm::CompletionHeader header{};
  header.bytes = static_cast<std::uint32_t>(round8(kHeaderBytes + result_len + reason_len));
  header.status = status;
  header.task_id = task_id;
  header.position = position;
  header.result_len = result_len;
  header.reason_len = reason_len;
  header.started_ns = started_ns;
  std::memcpy(ring_ + record_at_ % ring_bytes_, &header, sizeof(header));
  head_ = record_at_ + header.bytes;
  record_at_ = head_;
  state_.done_head.store(head_, std::memory_order_release);
}

bool CompletionWriter::drained() const {
  return block_.done_tail.load(std::memory_order_acquire) == head_;
}

void CompletionReader::reset(const shm::WorkerState* state, shm::MasterBlock* block,
                             const char* ring, std::uint64_t ring_bytes) {
  state_ = state;
  block_ = block;
  ring_ = ring;
  ring_bytes_ = ring_bytes;
  tail_ = last_head_ = 0;
  if (block_ != nullptr) block_->done_tail.store(0, std::memory_order_release);
}

std::uint64_t CompletionReader::load_head() const {
  return state_ == nullptr ? 0 : state_->done_head.load(std::memory_order_acquire);
}

// Every number comes from memory the worker writes: each is checked before
// it is used, and the header is copied out first so that it cannot change
// between the check and the use.
bool CompletionReader::read(std::uint64_t head, Completion& out, std::uint64_t& next) const {
  const std::uint64_t offset = tail_ % ring_bytes_;
  const std::uint64_t contiguous = ring_bytes_ - offset;
  if (tail_ % 8 != 0) return false;
  std::uint32_t bytes = 0;
  std::memcpy(&bytes, ring_ + offset, sizeof(bytes));
  if ((bytes & shm::kWrapBit) != 0) {
    // Filler runs exactly to the end of the ring.
    if ((bytes & ~shm::kWrapBit) != contiguous || head - tail_ < contiguous) return false;
    next = tail_ + contiguous;
    out.task_id = 0;
    return true;
  }
  if (bytes < kHeaderBytes || bytes % 8 != 0 || bytes > contiguous || bytes > head - tail_) {
    return false;
  }
  shm::CompletionHeader header{};
  std::memcpy(&header, ring_ + offset, sizeof(header));
  if (header.bytes != bytes ||
      std::uint64_t{header.result_len} + header.reason_len > bytes - kHeaderBytes ||
      header.task_id == 0) {
    return false;
  }
  const char* data = ring_ + offset + kHeaderBytes;
  out.status = header.status;
  out.task_id = header.task_id;
  out.position = header.position;
  out.result = {data, header.result_len};
  out.reason = {data + header.result_len, header.reason_len};
  out.started_ns = header.started_ns;
  next = tail_ + bytes;
  return true;
}

}  // namespace tasq::taskpool
