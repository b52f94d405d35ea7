#pragma once
// Internal: a worker's life between start and stop — take a task from its
// queue, run it through the handler straight into the completion ring,
// publish, repeat; sleep on a futex only when there is nothing to take.
//
// The worker writes only its own region (its state, its claim, its ring);
// everything the master says (tasks, stop, wake-ups) it reads from the
// master's region, which it cannot write.

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
  WorkerLoop(const SharedMemory& memory, const WorkerRegion& own, std::uint32_t id,
             HandlerRunner& runner, std::uint64_t max_request);

  /// Runs tasks until the master sets this worker's stop flag; the task in
  /// hand when it is set is finished and published first. After max_request
  /// tasks it takes no more, tells the master it is retiring, and waits for
  /// that stop: the count is exact however far the master lags behind.
  void run();

  /// Tells the master (eventfd) that there is something to look at, unless
  /// it already did and the master has not looked since.
  void notify_master();

 private:
  /// The next task; nullopt after a wait, to re-check stop.
  std::optional<DispatchConsumer::Task> claim_or_wait();
  /// Room in the completion ring for the largest record; waits for the master.
  char* reserve_room();
  void execute(const DispatchConsumer::Task& task);
  [[nodiscard]] bool stop_requested() const;
  void retire();
  /// Announces a sleep of kind `state`, then sleeps unless `ready()` turned
  /// true meanwhile or the master changed the wake word.
  template <typename Ready>
  void sleep_unless(shm::WakeState state, Ready&& ready);
  /// The task record at `offset`, or nullptr when it does not lie in the arena.
  [[nodiscard]] const shm::TaskRecord* record_at(std::uint64_t offset) const;

  const SharedMemory& memory_;
  const shm::Header& header_;
  const shm::MasterBlock& block_;
  shm::WorkerState& state_;
  std::uint32_t id_;
  HandlerRunner& runner_;
  DispatchConsumer consumer_;
  CompletionWriter writer_;
  std::uint64_t max_request_;
  std::uint64_t tasks_done_ = 0;
  std::uint64_t notified_at_ = ~std::uint64_t{0};  ///< drain_seq when it last told the master
};

}  // namespace tasq::taskpool
