#pragma once
// Internal: the master's side of the pool. One object, one thread (the
// reactor); its methods are spread over pool_*.cpp by concern:
//   pool.cpp            set-up, teardown, stats, the public facade
//   pool_push.cpp       push, publication, per-turn wake-ups, sweeping claims
//   pool_complete.cpp   completions, retries, dead letters, finish callbacks
//   pool_supervise.cpp  spawning, reaping, respawn back-off, task timeouts
//   pool_replace.cpp    one-at-a-time replacement (reload, max_request), shutdown

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "completion_ring.h"
#include "dispatch_queue.h"
#include "held_tasks.h"
#include "payload_arena.h"
#include "shared_memory.h"
#include "tasq/taskpool/handler_runner.h"
#include "tasq/taskpool/pool.h"

namespace tasq::taskpool {

using Clock = std::chrono::steady_clock;

/// The master's record of one worker slot (nginx's process table).
struct WorkerSlot {
  WorkerSlot(boost::asio::io_context& io, std::uint32_t slot_id)
      : id(slot_id), respawn_timer(io), stop_timer(io) {}

  std::uint32_t id;
  pid_t pid = 0;  ///< 0 while no process runs in this slot
  Clock::time_point started{};
  std::uint64_t tasks = 0;     ///< task attempts this process ended
  std::uint64_t restarts = 0;  ///< respawns after a crash
  std::chrono::milliseconds backoff{0};
  bool stopping = false;    ///< its stop flag is set
  std::string kill_reason;  ///< why the master SIGKILLed it, if it did
  /// Record offsets of the tasks it claimed that were swept and not yet
  /// ended, in claim order — the order its completions arrive in.
  std::deque<std::uint64_t> held;
  boost::asio::steady_timer respawn_timer;
  boost::asio::steady_timer stop_timer;  ///< a stop that takes too long ends in SIGKILL
};

class Pool::Impl {
 public:
  Impl(boost::asio::io_context& io, PoolConfig config, Pool& owner);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void start();
  std::uint64_t push(std::string_view queue, std::span<const std::string_view> payloads);
  bool push_known(std::string_view queue, std::uint64_t id, std::uint32_t attempt,
                  std::string_view payload);
  std::uint64_t reserve_ids(std::uint64_t count);
  void continue_ids_after(std::uint64_t highest);
  std::uint64_t pending(std::string_view queue);
  std::uint64_t in_flight(std::string_view queue);
  bool reload();
  void shutdown(std::function<void()> done);
  PoolStats stats();
  std::vector<WorkerInfo> workers() const;

 private:
  struct QueueCount {
    std::uint64_t pending = 0;  ///< waiting to start (held ones included)
    std::uint64_t live = 0;     ///< not yet ended; the entry goes at 0
    // dispatch_mode key only:
    bool busy = false;     ///< one task is published, running or waiting for its retry
    HeldTasks::List held;  ///< the tasks after it, in push order
  };
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const {
      return std::hash<std::string_view>{}(name);
    }
  };
  using QueueTable = std::unordered_map<std::string, QueueCount, NameHash, std::equal_to<>>;
  using QueueEntry = QueueTable::value_type;
  enum class Phase { running, draining, stopping, done };

  // pool.cpp
  void check_config() const;
  std::string finish_hook_spec() const;
  shm::TaskRecord& record(std::uint64_t offset) const;
  static QueueEntry& entry_of(const shm::TaskRecord& record);
  shm::WorkerBlock& block(std::uint32_t worker) const { return memory_.worker(worker); }
  /// Runs `fn` later on the reactor, unless this pool is gone by then.
  void post(std::function<void()> fn);

  // pool_push.cpp
  QueueEntry& queue_entry(std::string_view queue);
  /// Writes a task's record at `offset` and enqueues it.
  void fill_record(std::uint64_t offset, QueueEntry& entry, std::uint64_t id,
                   std::uint32_t attempt, std::string_view payload);
  /// Counts a task pending and puts it at the back of the dispatch queue, or
  /// in the backlog when the queue has no free slot. A retry goes ahead of the
  /// backlog instead; in dispatch_mode key, a new task of a busy queue is held.
  void enqueue(std::uint64_t offset, bool retry);
  /// Publishes behind the backlog, or joins its back.
  void dispatch(std::uint64_t offset);
  /// dispatch_mode key: a task of `queue` ended for good; its next one goes.
  void pass_turn(QueueCount& queue);
  bool publish(std::uint64_t offset);
  void publish_backlog();
  void schedule_flush();
  /// Once per reactor turn: publishes the backlog, wakes sleeping workers.
  void flush();
  void wake_workers();
  void sweep();
  void take_claim(std::uint32_t worker, std::uint64_t offset);

  // pool_complete.cpp
  void arm_notify();
  void on_notify();
  /// Reads every worker's completions; the one place they are consumed.
  void drain();
  void drain_worker(std::uint32_t worker, std::uint64_t head);
  /// Calls on_space_freed when a push found the ring full and space came back.
  void notify_space_freed();
  void on_completion(std::uint32_t worker, const Completion& completion);
  /// `started_ns`: the attempt's steady-clock start as its worker reported
  /// it, 0 when unknown.
  void complete_task(std::uint64_t offset, std::string_view result, std::int64_t started_ns);
  /// An attempt failed: retried while attempts remain, else dead-lettered.
  void fail_task(std::uint64_t offset, int status, std::string_view reason,
                 std::int64_t started_ns);
  void emit(const shm::TaskRecord& task, tasq_outcome outcome, int status, std::string_view result,
            std::string_view reason, std::int64_t started_ns);
  /// Frees a task's ring space once it has ended for good.
  void release_task(std::uint64_t offset);

  // pool_supervise.cpp
  void spawn(std::uint32_t worker);
  void schedule_respawn(std::uint32_t worker, std::chrono::milliseconds delay);
  void arm_sigchld();
  void on_sigchld();
  void on_worker_exit(std::uint32_t worker, int wait_status);
  /// Requeues or dead-letters what a dead worker still held.
  void fail_held_tasks(WorkerSlot& slot, const std::string& why);
  void respawn_after_crash(WorkerSlot& slot, int wait_status, Clock::duration lived);
  void kill_worker(std::uint32_t worker, std::string reason);
  void arm_timeout_check();
  void check_timeouts();

  // pool_replace.cpp
  void request_stop(std::uint32_t worker, std::chrono::milliseconds grace, std::string_view why);
  /// Queues for replacement every worker that announced it ended max_request tasks.
  void recycle_retired();
  void request_recycle(std::uint32_t worker);
  void pump_replacer();
  /// A worker this pool stopped exited: spawns its replacement when one is due.
  /// Returns true when the exit was handled as part of a replacement.
  bool on_replaced_exit(WorkerSlot& slot, bool clean);
  void check_replacement_ready();
  void check_drained();
  void begin_stop();
  void finish_shutdown();

  boost::asio::io_context& io_;
  Pool& owner_;
  PoolConfig config_;
  std::unique_ptr<FinishHook> finish_hook_;

  SharedMemory memory_;
  std::unique_ptr<PayloadArena> arena_;
  std::unique_ptr<DispatchProducer> dispatch_;
  std::vector<CompletionReader> readers_;
  std::vector<std::unique_ptr<WorkerSlot>> slots_;
  boost::asio::posix::stream_descriptor notify_;
  boost::asio::signal_set sigchld_;
  boost::asio::steady_timer timeout_timer_;
  boost::asio::steady_timer shutdown_timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

  // Tasks.
  std::uint64_t next_id_ = 1;
  std::deque<std::uint64_t> backlog_;  ///< allocated, waiting for a free slot
  HeldTasks held_;                     ///< dispatch_mode key: waiting for their queue's turn
  QueueTable queues_;
  PoolStats counters_;
  std::uint64_t published_since_flush_ = 0;
  bool flush_posted_ = false;
  bool space_wanted_ = false;  ///< a push found the ring full
  bool space_freed_ = false;   ///< ring space was freed since the last drain
  std::vector<std::uint64_t> scratch_offsets_;
  std::vector<std::uint64_t> scratch_heads_;
  std::string reason_buffer_;  ///< NUL-terminated copy for tasq_finish_info

  // Replacement, one worker at a time.
  std::deque<std::uint32_t> replace_queue_;
  std::optional<std::uint32_t> replacing_;
  bool replacement_spawned_ = false;
  bool reloading_ = false;

  // Life.
  bool started_ = false;
  Phase phase_ = Phase::running;
  std::function<void()> on_shutdown_done_;
};

}  // namespace tasq::taskpool
