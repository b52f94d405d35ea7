#pragma once
// Internal: what the master and its workers share, byte for byte.
//
// One memfd holds, each section page-aligned:
//   [Header][settings blob][WorkerBlock x N][Slot x slot_count]
//   [completion ring x N][payload arena]
// The master alone writes the header, the settings and the arena (workers map
// the arena read-only). Workers write slot states (their claims) and their own
// completion ring; the rest of a WorkerBlock is split between the two sides as
// its comments say.

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tasq::taskpool::shm {

inline constexpr std::uint64_t kMagic = 0x74617371'706f6f6cULL;  // "tasqpool"
inline constexpr std::uint32_t kLayoutVersion = 1;

/// Descriptors a worker finds open when it starts: the master's eventfd and
/// the shared memory. Every other descriptor is closed before exec.
inline constexpr int kNotifyFd = 3;
inline constexpr int kMemoryFd = 4;
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

struct Header {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t worker_count;
  std::uint64_t total_bytes;
  std::int64_t master_pid;
  std::uint64_t settings_offset, settings_bytes;
  std::uint64_t workers_offset;
  std::uint64_t slots_offset;
  std::uint32_t slot_count;  ///< a power of two
  std::uint32_t slot_shift;  ///< log2(slot_count)
  std::uint64_t rings_offset;
  std::uint64_t ring_bytes;       ///< each worker's completion ring
  std::uint64_t result_capacity;  ///< most bytes a handler may return
  std::uint64_t arena_offset, arena_bytes;

  /// Where workers start looking for the next task: a hint, advanced past
  /// every claim, never trusted for correctness.
  alignas(64) std::atomic<std::uint64_t> claim_hint;
  /// 1 while the master has been told (eventfd) and not yet drained: workers
  /// write the eventfd only when they turn it from 0 to 1.
  alignas(64) std::atomic<std::uint32_t> master_notified;
};

/// Values of WorkerBlock::wake, the worker's futex word.
enum WakeState : std::uint32_t {
  kRunning = 0,
  kWaitingForWork = 1,  ///< woken by the master when it publishes tasks
  kWaitingForRoom = 2,  ///< woken when the master drains its completion ring
  kRetired = 3,         ///< done max_request tasks; woken only by the stop request
};

struct WorkerBlock {
  // Written by the worker; the master clears them before a process starts.
  alignas(64) std::atomic<std::uint32_t> wake;
  std::atomic<std::uint32_t> ready;         ///< handler loaded, worker_start done
  std::atomic<std::uint32_t> retiring;      ///< ended max_request tasks, claims no more
  std::atomic<std::uint64_t> current_task;  ///< id of the running task, 0 when idle
  std::atomic<std::int64_t> busy_since_ns;  ///< CLOCK_MONOTONIC start of that task
  // Written by the master.
  alignas(64) std::atomic<std::uint32_t> stop;  ///< finish the current task, then exit
  // The completion ring: byte positions that only grow.
  alignas(64) std::atomic<std::uint64_t> done_head;  ///< worker: published up to here
  alignas(64) std::atomic<std::uint64_t> done_tail;  ///< master: consumed up to here
};

/// One place in the dispatch queue. `state` encodes (lap, kind, worker); it
/// only ever grows, so a stale reader can tell "not yet" from "already".
struct Slot {
  std::atomic<std::uint64_t> state;
  std::atomic<std::uint64_t> record;  ///< offset of the TaskRecord in the arena
};

enum class SlotKind : std::uint64_t { free = 0, ready = 1, claimed = 2 };
inline constexpr unsigned kKindShift = 18;
inline constexpr unsigned kLapShift = 20;
inline constexpr std::uint64_t kWorkerMask = (1u << kKindShift) - 1;
static_assert(kMaxWorkers <= kWorkerMask);

constexpr std::uint64_t slot_state(std::uint64_t lap, SlotKind kind, std::uint32_t worker = 0) {
  return lap << kLapShift | static_cast<std::uint64_t>(kind) << kKindShift | worker;
}
constexpr std::uint64_t state_lap(std::uint64_t state) { return state >> kLapShift; }
constexpr SlotKind state_kind(std::uint64_t state) {
  return static_cast<SlotKind>(state >> kKindShift & 3u);
}
constexpr std::uint32_t state_worker(std::uint64_t state) {
  return static_cast<std::uint32_t>(state & kWorkerMask);
}

/// A task in the arena, followed by its queue name and then its payload.
struct TaskRecord {
  std::uint64_t id;
  std::uint64_t payload_len;
  std::uint32_t queue_len;
  std::uint32_t attempt;
  std::uint64_t master_cookie;  ///< the master's own bookkeeping; workers ignore it
  std::int64_t enqueued_ns;     ///< the master's too: steady-clock time it entered the ring

  [[nodiscard]] const char* queue() const { return reinterpret_cast<const char*>(this + 1); }
  [[nodiscard]] const char* payload() const { return queue() + queue_len; }
};

/// One record of a completion ring, followed by result then reason bytes.
/// `bytes` covers the whole record, padded to 8; kWrapBit marks filler that
/// runs to the end of the ring.
struct CompletionHeader {
  std::uint32_t bytes;
  std::int32_t status;
  std::uint64_t task_id;
  std::uint64_t record;  ///< the TaskRecord's arena offset, as claimed
  std::uint32_t result_len;
  std::uint32_t reason_len;
  std::int64_t started_ns;  ///< CLOCK_MONOTONIC start of the attempt (a claim, for reports only)
};
inline constexpr std::uint32_t kWrapBit = 0x80000000u;

}  // namespace tasq::taskpool::shm
