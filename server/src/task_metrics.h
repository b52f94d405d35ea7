#pragma once
// The figures only the metrics keep: queue wait and run time histograms,
// the per-queue series and the last minutes' history. Fed by the task
// intake (tasks accepted) and the task ends door (every end of an attempt);
// every other figure comes from the StatsSnapshot. Runs on the reactor.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <string_view>

#include "stats_snapshot.h"
#include "tasq/metrics/histogram.h"
#include "tasq/metrics/history.h"
#include "tasq/metrics/queue_table.h"
#include "tasq/taskpool/pool.h"

namespace tasq::server {

class TaskMetrics {
 public:
  /// `totals` reads the running task counters (from the snapshot) for the
  /// history; called once a second.
  TaskMetrics(boost::asio::io_context& io, std::function<metrics::Totals()> counters);

  /// Starts the once-a-second tick (history, per-queue ranking).
  void start();
  void stop();

  /// Tasks that entered the ring (the intake's door).
  void on_accepted(std::string_view queue, std::uint64_t tasks);
  /// One end of one attempt (the ends' door): its queue wait (entering the
  /// ring to starting) and run time (starting to ending), from the pool's
  /// steady-clock instants.
  void on_end(const taskpool::TaskEnd& end);

  [[nodiscard]] const metrics::Histogram& wait() const { return wait_; }
  [[nodiscard]] const metrics::Histogram& run() const { return run_; }
  [[nodiscard]] const metrics::QueueTable& queues() const { return queues_; }
  [[nodiscard]] const metrics::History& history() const { return history_; }
  /// Queue wait and run time quantiles over the last minute.
  [[nodiscard]] LatencyFigures last_minute() const;

 private:
  void arm();
  void tick();

  boost::asio::steady_timer timer_;
  std::function<metrics::Totals()> counters_;
  metrics::Histogram wait_;
  metrics::Histogram run_;
  metrics::QueueTable queues_;
  metrics::History history_;
  bool stopped_ = false;
};

}  // namespace tasq::server
