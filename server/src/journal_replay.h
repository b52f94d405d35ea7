#pragma once
// Puts the journal's live tasks back at start: each with its id and attempt
// into the ring (or, when it is a delayed task not yet due, back to the
// scheduler), a bounded number per reactor turn so that the server answers
// PING meanwhile, waiting for ring space when the ring is full.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "tasq/journal/journal.h"

namespace tasq::server {

class Server;

class JournalReplay {
 public:
  JournalReplay(Server& server, journal::Journal& journal, std::function<void()> done);

  void start();
  /// Ring space came back: go on if the replay was waiting for it.
  void on_ring_space();

  [[nodiscard]] std::uint64_t replayed() const { return replayed_; }
  [[nodiscard]] bool running() const { return running_; }

 private:
  void step();
  /// Hands one task on; false when the ring is full (the task is kept).
  bool place(const journal::Task& task);

  Server& server_;
  journal::Journal& journal_;
  std::function<void()> done_;
  std::optional<journal::Task> held_;  ///< read from the journal, not yet placed
  journal::Task scratch_;
  std::uint64_t replayed_ = 0;
  std::chrono::steady_clock::time_point started_;
  bool running_ = false;
  bool waiting_for_space_ = false;
};

}  // namespace tasq::server
