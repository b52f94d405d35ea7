#pragma once
// Internal: the pool's shared memory, split by writer (see shm_layout.h).
//
// SharedMemory is the master's region: created, mapped and sealed by the
// master, mapped read-only by each worker from the descriptor it inherits.
// WorkerRegion is one worker process's own region: created by the master for
// each process it starts (so nothing a dead worker left in it reaches the
// next), mapped read-only by the master and read-write by that worker.
//
// memfds rather than named shm_open objects: no name another local process
// could open, and nothing is left behind in /dev/shm when the master is
// killed. Seals keep a worker from resizing either under the master (SIGBUS)
// and from ever writing the master's.

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

/// Task slots in each worker's queue: the arena's room for tasks of 512
/// bytes shared among the workers, a power of two in [64, 16384]. A worker
/// never holds more tasks than that; the master keeps the rest.
std::uint32_t queue_slots_for(std::size_t arena_bytes, std::uint32_t worker_count);

/// Bytes of one worker's completion ring: room for two of the largest records.
std::size_t completion_ring_bytes(std::size_t result_capacity);

/// Where the sections are: computed by the master, which keeps its own copy
/// and never reads the shared header back.
struct Layout {
  std::uint32_t worker_count = 0;
  std::uint64_t total_bytes = 0;
  std::uint64_t settings_offset = 0, settings_bytes = 0;
  std::uint64_t blocks_offset = 0;
  std::uint64_t queues_offset = 0;
  std::uint32_t queue_slots = 0;
  std::uint64_t arena_offset = 0, arena_bytes = 0;
  std::uint64_t result_capacity = 0;
  std::uint64_t worker_region_bytes = 0;
  std::uint64_t ring_offset = 0, ring_bytes = 0;
};

/// The master's region.
class SharedMemory {
 public:
  SharedMemory() = default;
  ~SharedMemory();
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&& other) noexcept;

  /// Master: creates, sizes and maps the memfd, fills in the header, then
  /// seals it so that no later mapping can write. Throws std::system_error
  /// naming the failed call.
  static SharedMemory create(const LayoutRequest& request, std::int64_t master_pid);
  /// Worker: maps the memfd it inherited read-only and checks the header.
  /// Throws std::runtime_error on a foreign or torn layout.
  static SharedMemory attach(int fd);

  [[nodiscard]] int fd() const { return fd_; }
  /// Closes the descriptor; the mapping stays (a worker, once attached).
  void close_fd();
  /// Whether writes through any later mapping are refused by the kernel
  /// (F_SEAL_FUTURE_WRITE, Linux 5.1).
  [[nodiscard]] bool sealed() const { return sealed_; }
  [[nodiscard]] const Layout& layout() const { return layout_; }

  [[nodiscard]] shm::Header& header() const { return *reinterpret_cast<shm::Header*>(base_); }
  [[nodiscard]] shm::MasterBlock& block(std::uint32_t worker) const;
  [[nodiscard]] shm::TaskSlot* queue(std::uint32_t worker) const;
  [[nodiscard]] char* arena() const { return base_ + layout_.arena_offset; }
  [[nodiscard]] std::string_view settings() const;

 private:
  void close();

  int fd_ = -1;
  char* base_ = nullptr;
  Layout layout_;
  bool sealed_ = false;
};

/// One worker process's region.
class WorkerRegion {
 public:
  WorkerRegion() = default;
  ~WorkerRegion();
  WorkerRegion(const WorkerRegion&) = delete;
  WorkerRegion& operator=(const WorkerRegion&) = delete;
  WorkerRegion(WorkerRegion&& other) noexcept;
  WorkerRegion& operator=(WorkerRegion&& other) noexcept;

  /// Master: a fresh, zeroed region for a process about to start, sealed
  /// against resizing, mapped read-only here. Throws std::system_error.
  static WorkerRegion create(const Layout& layout);
  /// Worker: maps its region read-write; checks its size against the layout.
  static WorkerRegion attach(int fd, const shm::Header& header);

  [[nodiscard]] bool mapped() const { return base_ != nullptr; }
  [[nodiscard]] int fd() const { return fd_; }
  /// Closes the descriptor; the mapping stays.
  void close_fd();

  [[nodiscard]] shm::WorkerState& state() const {
    return *reinterpret_cast<shm::WorkerState*>(base_);
  }
  [[nodiscard]] char* ring() const { return base_ + ring_offset_; }
  [[nodiscard]] std::uint64_t ring_bytes() const { return ring_bytes_; }

 private:
  void close();

  int fd_ = -1;
  char* base_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t ring_offset_ = 0, ring_bytes_ = 0;
};

}  // namespace tasq::taskpool
