#include "shared_memory.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace tasq::taskpool {
namespace {

constexpr std::size_t kPage = 4096;

constexpr std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

Layout plan(const LayoutRequest& request) {
  Layout l;
  l.worker_count = request.worker_count;
  std::size_t off = round_up(sizeof(shm::Header), kPage);
  l.settings_offset = off;
  l.settings_bytes = request.settings.size();
  off += round_up(request.settings.size(), kPage);
  l.blocks_offset = off;
  off += round_up(request.worker_count * sizeof(shm::MasterBlock), kPage);
  l.queue_slots = queue_slots_for(request.arena_bytes, request.worker_count);
  l.queues_offset = off;
  off += round_up(std::size_t{request.worker_count} * l.queue_slots * sizeof(shm::TaskSlot), kPage);
  l.arena_offset = off;
  l.arena_bytes = round_up(request.arena_bytes, kPage);
  off += l.arena_bytes;
  l.total_bytes = off;
  l.result_capacity = request.result_capacity;
  l.ring_offset = round_up(sizeof(shm::WorkerState), kPage);
  l.ring_bytes = completion_ring_bytes(request.result_capacity);
  l.worker_region_bytes = l.ring_offset + l.ring_bytes;
  return l;
}

void write_header(shm::Header& h, const Layout& l, std::int64_t master_pid) {
  h.worker_count = l.worker_count;
  h.total_bytes = l.total_bytes;
  h.master_pid = master_pid;
  h.settings_offset = l.settings_offset;
  h.settings_bytes = l.settings_bytes;
  h.blocks_offset = l.blocks_offset;
  h.queues_offset = l.queues_offset;
  h.queue_slots = l.queue_slots;
  h.arena_offset = l.arena_offset;
  h.arena_bytes = l.arena_bytes;
  h.result_capacity = l.result_capacity;
  h.worker_region_bytes = l.worker_region_bytes;
  h.ring_offset = l.ring_offset;
  h.ring_bytes = l.ring_bytes;
  h.version = shm::kLayoutVersion;
  h.magic = shm::kMagic;
}

bool section_fits(std::uint64_t offset, std::uint64_t bytes, std::uint64_t total) {
  return offset <= total && bytes <= total - offset;
}

/// The worker's check of what the master wrote: it trusts the master, but a
/// descriptor that is not a pool of this version must not crash it.
Layout read_header(const shm::Header& h, std::size_t size) {
  if (h.magic != shm::kMagic || h.version != shm::kLayoutVersion) {
    throw std::runtime_error("the shared memory is not a tasq pool of this version");
  }
  Layout l;
  l.worker_count = h.worker_count;
  l.total_bytes = h.total_bytes;
  l.settings_offset = h.settings_offset;
  l.settings_bytes = h.settings_bytes;
  l.blocks_offset = h.blocks_offset;
  l.queues_offset = h.queues_offset;
  l.queue_slots = h.queue_slots;
  l.arena_offset = h.arena_offset;
  l.arena_bytes = h.arena_bytes;
  l.result_capacity = h.result_capacity;
  l.worker_region_bytes = h.worker_region_bytes;
  l.ring_offset = h.ring_offset;
  l.ring_bytes = h.ring_bytes;
  const bool sane =
      l.total_bytes == size && l.worker_count > 0 && l.worker_count <= shm::kMaxWorkers &&
      std::has_single_bit(l.queue_slots) &&
      section_fits(l.settings_offset, l.settings_bytes, size) &&
      section_fits(l.blocks_offset, l.worker_count * sizeof(shm::MasterBlock), size) &&
      section_fits(l.queues_offset,
                   std::uint64_t{l.worker_count} * l.queue_slots * sizeof(shm::TaskSlot), size) &&
      l.arena_offset % kPage == 0 && section_fits(l.arena_offset, l.arena_bytes, size) &&
      l.ring_bytes % kPage == 0 && l.ring_bytes > l.result_capacity &&
      l.ring_offset >= sizeof(shm::WorkerState) &&
      section_fits(l.ring_offset, l.ring_bytes, l.worker_region_bytes);
  if (!sane) throw std::runtime_error("the shared memory's layout is inconsistent");
  return l;
}

int make_memfd(const char* name, std::uint64_t bytes) {
  const int fd = ::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) throw_errno("memfd_create(tasq shared memory)");
  if (::ftruncate(fd, static_cast<off_t>(bytes)) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    throw_errno("ftruncate(tasq shared memory)");
  }
  return fd;
}

}  // namespace

std::uint32_t queue_slots_for(std::size_t arena_bytes, std::uint32_t worker_count) {
  const std::size_t per_worker = arena_bytes / 512 / std::max<std::uint32_t>(worker_count, 1);
  return static_cast<std::uint32_t>(std::bit_ceil(std::clamp<std::size_t>(per_worker, 64, 16384)));
}

std::size_t completion_ring_bytes(std::size_t result_capacity) {
  const std::size_t record =
      sizeof(shm::CompletionHeader) + std::max(result_capacity, shm::kReasonBytes);
  return round_up(2 * round_up(record, 8), kPage);
}

// ---- SharedMemory ---------------------------------------------------------------

SharedMemory::~SharedMemory() { close(); }

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      base_(std::exchange(other.base_, nullptr)),
      layout_(other.layout_),
      sealed_(other.sealed_) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    base_ = std::exchange(other.base_, nullptr);
    layout_ = other.layout_;
    sealed_ = other.sealed_;
  }
  return *this;
}

void SharedMemory::close() {
  if (base_ != nullptr) ::munmap(base_, layout_.total_bytes);
  close_fd();
  base_ = nullptr;
}

void SharedMemory::close_fd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

SharedMemory SharedMemory::create(const LayoutRequest& request, std::int64_t master_pid) {
  SharedMemory memory;
  memory.layout_ = plan(request);
  const Layout& l = memory.layout_;
  memory.fd_ = make_memfd("tasq-pool", l.total_bytes);
  void* base = ::mmap(nullptr, l.total_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memory.fd_, 0);
  if (base == MAP_FAILED) throw_errno("mmap(tasq-pool)");
  memory.base_ = static_cast<char*>(base);

  auto* header = new (memory.base_) shm::Header();
  for (std::uint32_t id = 0; id < l.worker_count; ++id) {
    new (&memory.block(id)) shm::MasterBlock();
    shm::TaskSlot* slots = memory.queue(id);
    for (std::uint32_t i = 0; i < l.queue_slots; ++i) new (&slots[i]) shm::TaskSlot();
  }
  if (!request.settings.empty()) {
    std::memcpy(memory.base_ + l.settings_offset, request.settings.data(), request.settings.size());
  }
  write_header(*header, l, master_pid);

  // The master's own mapping stays writable; every later one (a worker's)
  // can only read, and cannot be made writable: F_SEAL_FUTURE_WRITE takes
  // the right to write away from the file itself.
  if (::fcntl(memory.fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE) == 0) {
    memory.sealed_ = true;
  } else if (errno == EINVAL) {
    spdlog::error(
        "this kernel cannot seal the pool's shared memory against writes (F_SEAL_FUTURE_WRITE "
        "needs Linux 5.1): a worker's handler could make the task payloads writable");
    if (::fcntl(memory.fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
      throw_errno("fcntl(tasq-pool, F_ADD_SEALS)");
    }
  } else {
    throw_errno("fcntl(tasq-pool, F_ADD_SEALS)");
  }
  if (::fcntl(memory.fd_, F_ADD_SEALS, F_SEAL_SEAL) != 0) {
    throw_errno("fcntl(tasq-pool, F_ADD_SEALS, F_SEAL_SEAL)");
  }
  return memory;
}

SharedMemory SharedMemory::attach(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_errno("fstat(tasq-pool)");
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < sizeof(shm::Header)) {
    throw std::runtime_error("the shared memory is too small to be a tasq pool");
  }
  // Read-only, and sealed so: the master's words are not a worker's to change.
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) throw_errno("mmap(tasq-pool, PROT_READ)");
  SharedMemory memory;
  memory.base_ = static_cast<char*>(base);
  memory.fd_ = fd;
  memory.layout_.total_bytes = size;  // for munmap, should the check throw
  memory.layout_ = read_header(memory.header(), size);
  const int seals = ::fcntl(fd, F_GET_SEALS);
  memory.sealed_ = seals >= 0 && (seals & F_SEAL_FUTURE_WRITE) != 0;
  return memory;
}

shm::MasterBlock& SharedMemory::block(std::uint32_t worker) const {
  return reinterpret_cast<shm::MasterBlock*>(base_ + layout_.blocks_offset)[worker];
}

shm::TaskSlot* SharedMemory::queue(std::uint32_t worker) const {
  return reinterpret_cast<shm::TaskSlot*>(base_ + layout_.queues_offset) +
         std::size_t{worker} * layout_.queue_slots;
}

std::string_view SharedMemory::settings() const {
  return {base_ + layout_.settings_offset, layout_.settings_bytes};
}

// ---- WorkerRegion ---------------------------------------------------------------

WorkerRegion::~WorkerRegion() { close(); }

WorkerRegion::WorkerRegion(WorkerRegion&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      base_(std::exchange(other.base_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      ring_offset_(other.ring_offset_),
      ring_bytes_(other.ring_bytes_) {}

WorkerRegion& WorkerRegion::operator=(WorkerRegion&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    ring_offset_ = other.ring_offset_;
    ring_bytes_ = other.ring_bytes_;
  }
  return *this;
}

void WorkerRegion::close() {
  if (base_ != nullptr) ::munmap(base_, size_);
  close_fd();
  base_ = nullptr;
  size_ = 0;
}

void WorkerRegion::close_fd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

WorkerRegion WorkerRegion::create(const Layout& layout) {
  WorkerRegion region;
  region.fd_ = make_memfd("tasq-worker", layout.worker_region_bytes);
  // Sealed against resizing: a worker that shrank its region would turn the
  // master's next read of it into SIGBUS.
  if (::fcntl(region.fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    throw_errno("fcntl(tasq-worker, F_ADD_SEALS)");
  }
  void* base = ::mmap(nullptr, layout.worker_region_bytes, PROT_READ, MAP_SHARED, region.fd_, 0);
  if (base == MAP_FAILED) throw_errno("mmap(tasq-worker, PROT_READ)");
  region.base_ = static_cast<char*>(base);
  region.size_ = layout.worker_region_bytes;
  region.ring_offset_ = layout.ring_offset;
  region.ring_bytes_ = layout.ring_bytes;
  return region;
}

WorkerRegion WorkerRegion::attach(int fd, const shm::Header& header) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_errno("fstat(tasq-worker)");
  if (static_cast<std::uint64_t>(st.st_size) != header.worker_region_bytes) {
    throw std::runtime_error("the worker's shared memory does not have the pool's size");
  }
  void* base =
      ::mmap(nullptr, header.worker_region_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) throw_errno("mmap(tasq-worker)");
  WorkerRegion region;
  region.fd_ = fd;
  region.base_ = static_cast<char*>(base);
  region.size_ = header.worker_region_bytes;
  region.ring_offset_ = header.ring_offset;
  region.ring_bytes_ = header.ring_bytes;
  return region;
}

}  // namespace tasq::taskpool
