#pragma once
// Puts the journal's live tasks back at start: each with its id and attempt
// into the ring (or, when it is a delayed task not yet due, back to the
// scheduler), a bounded number per reactor turn so that the server answers
// PING meanwhile, waiting in the intake's queue when the ring is full.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "task_intake.h"
#include "tasq/journal/journal.h"

namespace tasq::server {

class JournalReplay : public SpaceWaiter, public std::enable_shared_from_this<JournalReplay> {
 public:
  JournalReplay(boost::asio::io_context& io, TaskIntake& intake, journal::Journal& journal,
                std::function<void(const journal::Task&)> restore_scheduled,
                std::function<void()> done);

  void start();
  /// Puts nothing more back (shutdown); what is left stays in the journal.
  void stop() { running_ = false; }
  void on_ring_space() override;

  [[nodiscard]] std::uint64_t replayed() const { return replayed_; }
  [[nodiscard]] bool running() const { return running_; }

 private:
  void step();
  /// Hands one task on; false when the ring is full (the task is kept).
  bool place(const journal::Task& task);

  boost::asio::io_context& io_;
  TaskIntake& intake_;
  journal::Journal& journal_;
  std::function<void(const journal::Task&)> restore_scheduled_;
  std::function<void()> done_;
  std::optional<journal::Task> held_;  ///< read from the journal, not yet placed
  journal::Task scratch_;
  std::uint64_t replayed_ = 0;
  std::chrono::steady_clock::time_point started_;
  bool running_ = false;
  bool waiting_for_space_ = false;
};

}  // namespace tasq::server
