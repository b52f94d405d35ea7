#include "task_ends.h"

#include <spdlog/spdlog.h>

#include "task_intake.h"
#include "task_metrics.h"
#include "task_results.h"
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

EndTimes unix_times(const taskpool::TaskEnd& end, SteadyToUnixMs& to_unix_ms) {
  // The end first: the latest of the three, it is the one that refreshes.
  const std::int64_t ended_ms = to_unix_ms(end.ended);
  return {.enqueued_ms = to_unix_ms(end.enqueued),
          .started_ms = to_unix_ms(end.started),
          .ended_ms = ended_ms};
}

TaskEnds::TaskEnds(TaskIntake& intake, TaskResults& results, TaskMetrics& metrics)
    : intake_(intake), results_(results), metrics_(metrics) {}

// Before an end gets here the pool has already
//  - counted it (PoolStats: completed, failed, retried, dead; they move with
//    pending and in_flight, which only the pool knows), and
//  - called the plugin's finish hook (tasq_finish): the hook belongs to the
//    handler, lives in the same library the workers load, and is loaded and
//    checked by the pool's plugin loader; a Pool used on its own, without
//    this server, calls it too.
void TaskEnds::on_end(const taskpool::TaskEnd& end) {
  // An end for good goes to the results first: its result stream entry, its
  // tasq:finished event, its dead letter, and the clients blocked on it,
  // answered in this turn. What they keep is journaled as the task's end.
  std::optional<journal::Outcome> outcome;
  if (end.outcome != TASQ_FAILED) {
    const EndTimes times = unix_times(end, to_unix_ms_);
    outcome = results_.on_end({.task_id = end.id,
                               .dead = end.outcome == TASQ_DEAD,
                               .attempts = end.attempt,
                               .enqueued_ms = times.enqueued_ms,
                               .started_ms = times.started_ms,
                               .ended_ms = times.ended_ms,
                               .queue = end.queue,
                               .result = end.result,
                               .error = end.reason,
                               .payload = end.payload},
                              intake_.journal() != nullptr);
  }
  intake_.record_end(end, outcome ? &*outcome : nullptr);
  log_end(end);
  metrics_.on_end(end);
}

}  // namespace tasq::server
