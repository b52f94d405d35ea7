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

WorkerLoop::WorkerLoop(const SharedMemory& memory, const WorkerRegion& own, std::uint32_t id,
                       HandlerRunner& runner, std::uint64_t max_request)
    : memory_(memory),
      header_(memory.header()),
      block_(memory.block(id)),
      state_(own.state()),
      id_(id),
      runner_(runner),
      consumer_(block_, memory.queue(id), memory.layout().queue_slots, state_),
      writer_(state_, block_, own.ring(), own.ring_bytes(),
              std::max<std::uint64_t>(memory.layout().result_capacity, shm::kReasonBytes)),
      max_request_(max_request) {}

void WorkerLoop::run() {
  while (!stop_requested()) {
    if (max_request_ > 0 && tasks_done_ >= max_request_) {
      retire();
    } else if (!runner_.wait_until_ready()) {
      continue;  // asked to stop while the handler was getting ready
    } else if (auto task = claim_or_wait()) {
      execute(*task);
      ++tasks_done_;
    }
  }
}

void WorkerLoop::retire() {
  if (state_.retiring.exchange(1, std::memory_order_acq_rel) == 0) notify_master();
  sleep_unless(shm::kRetired, [] { return false; });
}

bool WorkerLoop::stop_requested() const { return block_.stop.load(std::memory_order_acquire) != 0; }

// The wake word is the master's; the worker says which value of it it saw
// before it looked once more. The master changes the word (and wakes) only
// when the value still matches, so a busy pool makes no system call, and
// whatever the interleaving one side sees the other (both fence).
template <typename Ready>
void WorkerLoop::sleep_unless(shm::WakeState state, Ready&& ready) {
  const std::uint32_t seen = block_.wake.load(std::memory_order_acquire);
  state_.sleep.store(shm::sleep_word(seen, state), std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!ready() && !stop_requested()) futex_wait(block_.wake, seen);
  state_.sleep.store(shm::sleep_word(0, shm::kRunning), std::memory_order_relaxed);
}

std::optional<DispatchConsumer::Task> WorkerLoop::claim_or_wait() {
  for (int spin = 0; spin < kSpinsBeforeSleep; ++spin) {
    if (auto task = consumer_.try_take()) return task;
    cpu_relax();
  }
  sleep_unless(shm::kWaitingForWork, [this] { return consumer_.work_visible(); });
  return consumer_.try_take();
}

char* WorkerLoop::reserve_room() {
  for (;;) {
    if (char* data = writer_.try_reserve()) return data;
    notify_master();
    char* data = nullptr;
    sleep_unless(shm::kWaitingForRoom, [&] { return (data = writer_.try_reserve()) != nullptr; });
    if (data != nullptr) return data;
  }
}

const shm::TaskRecord* WorkerLoop::record_at(std::uint64_t offset) const {
  const std::uint64_t arena_bytes = memory_.layout().arena_bytes;
  if (offset > arena_bytes || arena_bytes - offset < sizeof(shm::TaskRecord) ||
      offset % alignof(shm::TaskRecord) != 0) {
    return nullptr;
  }
  const auto* record = reinterpret_cast<const shm::TaskRecord*>(memory_.arena() + offset);
  const std::uint64_t room = arena_bytes - offset - sizeof(shm::TaskRecord);
  if (record->queue_len > room || record->payload_len > room - record->queue_len) return nullptr;
  return record;
}

void WorkerLoop::execute(const DispatchConsumer::Task& task) {
  char* data = reserve_room();
  const shm::TaskRecord* record = record_at(task.record);
  if (record == nullptr) {
    // Only a broken master could publish this. Dying hands the task back to
    // the master, which requeues or dead-letters it.
    spdlog::critical("took a task whose record (offset {}) is not in the arena; exiting",
                     task.record);
    spdlog::default_logger()->flush();
    std::_Exit(70);  // EX_SOFTWARE
  }
  const std::uint64_t task_id = record->id;
  const std::int64_t started_ns = monotonic_ns();
  state_.busy_since_ns.store(started_ns, std::memory_order_relaxed);
  state_.current_task.store(task_id, std::memory_order_release);

  const TaskInput input{.id = task_id,
                        .queue = {record->queue(), record->queue_len},
                        .payload = {record->payload(), record->payload_len},
                        .attempt = record->attempt,
                        .worker_id = id_};
  tasq_result result{.data = data, .capacity = memory_.layout().result_capacity, .length = 0};
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
  writer_.commit(output.status, task_id, task.position, result_len, reason_len, started_ns);
  state_.current_task.store(0, std::memory_order_relaxed);
  notify_master();
}

void WorkerLoop::notify_master() {
  // Pairs with the master's fence between bumping drain_seq and reading the
  // workers' regions: either it sees what this worker published, or this
  // sees the new drain_seq and writes the eventfd again.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const std::uint64_t seq = header_.drain_seq.load(std::memory_order_relaxed);
  if (seq == notified_at_) return;
  notified_at_ = seq;
  const std::uint64_t one = 1;
  while (::write(shm::kNotifyFd, &one, sizeof(one)) < 0) {
    if (errno == EINTR) continue;
    // EAGAIN: the counter is full, so the master has a wake-up pending anyway.
    if (errno != EAGAIN) spdlog::error("write(eventfd) to the master: {}", std::strerror(errno));
    break;
  }
}

}  // namespace tasq::taskpool
