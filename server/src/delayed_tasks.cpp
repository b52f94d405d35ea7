#include "delayed_tasks.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "unix_time.h"

namespace tasq::server {

DelayedTasks::DelayedTasks(boost::asio::io_context& io, TaskIntake& intake, std::size_t max_bytes)
    : io_(io), intake_(intake), max_bytes_(max_bytes), timer_(io) {}

void DelayedTasks::start() { arm(); }

void DelayedTasks::on_ring_space() {
  if (!blocked_) return;
  blocked_ = false;
  run_due();
}

void DelayedTasks::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  armed_ = false;
  if (!set_.empty()) {
    spdlog::info("{} scheduled task(s) not yet due are left to the journal", set_.size());
  }
}

std::uint64_t DelayedTasks::schedule(std::string_view queue, std::string_view payload,
                                     std::int64_t due_ms, bool keep_due) {
  auto result = set_.add(queue, payload, due_ms, keep_due, [this] { return intake_.reserve_id(); });
  // A moved task is journaled again under its id: the latest record wins.
  if (result.change != schedule::DelayedSet::Change::unchanged) {
    intake_.schedule(result.id, due_ms, queue, payload);
    arm();
  }
  return result.id;
}

bool DelayedTasks::cancel(std::string_view queue, std::string_view payload) {
  auto id = set_.remove(queue, payload);
  if (!id) return false;
  intake_.end(*id);
  // The timer may now fire early for the next task: run_due re-arms it.
  return true;
}

void DelayedTasks::restore(const journal::Task& task) {
  set_.restore(task.id, task.queue, task.payload, task.due_ms);
  arm();
}

// Arms the one timer for the earliest due time, unless it is already set to
// fire no later than that (an early wake finds nothing due and re-arms).
void DelayedTasks::arm() {
  if (stopped_ || blocked_ || posted_) return;
  auto top = set_.top();
  if (!top) return;
  if (armed_ && armed_due_ms_ <= top->due_ms) return;
  armed_ = true;
  armed_due_ms_ = top->due_ms;
  timer_.expires_at(std::chrono::system_clock::time_point(std::chrono::milliseconds(top->due_ms)));
  timer_.async_wait([this](const boost::system::error_code& ec) { on_timer(ec); });
}

void DelayedTasks::on_timer(const boost::system::error_code& ec) {
  if (ec) return;  // re-armed or stopped
  armed_ = false;
  run_due();
}

// Hands due tasks to the ring, earliest first, at most kBatchPerTurn per
// turn. A full ring leaves the task at the front until space comes back
// (on_ring_space): a delayed task is never dropped.
void DelayedTasks::run_due() {
  if (stopped_ || blocked_) return;
  const std::int64_t now = unix_ms_now();
  std::size_t moved = 0;
  while (auto task = set_.top()) {
    if (task->due_ms > now) break;
    if (moved == kBatchPerTurn) {
      if (!posted_) {
        posted_ = true;
        boost::asio::post(io_, [this] {
          posted_ = false;
          run_due();
        });
      }
      return;
    }
    if (!intake_.accept_known(task->id, 1, task->queue, task->payload, Journaled::yes)) {
      blocked_ = true;
      intake_.wait_for_space(weak_from_this());
      spdlog::debug("delayed tasks: the ring is full; task {} and those after it wait for room",
                    task->id);
      return;
    }
    set_.pop();
    ++moved;
  }
  arm();
}

}  // namespace tasq::server
