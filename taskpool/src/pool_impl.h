#pragma once
// Internal: the master's side of the pool. One object, one thread (the
// reactor); its methods are spread over pool_*.cpp by concern:
//   pool.cpp            set-up, teardown, stats, the public facade
//   pool_push.cpp       push, the backlog, per-turn dispatch to the workers' queues
//   pool_complete.cpp   completions, retries, dead letters, finish callbacks
//   pool_supervise.cpp  spawning, reaping, respawn back-off, task timeouts,
//                       workers caught corrupting their shared memory
//   pool_replace.cpp    one-at-a-time replacement (reload, max_request), shutdown
//
// Trust: the master runs as root, the workers run untrusted code. The master
// keeps the truth in its own memory — every task's offset, lengths, id and
// attempt (tasks_), which task it published at which position of which
// worker (DispatchProducer), how far it read each completion ring
// (CompletionReader) — and reads a worker's region only as claims checked
// against that truth. It never reads its own shared region back.

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
      : id(slot_id), notify(io), respawn_timer(io), stop_timer(io) {}

  std::uint32_t id;
  pid_t pid = 0;  ///< 0 while no process runs in this slot
  Clock::time_point started{};
  std::uint64_t tasks = 0;     ///< task attempts this process ended
  std::uint64_t restarts = 0;  ///< respawns after a crash
  std::chrono::milliseconds backoff{0};
  bool stopping = false;    ///< its stop flag is set
  bool corrupt = false;     ///< caught writing nonsense: killed, its region no longer read
  std::string kill_reason;  ///< why the master SIGKILLed it, if it did
  /// This process's own region (mapped read-only here), its task queue and
  /// its completion ring, as the master sees them.
  WorkerRegion region;
  std::optional<DispatchProducer> queue;
  CompletionReader reader;
  std::uint32_t wake = 0;  ///< the value the master last gave its wake word
  unsigned unflushed = 0;  ///< tasks published since its `published` was last stored
  /// A taking back of its untaken tasks waits for it since then.
  std::optional<Clock::time_point> revoke_since;
  /// The master's own clock on its oldest running task (task_timeout): the
  /// position, and when the master first saw it running.
  std::uint64_t timed_position = ~std::uint64_t{0};
  Clock::time_point running_since{};
  boost::asio::posix::stream_descriptor notify;  ///< its eventfd to the master
  std::uint64_t notify_count = 0;                ///< what a read of it gives
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

  /// The master's truth about one task in the ring; handles index tasks_.
  /// The arena holds a copy for the workers, never read back.
  struct Task {
    std::uint64_t offset;  ///< its TaskRecord in the arena
    std::uint64_t id;
    std::int64_t enqueued_ns;   ///< steady-clock time it entered the ring
    QueueEntry* queue;
    std::uint32_t payload_len;  ///< at most package_max_length, 1 GiB
    std::uint32_t attempt;
  };

  // pool.cpp
  void check_config() const;
  std::string finish_hook_spec() const;
  shm::MasterBlock& block(std::uint32_t worker) const { return memory_.block(worker); }
  std::uint32_t new_task(const Task& task);
  void free_task(std::uint32_t handle);
  /// The task's payload, from the arena by the master's own offset and length.
  std::string_view payload_of(const Task& task) const;
  /// Runs `fn` later on the reactor, unless this pool is gone by then.
  void post(std::function<void()> fn);

  // pool_push.cpp
  QueueEntry& queue_entry(std::string_view queue);
  /// Writes a task's record at `offset`, takes it into tasks_ and enqueues it.
  void fill_record(std::uint64_t offset, QueueEntry& entry, std::uint64_t id, std::uint32_t attempt,
                   std::string_view payload);
  /// Counts a task pending and puts it at the back of the backlog, for the
  /// next dispatch. A retry goes to its front instead; in dispatch_mode key, a
  /// new task of a busy queue is held.
  void enqueue(std::uint32_t handle, const Task& task, bool retry);
  /// Into a worker's queue at once when the backlog is empty, else the backlog.
  void dispatch(std::uint32_t handle, const Task& task);
  /// dispatch_mode key: a task of `queue` ended for good; its next one goes.
  void pass_turn(QueueCount& queue);
  void schedule_flush();
  std::int64_t enqueue_time_ns();
  /// Once per reactor turn: takes stock of the workers' claims, takes tasks
  /// back from workers that should not keep them, hands the backlog out and
  /// wakes the workers that sleep and got tasks.
  void flush();
  /// Is there a region of `slot` to read (a process started in it, dead or
  /// alive but not yet reaped), and is it still believed?
  [[nodiscard]] static bool readable(const WorkerSlot& slot) {
    return slot.region.mapped() && !slot.corrupt;
  }
  /// May `slot` be given tasks? (Running, ready, not stopping or retiring.)
  [[nodiscard]] bool eligible(const WorkerSlot& slot) const;
  /// Takes back tasks not yet taken: from workers no longer eligible, and,
  /// when some worker has nothing queued and the backlog is empty, from
  /// workers whose queued tasks wait behind a running one.
  void rebalance();
  /// Takes back `slot`'s untaken tasks into the front of the backlog.
  /// Returns false while the worker is in the middle of taking one.
  bool revoke(WorkerSlot& slot);
  /// Gives the backlog to the eligible workers, the least loaded first.
  void assign_backlog();
  /// Wakes `slot` when it said it sleeps waiting for `state` and has not been
  /// woken since.
  void wake_if_waiting(WorkerSlot& slot, shm::WakeState state);
  void wake(WorkerSlot& slot);
  /// Reads every worker's claim and counts the tasks they took since.
  void observe_claims();
  void observe_claim(WorkerSlot& slot);
  void take_claim(std::uint32_t handle);

  // pool_complete.cpp
  void arm_notify(WorkerSlot& slot);
  void on_notify(WorkerSlot& slot);
  /// Reads every worker's completions; the one place they are consumed.
  void drain();
  /// `now`: read once per drain, after the heads, so it is no earlier than
  /// any completion drained; every end of the drain is stamped with it.
  void drain_worker(WorkerSlot& slot, std::uint64_t head, Clock::time_point now);
  /// Calls on_space_freed when a push found the ring full and space came back.
  void notify_space_freed();
  /// False when the completion is not for the task the worker holds.
  bool on_completion(WorkerSlot& slot, const Completion& completion, Clock::time_point now);
  /// `started_ns`: the attempt's steady-clock start as its worker reported
  /// it, 0 when unknown; `ended`: when the master saw the attempt end.
  void complete_task(std::uint32_t handle, std::string_view result, std::int64_t started_ns,
                     Clock::time_point ended);
  /// An attempt failed: retried while attempts remain, else dead-lettered.
  void fail_task(std::uint32_t handle, int status, std::string_view reason,
                 std::int64_t started_ns, Clock::time_point ended);
  void emit(const Task& task, tasq_outcome outcome, int status, std::string_view result,
            std::string_view reason, std::int64_t started_ns, Clock::time_point ended);
  /// Frees a task's ring space once it has ended for good.
  void release_task(std::uint32_t handle);

  // pool_supervise.cpp
  void spawn(std::uint32_t worker);
  void schedule_respawn(std::uint32_t worker, std::chrono::milliseconds delay);
  void arm_sigchld();
  /// Reaps every child: workers, and the processes they left behind.
  void on_sigchld();
  /// SIGKILLs every child of the master that is not a worker, process group
  /// and all: what a dead worker's handler started, handed to the master as
  /// the subreaper. Runs before a dead worker's tasks are requeued.
  void kill_orphans();
  [[nodiscard]] WorkerSlot* slot_of(pid_t pid) const;
  void on_worker_exit(std::uint32_t worker, int wait_status);
  /// Requeues or dead-letters what a dead worker still held: handles, each
  /// with its attempt's start as the worker reported it (0 when unknown).
  void fail_held_tasks(const std::vector<std::pair<std::uint32_t, std::int64_t>>& held,
                       const std::string& why);
  /// A worker wrote something impossible into its region: it is killed, its
  /// region is no longer read, and its tasks are retried.
  void worker_corrupted(WorkerSlot& slot, std::string_view what);
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
  Layout layout_;  ///< the master's own copy of where everything is
  std::unique_ptr<PayloadArena> arena_;
  std::vector<std::unique_ptr<WorkerSlot>> slots_;
  boost::asio::signal_set sigchld_;
  boost::asio::steady_timer timeout_timer_;
  boost::asio::steady_timer shutdown_timer_;
  boost::asio::steady_timer revoke_timer_;  ///< retries a taking back a worker held up
  bool revoke_timer_armed_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

  // Tasks.
  std::uint64_t next_id_ = 1;
  std::vector<Task> tasks_;
  std::deque<std::uint32_t> free_tasks_;
  std::deque<std::uint32_t> backlog_;  ///< in the ring, not in any worker's queue
  HeldTasks held_;                     ///< dispatch_mode key: waiting for their queue's turn
  std::vector<WorkerSlot*> takers_;    ///< the workers that could take tasks at the last flush
  std::size_t next_taker_ = 0;
  QueueTable queues_;
  PoolStats counters_;
  std::uint64_t drain_seq_ = 0;  ///< the master's copy of Header::drain_seq
  bool flush_posted_ = false;
  /// When the tasks pushed since the last flush were accepted: the clock is
  /// read once per turn of pushes, not once per task (a turn is one read of
  /// one or more clients' pipelined commands).
  std::optional<std::int64_t> turn_enqueued_ns_;
  bool space_wanted_ = false;  ///< a push found the ring full
  bool space_freed_ = false;   ///< ring space was freed since the last drain
  std::vector<std::uint64_t> scratch_offsets_;
  std::vector<std::uint64_t> scratch_heads_;
  std::vector<std::uint32_t> scratch_handles_;
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
