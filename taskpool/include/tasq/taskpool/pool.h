#pragma once
// The master side of the task pool: owns the shared-memory ring, publishes
// tasks into it, supervises the task-worker processes and turns every end of
// a task into exactly one TaskEnd on the io_context's thread.
//
// Everything here runs on one thread, the server's reactor; no method may be
// called from elsewhere.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tasq/handler.h"

namespace tasq::taskpool {

/// How tasks reach the workers (dispatch_mode).
enum class DispatchMode : std::uint8_t {
  preemptive,  ///< an idle worker takes the next task, whatever its queue
  key,         ///< a queue's tasks run one at a time, in push order; queues run in parallel
};

struct PoolConfig {
  std::string worker_exe;           ///< executable started for each worker (tasqd itself)
  std::vector<std::string> worker_args;  ///< argv[1..] for it; argv[0] is the worker's title
  std::uint32_t worker_count = 2;   ///< task_worker_num
  std::size_t ring_bytes = 64u << 20;         ///< ring_size
  std::size_t max_payload_bytes = 2u << 20;   ///< package_max_length
  std::string handler = "echo";     ///< "echo", "exec:COMMAND", "pipe:COMMAND" or a plugin path
  std::uint64_t max_request = 0;    ///< recycle a worker after this many tasks; 0 = never
  std::chrono::milliseconds max_wait{3000};   ///< grace for in-flight tasks on reload/shutdown
  std::chrono::milliseconds task_timeout{0};  ///< 0 = none
  std::chrono::milliseconds pipe_start_timeout{30'000};  ///< pipe: READY within it
  std::uint32_t task_retry = 3;     ///< attempts before a task is dead-lettered
  std::string user, group, chroot;  ///< applied by each worker before loading the handler
  std::string log_level = "info";   ///< passed on to workers
  std::string log_file;             ///< empty = stderr
  DispatchMode dispatch_mode = DispatchMode::preemptive;
  /// Workers (and what their handlers start) run under SCHED_BATCH: a worker
  /// woken with a task waits for a free CPU rather than preempt the master.
  bool sched_batch = true;
};

enum class WorkerState : std::uint8_t { starting, idle, busy, stopping, dead };
std::string_view to_string(WorkerState state);

struct WorkerInfo {
  std::uint32_t id;
  int pid;                  ///< 0 while not running
  WorkerState state;
  std::uint64_t tasks;      ///< tasks this process has ended
  std::chrono::steady_clock::time_point started;
  std::uint64_t restarts;   ///< times this slot was respawned after a crash
};

struct PoolStats {
  std::uint64_t enqueued = 0;   ///< tasks accepted (ids handed out)
  std::uint64_t completed = 0;  ///< ended successfully
  std::uint64_t failed = 0;     ///< attempts that failed (each retry counts)
  std::uint64_t retried = 0;    ///< attempts requeued after a failure or a worker death
  std::uint64_t dead = 0;       ///< tasks dead-lettered
  std::uint64_t pending = 0;    ///< in the ring, not started (dispatch_mode key: held back too)
  std::uint64_t in_flight = 0;  ///< started, not ended
  std::uint64_t worker_restarts = 0;
  std::uint32_t workers_alive = 0;
  std::size_t ring_bytes = 0;   ///< capacity
  std::size_t ring_used = 0;    ///< bytes held by live tasks
};

/// One end of one task attempt, delivered once on the reactor thread. The
/// views are valid during the on_task_end call only.
struct TaskEnd {
  using Time = std::chrono::steady_clock::time_point;

  std::uint64_t id;
  std::string_view queue;
  std::uint32_t attempt;
  tasq_outcome outcome;     ///< completed, failed (will retry) or dead
  int status;               ///< handler status, or -1 when the worker died
  std::string_view result;  ///< handler result on success
  std::string_view reason;  ///< why it failed ("exit code 3", "killed by signal 9", stderr tail)
  std::string_view payload; ///< the task's payload (what a dead letter keeps)
  Time enqueued;            ///< it entered the ring (pushed, or put back with a known id)
  Time started;             ///< this attempt started, as its worker reported (clamped to
                            ///< [enqueued, ended]; `ended` when it never ran)
  Time ended;               ///< the master took the end in
};

class Pool {
 public:
  Pool(boost::asio::io_context& io, PoolConfig config);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Creates the shared memory and starts the workers. Throws on failure.
  /// Makes this process a child subreaper that reaps all its children: every
  /// child that is not a worker is taken for something a worker's handler
  /// left behind, and killed. The process must start no children of its own.
  void start();

  /// Enqueues one task per payload, all or none. Returns the id of the last,
  /// or 0 when the ring has no room for all of them (backpressure: nothing
  /// was enqueued; on_space_freed fires when it is worth trying again).
  /// Tasks become visible to workers at the latest when the current handler
  /// returns to the io_context (one wake-up per batch, not per task).
  std::uint64_t push(std::string_view queue, std::span<const std::string_view> payloads);

  /// Enqueues one task whose id was given out before (a journal replay, a
  /// delayed task that fell due), with its attempt number. False when the
  /// ring has no room (on_space_freed fires when it is worth trying again).
  /// Later push() ids stay above `id`.
  bool push_known(std::string_view queue, std::uint64_t id, std::uint32_t attempt,
                  std::string_view payload);

  /// Hands out `count` consecutive ids without enqueuing anything (delayed
  /// tasks get theirs when scheduled); returns the first.
  std::uint64_t reserve_ids(std::uint64_t count);

  /// Makes every later id greater than `highest` (after a journal replay).
  void continue_ids_after(std::uint64_t highest);

  /// Tasks of `queue` waiting to start.
  [[nodiscard]] std::uint64_t pending(std::string_view queue) const;
  /// Tasks of `queue` started and not yet ended.
  [[nodiscard]] std::uint64_t in_flight(std::string_view queue) const;

  /// Replaces every worker, one at a time, each after its current task.
  /// A reload requested while one runs is ignored (returns false), as in Swoole.
  bool reload();

  /// Stops taking new pushes, lets queued and in-flight tasks finish within
  /// max_wait, then stops the workers and calls `done`.
  void shutdown(std::function<void()> done);

  [[nodiscard]] PoolStats stats() const;
  [[nodiscard]] std::vector<WorkerInfo> workers() const;

  /// Called for every end of a task attempt (after the counters are updated).
  std::function<void(const TaskEnd&)> on_task_end;
  /// Called when ring space was freed after a push had returned 0.
  std::function<void()> on_space_freed;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// The worker process's entry point: tasqd calls it when started as a worker
/// (see worker_args); returns the process exit code.
int worker_main(int argc, char** argv);

/// True when this process was started by a Pool as a worker.
bool is_worker_process(int argc, char** argv);

}  // namespace tasq::taskpool
