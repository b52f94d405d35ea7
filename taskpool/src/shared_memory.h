#pragma once
// Internal: the pool's shared memory — a sealed memfd mapped by the master and
// inherited by each worker as a descriptor — and the typed views into it.
//
// A memfd rather than a named shm_open object: it has no name another local
// process could open, and nothing is left behind in /dev/shm when the master
// is killed. Seals keep a worker from resizing it under the master (SIGBUS).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shm_layout.h"

namespace tasq::taskpool {

/// Sizes the master decides; everything else in the layout follows from them.
struct LayoutRequest {
  std::uint32_t worker_count;
  std::size_t arena_bytes;
  std::size_t result_capacity;
  std::string_view settings;  ///< the encoded WorkerSettings, copied in
};

/// Slots in the dispatch queue for an arena: one per 512 bytes, a power of
/// two in [1024, 1 << 20]. More slots than tasks fit is waste; fewer is fine,
/// the master keeps the overflow until slots free up.
std::uint32_t slot_count_for(std::size_t arena_bytes);

/// Bytes of one worker's completion ring: room for two of the largest records.
std::size_t completion_ring_bytes(std::size_t result_capacity);

class SharedMemory {
 public:
  SharedMemory() = default;
  ~SharedMemory();
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&& other) noexcept;

  /// Master: creates, sizes, seals and maps the memfd and fills in the
  /// header (offsets, sizes, magic). Throws std::system_error naming the call.
  static SharedMemory create(const LayoutRequest& request, std::int64_t master_pid);
  /// Worker: maps the memfd it inherited and checks the header; the arena is
  /// mapped read-only. Throws std::runtime_error on a foreign or torn layout.
  static SharedMemory attach(int fd);

  [[nodiscard]] int fd() const { return fd_; }
  [[nodiscard]] shm::Header& header() const { return *reinterpret_cast<shm::Header*>(base_); }
  [[nodiscard]] shm::WorkerBlock& worker(std::uint32_t id) const;
  [[nodiscard]] shm::Slot* slots() const;
  [[nodiscard]] char* completion_ring(std::uint32_t id) const;
  [[nodiscard]] char* arena() const;
  [[nodiscard]] std::string_view settings() const;

 private:
  void close();

  int fd_ = -1;
  char* base_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace tasq::taskpool
