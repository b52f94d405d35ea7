#pragma once
// The master's cron: one wall-clock timer for the earliest due line; each
// firing is an ordinary task pushed through Server::push_tasks. The state
// lives here, in the master, so a worker reload cannot touch it.

#include <boost/asio/system_timer.hpp>
#include <cstdint>
#include <deque>
#include <vector>

#include "tasq/schedule/cron_table.h"

namespace tasq::server {

class Server;

class CronRunner {
 public:
  /// `lines` were validated with the config; throws std::runtime_error on
  /// one that does not parse.
  CronRunner(Server& server, const std::vector<std::string>& lines);

  /// Arms the timer; lines fall due from now on (a line is not fired for
  /// the minute tasqd starts in).
  void start();
  /// Stops firing (shutdown); pending firings are dropped with a log line.
  void stop();

  /// Firings that became tasks.
  [[nodiscard]] std::uint64_t fired() const { return fired_; }
  /// Due times folded into a firing still waiting for ring space.
  [[nodiscard]] std::uint64_t coalesced() const { return coalesced_; }

 private:
  void arm();
  void on_timer();
  void push_pending();

  Server& server_;
  schedule::CronTable table_;
  boost::asio::system_timer timer_;
  std::deque<std::size_t> pending_;  ///< line indexes due but not yet in the ring
  std::vector<bool> is_pending_;
  std::uint64_t fired_ = 0;
  std::uint64_t coalesced_ = 0;
  bool stopped_ = true;
};

}  // namespace tasq::server
