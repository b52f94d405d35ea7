#include "shared_memory.h"

#include <fcntl.h>
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

/// Offsets of every section; the same computation on both sides would do,
/// but the worker trusts the header the master wrote and only checks it.
void plan(shm::Header& h, const LayoutRequest& request) {
  std::size_t off = round_up(sizeof(shm::Header), kPage);
  h.settings_offset = off;
  h.settings_bytes = request.settings.size();
  off += round_up(request.settings.size(), kPage);
  h.workers_offset = off;
  off += round_up(request.worker_count * sizeof(shm::WorkerBlock), kPage);
  h.slot_count = slot_count_for(request.arena_bytes);
  h.slot_shift = static_cast<std::uint32_t>(std::countr_zero(h.slot_count));
  h.slots_offset = off;
  off += round_up(std::size_t{h.slot_count} * sizeof(shm::Slot), kPage);
  h.result_capacity = request.result_capacity;
  h.ring_bytes = completion_ring_bytes(request.result_capacity);
  h.rings_offset = off;
  off += request.worker_count * h.ring_bytes;
  h.arena_offset = off;
  h.arena_bytes = round_up(request.arena_bytes, kPage);
  off += h.arena_bytes;
  h.total_bytes = off;
}

bool section_fits(std::uint64_t offset, std::uint64_t bytes, std::uint64_t total) {
  return offset <= total && bytes <= total - offset;
}

void check_header(const shm::Header& h, std::size_t size) {
  if (h.magic != shm::kMagic || h.version != shm::kLayoutVersion) {
    throw std::runtime_error("the shared memory is not a tasq pool of this version");
  }
  const bool sane =
      h.total_bytes == size && h.worker_count > 0 && h.worker_count <= shm::kMaxWorkers &&
      std::has_single_bit(h.slot_count) && h.slot_shift < 32 &&
      (1u << h.slot_shift) == h.slot_count &&
      section_fits(h.settings_offset, h.settings_bytes, size) &&
      section_fits(h.workers_offset, h.worker_count * sizeof(shm::WorkerBlock), size) &&
      section_fits(h.slots_offset, std::uint64_t{h.slot_count} * sizeof(shm::Slot), size) &&
      h.ring_bytes % kPage == 0 && h.ring_bytes > h.result_capacity &&
      section_fits(h.rings_offset, h.worker_count * h.ring_bytes, size) &&
      h.arena_offset % kPage == 0 && section_fits(h.arena_offset, h.arena_bytes, size);
  if (!sane) throw std::runtime_error("the shared memory's layout is inconsistent");
}

}  // namespace

std::uint32_t slot_count_for(std::size_t arena_bytes) {
  const std::size_t wanted = std::clamp<std::size_t>(arena_bytes / 512, 1024, 1u << 20);
  return static_cast<std::uint32_t>(std::bit_ceil(wanted));
}

std::size_t completion_ring_bytes(std::size_t result_capacity) {
  const std::size_t record =
      sizeof(shm::CompletionHeader) + std::max(result_capacity, shm::kReasonBytes);
  return round_up(2 * round_up(record, 8), kPage);
}

SharedMemory::~SharedMemory() { close(); }

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      base_(std::exchange(other.base_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void SharedMemory::close() {
  if (base_ != nullptr) ::munmap(base_, size_);
  if (fd_ >= 0) ::close(fd_);
  base_ = nullptr;
  fd_ = -1;
}

SharedMemory SharedMemory::create(const LayoutRequest& request, std::int64_t master_pid) {
  shm::Header plan_only{};
  plan(plan_only, request);

  SharedMemory memory;
  memory.fd_ = ::memfd_create("tasq-pool", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memory.fd_ < 0) throw_errno("memfd_create(tasq-pool)");
  if (::ftruncate(memory.fd_, static_cast<off_t>(plan_only.total_bytes)) != 0) {
    throw_errno("ftruncate(tasq-pool)");
  }
  if (::fcntl(memory.fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    throw_errno("fcntl(tasq-pool, F_ADD_SEALS)");
  }
  void* base =
      ::mmap(nullptr, plan_only.total_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memory.fd_, 0);
  if (base == MAP_FAILED) throw_errno("mmap(tasq-pool)");
  memory.base_ = static_cast<char*>(base);
  memory.size_ = plan_only.total_bytes;

  auto* header = new (memory.base_) shm::Header();
  plan(*header, request);
  header->worker_count = request.worker_count;
  header->master_pid = master_pid;
  for (std::uint32_t id = 0; id < request.worker_count; ++id) {
    new (&memory.worker(id)) shm::WorkerBlock();
  }
  shm::Slot* slots = memory.slots();
  for (std::uint32_t i = 0; i < header->slot_count; ++i) new (&slots[i]) shm::Slot();
  if (!request.settings.empty()) {
    std::memcpy(memory.base_ + header->settings_offset, request.settings.data(),
                request.settings.size());
  }
  header->version = shm::kLayoutVersion;
  header->magic = shm::kMagic;
  return memory;
}

SharedMemory SharedMemory::attach(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_errno("fstat(tasq-pool)");
  SharedMemory memory;
  memory.size_ = static_cast<std::size_t>(st.st_size);
  if (memory.size_ < sizeof(shm::Header)) {
    throw std::runtime_error("the shared memory is too small to be a tasq pool");
  }
  void* base = ::mmap(nullptr, memory.size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) throw_errno("mmap(tasq-pool)");
  memory.base_ = static_cast<char*>(base);
  memory.fd_ = fd;
  check_header(memory.header(), memory.size_);
  // Payloads are the master's: a handler bug in a worker must not be able to
  // rewrite another task or the allocator's bookkeeping.
  if (::mprotect(memory.arena(), memory.header().arena_bytes, PROT_READ) != 0) {
    throw_errno("mprotect(tasq-pool arena, PROT_READ)");
  }
  return memory;
}

shm::WorkerBlock& SharedMemory::worker(std::uint32_t id) const {
  return reinterpret_cast<shm::WorkerBlock*>(base_ + header().workers_offset)[id];
}

shm::Slot* SharedMemory::slots() const {
  return reinterpret_cast<shm::Slot*>(base_ + header().slots_offset);
}

char* SharedMemory::completion_ring(std::uint32_t id) const {
  return base_ + header().rings_offset + id * header().ring_bytes;
}

char* SharedMemory::arena() const { return base_ + header().arena_offset; }

std::string_view SharedMemory::settings() const {
  return {base_ + header().settings_offset, header().settings_bytes};
}

}  // namespace tasq::taskpool
