#pragma once
// Internal: a worker's life between start and stop — claim a task, run it
// through the handler straight into the completion ring, publish, repeat;
// sleep on a futex only when there is nothing to claim.

#include <cstdint>
#include <optional>

#include "completion_ring.h"
#include "dispatch_queue.h"
#include "shared_memory.h"
#include "tasq/taskpool/handler_runner.h"

namespace tasq::taskpool {

class WorkerLoop {
 public:
  /// `max_request`: tasks after which the worker retires (0 = never).
  WorkerLoop(const SharedMemory& memory, std::uint32_t id, HandlerRunner& runner,
             std::uint64_t max_request);

  /// Runs tasks until the master sets this worker's stop flag; the task in
  /// hand when it is set is finished and published first. After max_request
  /// tasks it claims no more, tells the master it is retiring, and waits for
  /// that stop: the count is exact however far the master lags behind.
  void run();

  /// Tells the master (eventfd) that there is something to look at, unless
  /// another worker already did and the master has not drained since.
  void notify_master() const;

 private:
  /// The next task's record offset; nullopt after a wait, to re-check stop.
  std::optional<std::uint64_t> claim_or_wait();
  /// Room in the completion ring for the largest record; waits for the master.
  char* reserve_room();
  void execute(std::uint64_t record_offset);
  [[nodiscard]] bool stop_requested() const;
  void retire();
  /// The task record at `offset`, or nullptr when it does not lie in the arena.
  [[nodiscard]] const shm::TaskRecord* record_at(std::uint64_t offset) const;

  const SharedMemory& memory_;
  shm::Header& header_;
  shm::WorkerBlock& block_;
  std::uint32_t id_;
  HandlerRunner& runner_;
  DispatchConsumer consumer_;
  CompletionWriter writer_;
  std::uint64_t max_request_;
  std::uint64_t tasks_done_ = 0;
};

}  // namespace tasq::taskpool
