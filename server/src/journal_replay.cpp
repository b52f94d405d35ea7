#include "journal_replay.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "server.h"

namespace tasq::server {
namespace {

// Tasks put back per reactor turn: enough to replay a million in seconds,
// few enough that a PING waits well under a millisecond.
constexpr int kTasksPerTurn = 2048;

std::int64_t unix_ms_now() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

JournalReplay::JournalReplay(Server& server, journal::Journal& journal,
                             std::function<void()> done)
    : server_(server), journal_(journal), done_(std::move(done)) {}

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
  if (!running_ || server_.shutting_down()) return;
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
      return;
    }
    held_.reset();
    ++replayed_;
  }
  boost::asio::post(server_.io(), [this] { step(); });
}

bool JournalReplay::place(const journal::Task& task) {
  if (task.due_ms > unix_ms_now() && server_.restore_scheduled(task)) return true;
  return server_.pool().push_known(task.queue, task.id, task.attempt, task.payload);
}

}  // namespace tasq::server
