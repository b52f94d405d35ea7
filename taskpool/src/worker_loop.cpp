#include "worker_loop.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "futex.h"

namespace tasq::taskpool {
namespace {

// Polls before sleeping: a master that publishes every reactor turn usually
// has the next batch ready within microseconds, and a futex round trip costs
// more than that.
constexpr int kSpinsBeforeSleep = 200;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

std::int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WorkerLoop::WorkerLoop(const SharedMemory& memory, std::uint32_t id, HandlerRunner& runner,
                       std::uint64_t max_request)
    : memory_(memory),
      header_(memory.header()),
      block_(memory.worker(id)),
      id_(id),
      runner_(runner),
      consumer_(memory.slots(), header_.slot_count, header_.slot_shift, header_.claim_hint, id),
      writer_(block_, memory.completion_ring(id), header_.ring_bytes,
              std::max<std::uint64_t>(header_.result_capacity, shm::kReasonBytes)),
      max_request_(max_request) {}

void WorkerLoop::run() {
  while (!stop_requested()) {
    if (max_request_ > 0 && tasks_done_ >= max_request_) {
      retire();
    } else if (!runner_.wait_until_ready()) {
      continue;  // asked to stop while the handler was getting ready
    } else if (auto record = claim_or_wait()) {
      execute(*record);
      ++tasks_done_;
    }
  }
}

void WorkerLoop::retire() {
  if (block_.retiring.exchange(1, std::memory_order_acq_rel) == 0) notify_master();
  block_.wake.store(shm::kRetired, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!stop_requested()) futex_wait(block_.wake, shm::kRetired);
}

bool WorkerLoop::stop_requested() const { return block_.stop.load(std::memory_order_acquire) != 0; }

std::optional<std::uint64_t> WorkerLoop::claim_or_wait() {
  for (int spin = 0; spin < kSpinsBeforeSleep; ++spin) {
    if (auto record = consumer_.try_claim()) return record;
    cpu_relax();
  }
  // Announce the sleep, then look once more: the master publishes, then
  // looks at `wake`; one of the two sees the other (both fence).
  block_.wake.store(shm::kWaitingForWork, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (auto record = consumer_.try_claim()) {
    block_.wake.store(shm::kRunning, std::memory_order_relaxed);
    return record;
  }
  if (!stop_requested()) futex_wait(block_.wake, shm::kWaitingForWork);
  block_.wake.store(shm::kRunning, std::memory_order_relaxed);
  return std::nullopt;
}

char* WorkerLoop::reserve_room() {
  for (;;) {
    if (char* data = writer_.try_reserve()) return data;
    notify_master();
    block_.wake.store(shm::kWaitingForRoom, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (char* data = writer_.try_reserve()) {
      block_.wake.store(shm::kRunning, std::memory_order_relaxed);
      return data;
    }
    futex_wait(block_.wake, shm::kWaitingForRoom);
    block_.wake.store(shm::kRunning, std::memory_order_relaxed);
  }
}

const shm::TaskRecord* WorkerLoop::record_at(std::uint64_t offset) const {
  const std::uint64_t arena_bytes = header_.arena_bytes;
  if (offset > arena_bytes || arena_bytes - offset < sizeof(shm::TaskRecord) ||
      offset % alignof(shm::TaskRecord) != 0) {
    return nullptr;
  }
  const auto* record = reinterpret_cast<const shm::TaskRecord*>(memory_.arena() + offset);
  const std::uint64_t room = arena_bytes - offset - sizeof(shm::TaskRecord);
  if (record->queue_len > room || record->payload_len > room - record->queue_len) return nullptr;
  return record;
}

void WorkerLoop::execute(std::uint64_t record_offset) {
  char* data = reserve_room();
  const shm::TaskRecord* record = record_at(record_offset);
  if (record == nullptr) {
    // Only a broken master could publish this. Dying hands the claim back to
    // the master, which requeues or dead-letters the task it meant.
    spdlog::critical("claimed a task record outside the arena (offset {}); exiting", record_offset);
    spdlog::default_logger()->flush();
    std::_Exit(70);  // EX_SOFTWARE
  }
  const std::uint64_t task_id = record->id;
  const std::int64_t started_ns = monotonic_ns();
  block_.busy_since_ns.store(started_ns, std::memory_order_relaxed);
  block_.current_task.store(task_id, std::memory_order_release);

  const TaskInput input{.id = task_id,
                        .queue = {record->queue(), record->queue_len},
                        .payload = {record->payload(), record->payload_len},
                        .attempt = record->attempt,
                        .worker_id = id_};
  tasq_result result{.data = data, .capacity = header_.result_capacity, .length = 0};
  TaskOutput output;
  try {
    output = runner_.run(input, result);
  } catch (const std::exception& e) {
    output = {.status = -1, .reason = std::string("handler threw: ") + e.what()};
  } catch (...) {
    output = {.status = -1, .reason = "handler threw an unknown exception"};
  }

  std::uint32_t result_len = 0;
  std::uint32_t reason_len = 0;
  if (output.status == 0) {
    result_len = static_cast<std::uint32_t>(std::min(result.length, result.capacity));
  } else {
    if (output.reason.empty()) output.reason = "handler status " + std::to_string(output.status);
    reason_len = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(output.reason.size(), writer_.data_capacity()));
    std::memcpy(data, output.reason.data(), reason_len);
  }
  writer_.commit(output.status, task_id, record_offset, result_len, reason_len, started_ns);
  block_.current_task.store(0, std::memory_order_relaxed);
  notify_master();
}

void WorkerLoop::notify_master() const {
  // Pairs with the master's fence between clearing the flag and reading the
  // rings: either it sees this worker's publication, or this sees 0.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (header_.master_notified.load(std::memory_order_relaxed) != 0) return;
  if (header_.master_notified.exchange(1, std::memory_order_acq_rel) != 0) return;
  const std::uint64_t one = 1;
  while (::write(shm::kNotifyFd, &one, sizeof(one)) < 0) {
    if (errno == EINTR) continue;
    if (errno != EAGAIN) spdlog::error("write(eventfd) to the master: {}", std::strerror(errno));
    break;
  }
}

}  // namespace tasq::taskpool
