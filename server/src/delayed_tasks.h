#pragma once
// Delayed tasks (ZADD) on the master's reactor: the DelayedSet, one
// system_timer armed for the earliest due time, and the hand-over of due
// tasks to the ring in due order, a bounded batch per reactor turn.

#include <boost/asio/io_context.hpp>
#include <boost/asio/system_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "task_intake.h"
#include "tasq/schedule/delayed_set.h"

namespace tasq::server {

class DelayedTasks : public SpaceWaiter, public std::enable_shared_from_this<DelayedTasks> {
 public:
  /// Tasks handed to the ring per reactor turn before the rest is posted,
  /// so that a million falling due at once do not stall the clients.
  static constexpr std::size_t kBatchPerTurn = 512;

  /// `max_bytes` bounds the payload and queue-name bytes held (ring_size:
  /// everything scheduled could then sit in the ring at once).
  DelayedTasks(boost::asio::io_context& io, TaskIntake& intake, std::size_t max_bytes);
  DelayedTasks(const DelayedTasks&) = delete;
  DelayedTasks& operator=(const DelayedTasks&) = delete;

  /// Arms the timer (Server::start).
  void start();
  /// Stops handing tasks to the ring (shutdown); what is held stays in the
  /// journal for the next start.
  void stop();

  /// Schedules (or moves, or with `keep_due` keeps) and journals one task;
  /// returns its id. The caller has checked fits().
  std::uint64_t schedule(std::string_view queue, std::string_view payload, std::int64_t due_ms,
                         bool keep_due);
  /// Cancels and journals the end; true when the task was scheduled.
  bool cancel(std::string_view queue, std::string_view payload);
  /// Would `extra` more bytes stay within the bound?
  [[nodiscard]] bool fits(std::size_t extra) const { return set_.bytes() + extra <= max_bytes_; }
  [[nodiscard]] bool contains(std::string_view queue, std::string_view payload) const {
    return set_.contains(queue, payload);
  }
  [[nodiscard]] std::size_t max_bytes() const { return max_bytes_; }

  /// Puts back a journaled delayed task at start (journal replay), with its
  /// id and due time; overdue ones go to the ring as soon as the reactor runs
  /// after Server::start() (not before: the pool must be running). Not
  /// bounded by ring_size. Later ids are above it already: the replay
  /// continues them above every id the journal holds.
  void restore(const journal::Task& task);

  /// Scheduled tasks, in all and per queue (ZCARD, INFO tasks_scheduled).
  [[nodiscard]] std::size_t size() const { return set_.size(); }
  [[nodiscard]] std::size_t count(std::string_view queue) const { return set_.count(queue); }

  void on_ring_space() override;

 private:
  void arm();
  void on_timer(const boost::system::error_code& ec);
  void run_due();

  boost::asio::io_context& io_;
  TaskIntake& intake_;
  std::size_t max_bytes_;
  schedule::DelayedSet set_;
  boost::asio::system_timer timer_;
  std::int64_t armed_due_ms_ = 0;
  bool armed_ = false;
  bool posted_ = false;   // a run_due is posted for the next turn
  bool blocked_ = false;  // the ring was full: waiting for space
  bool stopped_ = false;
};

}  // namespace tasq::server
