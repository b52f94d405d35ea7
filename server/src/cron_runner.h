#pragma once
// The master's cron: one wall-clock timer for the earliest due line; each
// firing is an ordinary task, accepted through the TaskIntake. The state
// lives here, in the master, so a worker reload cannot touch it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/system_timer.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "task_intake.h"
#include "tasq/schedule/cron_table.h"

namespace tasq::server {

class CronRunner : public SpaceWaiter, public std::enable_shared_from_this<CronRunner> {
 public:
  /// `lines` were validated with the config; throws std::runtime_error on
  /// one that does not parse.
  CronRunner(boost::asio::io_context& io, TaskIntake& intake,
             const std::vector<std::string>& lines);

  /// Arms the timer; lines fall due from now on (a line is not fired for
  /// the minute tasqd starts in).
  void start();
  /// Stops firing (shutdown); pending firings are dropped with a log line.
  void stop();

  /// Firings that became tasks.
  [[nodiscard]] std::uint64_t fired() const { return fired_; }
  /// Due times folded into a firing still waiting for ring space.
  [[nodiscard]] std::uint64_t coalesced() const { return coalesced_; }

  void on_ring_space() override;

 private:
  void arm();
  void on_timer();
  void push_pending();

  TaskIntake& intake_;
  schedule::CronTable table_;
  boost::asio::system_timer timer_;
  std::deque<std::size_t> pending_;  ///< line indexes due but not yet in the ring
  std::vector<bool> is_pending_;
  std::uint64_t fired_ = 0;
  std::uint64_t coalesced_ = 0;
  bool stopped_ = true;
  bool waiting_ = false;  ///< in the intake's queue of waiters for ring space
};

}  // namespace tasq::server
