#include "task_ends.h"

#include <spdlog/spdlog.h>

#include "task_intake.h"
#include "task_metrics.h"
#include "unix_time.h"

namespace tasq::server {
namespace {

void log_end(const taskpool::TaskEnd& end) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  static constexpr const char* kOutcome[] = {"completed", "failed", "dead"};
  spdlog::debug("task {} of queue '{}' {} (attempt {}{}{})", end.id, end.queue,
                kOutcome[end.outcome], end.attempt, end.reason.empty() ? "" : ": ", end.reason);
}

}  // namespace

EndTimes unix_times(const taskpool::TaskEnd& end) {
  return {.enqueued_ms = unix_ms_at(end.enqueued),
          .started_ms = unix_ms_at(end.started),
          .ended_ms = unix_ms_at(end.ended)};
}

TaskEnds::TaskEnds(TaskIntake& intake, TaskMetrics& metrics) : intake_(intake), metrics_(metrics) {}

// Before an end gets here the pool has already
//  - counted it (PoolStats: completed, failed, retried, dead; they move with
//    pending and in_flight, which only the pool knows), and
//  - called the plugin's finish hook (tasq_finish): the hook belongs to the
//    handler, lives in the same library the workers load, and is loaded and
//    checked by the pool's plugin loader; a Pool used on its own, without
//    this server, calls it too.
void TaskEnds::on_end(const taskpool::TaskEnd& end) {
  intake_.record_end(end);
  log_end(end);
  metrics_.on_end(end);
  // The next consumers go here, in this order, each one call with `end` (and
  // unix_times(end) when they show times):
  //   - the result store (completed and dead ends: end.result, end.reason),
  //   - the `tasq:finished` stream,
  //   - dead letters (TASQ_DEAD: end.payload, end.attempt, end.reason),
  //   - waking the XREAD clients blocked on this id.
}

}  // namespace tasq::server
