#pragma once
// The one door task ends leave by. The pool reports every end of a task
// attempt (completed; failed and to be retried; dead-lettered) exactly once,
// on the reactor, and TaskEnds::on_end is where it lands. Whatever the server
// does with an end happens there, in one order, so that a new consumer of
// ends (results, the `tasq:finished` stream, dead letters, woken XREAD
// clients, metrics) is one more call in that list.

#include <cstdint>

#include "tasq/taskpool/pool.h"
#include "unix_time.h"

namespace tasq::server {

class TaskIntake;
class TaskMetrics;
class TaskResults;

/// An end's times in unix milliseconds, as clients see them.
struct EndTimes {
  std::int64_t enqueued_ms;  ///< the task entered the ring (push, replay, due, retry)
  std::int64_t started_ms;   ///< this attempt started in a worker
  std::int64_t ended_ms;     ///< the master took the end in
};
EndTimes unix_times(const taskpool::TaskEnd& end, SteadyToUnixMs& to_unix_ms);

class TaskEnds {
 public:
  TaskEnds(TaskIntake& intake, TaskResults& results, TaskMetrics& metrics);

  /// One end of one attempt; `end`'s views are valid during the call only.
  void on_end(const taskpool::TaskEnd& end);

 private:
  TaskIntake& intake_;
  TaskResults& results_;
  TaskMetrics& metrics_;
  SteadyToUnixMs to_unix_ms_;
};

}  // namespace tasq::server
