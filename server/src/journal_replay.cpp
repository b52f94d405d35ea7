#include "journal_replay.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "unix_time.h"

namespace tasq::server {
namespace {

// Tasks put back per reactor turn: enough to replay a million in seconds,
// few enough that a PING waits well under a millisecond.
constexpr int kTasksPerTurn = 2048;

}  // namespace

JournalReplay::JournalReplay(boost::asio::io_context& io, TaskIntake& intake,
                             journal::Journal& journal,
                             std::function<void(const journal::Task&)> restore_scheduled,
                             std::function<void()> done)
    : io_(io),
      intake_(intake),
      journal_(journal),
      restore_scheduled_(std::move(restore_scheduled)),
      done_(std::move(done)) {}

void JournalReplay::start() {
  running_ = true;
  started_ = std::chrono::steady_clock::now();
  step();
}

void JournalReplay::on_ring_space() {
  if (!waiting_for_space_) return;
  waiting_for_space_ = false;
  step();
}

void JournalReplay::step() {
  if (!running_) return;
  for (int n = 0; n < kTasksPerTurn; ++n) {
    if (!held_) {
      if (!journal_.next_live(scratch_)) {
        running_ = false;
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started_);
        spdlog::info("journal replayed: {} task(s) put back in {} ms", replayed_, took.count());
        done_();
        return;
      }
      held_.emplace(std::move(scratch_));
    }
    if (!place(*held_)) {
      waiting_for_space_ = true;
      intake_.wait_for_space(weak_from_this());
      return;
    }
    held_.reset();
    ++replayed_;
  }
  boost::asio::post(io_, [self = weak_from_this()] {
    if (auto replay = self.lock()) replay->step();
  });
}

bool JournalReplay::place(const journal::Task& task) {
  if (task.due_ms > unix_ms_now()) {
    restore_scheduled_(task);
    return true;
  }
  return intake_.accept_known(task.id, task.attempt, task.queue, task.payload, Journaled::yes);
}

}  // namespace tasq::server
