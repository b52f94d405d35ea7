#pragma once
// Internal: the master's allocator over the payload part of the shared memory.
// Tasks end out of order and one slow task must not hold back the space of
// the ones after it, so this is a real allocator (Boost.Interprocess's
// best-fit red-black tree), not a byte ring freed in order. Only the master
// calls it; workers read records by offset.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace tasq::taskpool {

class PayloadArena {
 public:
  /// Manages `bytes` at `base`, which stays mapped for the arena's life.
  PayloadArena(char* base, std::size_t bytes);
  ~PayloadArena();
  PayloadArena(const PayloadArena&) = delete;
  PayloadArena& operator=(const PayloadArena&) = delete;

  /// The offset of `bytes` fresh bytes, or nullopt when no free block is that
  /// large (the ring is full: backpressure).
  std::optional<std::uint64_t> allocate(std::size_t bytes);
  void free(std::uint64_t offset);

  [[nodiscard]] char* at(std::uint64_t offset) const { return base_ + offset; }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  /// Bytes held by live allocations, their bookkeeping included.
  [[nodiscard]] std::size_t used() const;

 private:
  struct Impl;
  char* base_;
  std::size_t capacity_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tasq::taskpool
