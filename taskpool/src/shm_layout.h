#pragma once
// Internal: what the master and its workers share, byte for byte.
//
// The memory is split by writer, so that no worker can write anything the
// master or another worker relies on:
//
// The master's region, one memfd, each section page-aligned:
//   [Header][settings blob][MasterBlock x N][TaskSlot x queue_slots x N][payload arena]
// Only the master writes it. It is sealed (F_SEAL_FUTURE_WRITE) once the
// master has mapped it, so a worker can map it read-only and nothing else:
// no mprotect, write(2) or /proc/self/mem undoes that.
//
// Each worker's region, one memfd per worker process:
//   [WorkerState][completion ring]
// Only that worker writes it; the master maps it read-only and treats every
// word in it as a claim, checked against what the master itself keeps in its
// own memory (which task it published at which position, every offset and
// length). A worker whose claims do not add up is killed.

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tasq::taskpool::shm {

inline constexpr std::uint64_t kMagic = 0x74617371'706f6f6cULL;  // "tasqpool"
inline constexpr std::uint32_t kLayoutVersion = 2;

/// Descriptors a worker finds open when it starts: its own eventfd to the
/// master, the master's region and its own region. Every other descriptor is
/// closed before exec; the worker closes the two memfds once it has mapped
/// them and marks the eventfd close-on-exec.
inline constexpr int kNotifyFd = 3;
inline constexpr int kMemoryFd = 4;
inline constexpr int kWorkerMemoryFd = 5;
/// The environment variable that makes tasqd a worker; its value is the id.
inline constexpr const char* kWorkerEnv = "TASQ_POOL_WORKER";
/// Exit code of a worker that cannot run with its settings (sysexits'
/// EX_CONFIG): the master logs it and backs off instead of respawning at once.
inline constexpr int kExitConfig = 78;

inline constexpr std::uint32_t kMaxWorkers = 1024;
/// Room for a failure reason when the result capacity is smaller.
inline constexpr std::size_t kReasonBytes = 4096;

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

// ---- the master's region --------------------------------------------------

/// Where everything is, for the workers: the master keeps its own copy of
/// these numbers and never reads them back.
struct Header {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t worker_count;
  std::uint64_t total_bytes;
  std::int64_t master_pid;
  std::uint64_t settings_offset, settings_bytes;
  std::uint64_t blocks_offset;  ///< MasterBlock x worker_count
  std::uint64_t queues_offset;  ///< TaskSlot x queue_slots, worker after worker
  std::uint32_t queue_slots;    ///< per worker, a power of two
  std::uint32_t reserved;
  std::uint64_t arena_offset, arena_bytes;
  std::uint64_t result_capacity;      ///< most bytes a handler may return
  std::uint64_t worker_region_bytes;  ///< each worker's region, its ring included
  std::uint64_t ring_offset;          ///< of the completion ring in a worker's region
  std::uint64_t ring_bytes;

  /// Bumped by the master before each look at the workers' regions. A worker
  /// that already told the master (eventfd) since the value it sees needs not
  /// tell it again: the master will look after that.
  alignas(64) std::atomic<std::uint64_t> drain_seq;
};

/// The master's words to one worker.
struct MasterBlock {
  /// The worker's futex: the master changes it to wake a sleeping worker.
  alignas(64) std::atomic<std::uint32_t> wake;
  std::atomic<std::uint32_t> stop;  ///< finish the current task, then exit
  /// Task positions published to this worker: it may take those below. The
  /// master lowers it to take back what the worker has not taken yet.
  alignas(64) std::atomic<std::uint64_t> published;
  /// The completion ring is consumed up to this byte position.
  alignas(64) std::atomic<std::uint64_t> done_tail;
};

/// Task position p of a worker lives in its slot p % queue_slots: the arena
/// offset of the TaskRecord.
struct TaskSlot {
  std::atomic<std::uint64_t> record;
};

/// A task in the arena, followed by its queue name and then its payload.
/// Written for the workers; the master keeps its own copy of every field.
struct TaskRecord {
  std::uint64_t id;
  std::uint64_t payload_len;
  std::uint32_t queue_len;
  std::uint32_t attempt;

  [[nodiscard]] const char* queue() const { return reinterpret_cast<const char*>(this + 1); }
  [[nodiscard]] const char* payload() const { return queue() + queue_len; }
};

// ---- a worker's region ----------------------------------------------------

/// What a worker says it is doing (the low byte of WorkerState::sleep).
enum WakeState : std::uint32_t {
  kRunning = 0,
  kWaitingForWork = 1,  ///< woken by the master when it publishes tasks to it
  kWaitingForRoom = 2,  ///< woken when the master drains its completion ring
  kRetired = 3,         ///< done max_request tasks; woken only by the stop request
};

struct WorkerState {
  /// taken << 1 | taking. The worker sets `taking`, looks at `published`,
  /// and then moves `taken` past the task it took (or clears `taking`).
  /// Positions below `taken` are the worker's; a task it has not taken can
  /// be taken back by the master (see DispatchProducer::revoke).
  alignas(64) std::atomic<std::uint64_t> claim;
  /// The completion ring holds records up to this byte position.
  alignas(64) std::atomic<std::uint64_t> done_head;
  /// wake value seen << 8 | WakeState: the worker sleeps on its futex while
  /// MasterBlock::wake still holds that value.
  alignas(64) std::atomic<std::uint64_t> sleep;
  std::atomic<std::uint32_t> ready;         ///< handler loaded, worker_start done
  std::atomic<std::uint32_t> retiring;      ///< ended max_request tasks, takes no more
  std::atomic<std::uint64_t> current_task;  ///< id of the running task, 0 when idle
  std::atomic<std::int64_t> busy_since_ns;  ///< CLOCK_MONOTONIC start of that task
};

constexpr std::uint64_t claim_word(std::uint64_t taken, bool taking) {
  return taken << 1 | (taking ? 1u : 0u);
}
constexpr std::uint64_t claim_taken(std::uint64_t word) { return word >> 1; }
constexpr bool claim_taking(std::uint64_t word) { return (word & 1u) != 0; }

constexpr std::uint64_t sleep_word(std::uint32_t wake_seen, WakeState state) {
  return std::uint64_t{wake_seen} << 8 | state;
}
constexpr std::uint32_t sleep_wake_seen(std::uint64_t word) {
  return static_cast<std::uint32_t>(word >> 8);
}
constexpr std::uint32_t sleep_state(std::uint64_t word) {
  return static_cast<std::uint32_t>(word & 0xffu);
}

/// One record of a completion ring, followed by result then reason bytes.
/// `bytes` covers the whole record, padded to 8; kWrapBit marks filler that
/// runs to the end of the ring.
struct CompletionHeader {
  std::uint32_t bytes;
  std::int32_t status;
  std::uint64_t task_id;
  std::uint64_t position;  ///< the task's position in the worker's queue
  std::uint32_t result_len;
  std::uint32_t reason_len;
  std::int64_t started_ns;  ///< CLOCK_MONOTONIC start of the attempt (a claim, for reports only)
};
inline constexpr std::uint32_t kWrapBit = 0x80000000u;

}  // namespace tasq::taskpool::shm
