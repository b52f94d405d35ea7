#include "task_intake.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "journal_commit.h"
#include "journal_replay.h"

namespace tasq::server {

TaskIntake::TaskIntake(boost::asio::io_context& io, taskpool::PoolConfig pool)
    : io_(io),
      max_payload_(pool.max_payload_bytes),
      pool_(std::make_unique<taskpool::Pool>(io, std::move(pool))) {
  pool_->on_space_freed = [this] { on_space_freed(); };
}

TaskIntake::~TaskIntake() = default;

void TaskIntake::open_journal(const std::string& path, journal::FsyncPolicy policy,
                              std::uint64_t rewrite_min_size, Replay replay) {
  journal_ = std::make_unique<journal::Journal>(io_, path, policy, rewrite_min_size);
  commit_ = std::make_unique<JournalCommit>(io_, *journal_);
  spdlog::info("loading the journal {}", path);
  journal_->load(
      [this, replay = std::move(replay)](const journal::LoadResult& result) mutable {
        on_journal_loaded(result, std::move(replay));
      },
      max_payload_);
}

void TaskIntake::on_journal_loaded(const journal::LoadResult& result, Replay replay) {
  // Damage in the middle: starting would silently drop acknowledged tasks.
  if (!result.error.empty()) throw std::runtime_error(result.error);
  // Such a task could never enter the ring: replaying it would wait for ever.
  if (result.oversized_tasks > 0) {
    throw std::runtime_error(fmt::format(
        "journal {}: {} task(s) waiting to run have a payload over package_max_length ({} "
        "bytes), the largest {} bytes (task {}), and cannot enter the ring; nothing was dropped: "
        "start with package_max_length of at least {} (and ring_size of at least 2 x that + 64k)",
        journal_->path(), result.oversized_tasks, max_payload_, result.largest_oversized,
        result.oversized_id, result.largest_oversized));
  }
  spdlog::info("journal {}: {} record(s), {} live task(s), highest id {}", journal_->path(),
               result.records, result.live_tasks, result.highest_id);
  pool_->continue_ids_after(result.highest_id);
  // Written and synced before anything is pushed: from here on, ids a crash
  // leaves unrecorded stay below a mark that is already on disk.
  id_mark_ = result.highest_id;
  cover_id(result.highest_id + 1);
  std::error_code ec = journal_->write();
  if (!ec) ec = journal_->sync();
  if (ec) {
    spdlog::warn("journal {}: writing the id mark: {} (kept for the next write)", journal_->path(),
                 ec.message());
  }
  replay_ = std::make_shared<JournalReplay>(
      io_, *this, *journal_, std::move(replay.restore_scheduled), std::move(replay.done));
  replay_->start();
}

void TaskIntake::start() { pool_->start(); }

bool TaskIntake::reload_workers() { return pool_->reload(); }

void TaskIntake::shutdown(std::function<void()> done) {
  closed_ = true;
  if (replay_) replay_->stop();
  waiters_.clear();
  pool_->shutdown([this, done = std::move(done)] {
    if (journal_) journal_->close();
    done();
  });
}

void TaskIntake::on_task_end(std::function<void(const taskpool::TaskEnd&)> handler) {
  pool_->on_task_end = std::move(handler);
}

std::uint64_t TaskIntake::accept(std::string_view queue,
                                 std::span<const std::string_view> payloads) {
  const std::uint64_t last = pool_->push(queue, payloads);
  if (last != 0 && on_accepted_) on_accepted_(queue, payloads.size());
  if (last == 0 || !journal_) return last;
  cover_id(last);
  std::uint64_t id = last + 1 - payloads.size();
  for (std::string_view payload : payloads) journal_->append_task(id++, 1, 0, queue, payload);
  appended_for_client();
  return last;
}

bool TaskIntake::accept_known(std::uint64_t id, std::uint32_t attempt, std::string_view queue,
                              std::string_view payload, Journaled journaled) {
  if (!pool_->push_known(queue, id, attempt, payload)) return false;
  if (on_accepted_) on_accepted_(queue, 1);
  if (journaled == Journaled::no && journal_) {
    cover_id(id);
    journal_->append_task(id, attempt, 0, queue, payload);
    appended_for_client();
  }
  return true;
}

std::uint64_t TaskIntake::reserve_id() { return pool_->reserve_ids(1); }

void TaskIntake::schedule(std::uint64_t id, std::int64_t due_ms, std::string_view queue,
                          std::string_view payload) {
  if (!journal_) return;
  cover_id(id);
  journal_->append_task(id, 1, due_ms, queue, payload);
  appended_for_client();
}

void TaskIntake::end(std::uint64_t id) {
  if (!journal_) return;
  journal_->append_end(id);
  appended_for_client();
}

// Every end of an attempt reaches the journal: a failure that will be
// retried records the next attempt number, an end for good closes the task.
// No client waits for these: they ride with the turn's other records.
void TaskIntake::record_end(const taskpool::TaskEnd& end) {
  if (!journal_) return;
  if (end.outcome == TASQ_FAILED) {
    journal_->append_attempt(end.id, end.attempt + 1);
  } else {
    journal_->append_end(end.id);
  }
  commit_->request();
}

void TaskIntake::appended_for_client() {
  ++journal_appends_;
  commit_->request();
}

void TaskIntake::hold_until_written(const std::shared_ptr<Session>& session) {
  commit_->hold(session);
}

// A task becomes visible to the workers in the turn it is pushed, before the
// turn's journal write: if tasqd dies in between, the task may have run
// without a record. The ids record written ahead keeps such an id from being
// given to another task after the restart; one per kIdBlock ids.
void TaskIntake::cover_id(std::uint64_t last) {
  constexpr std::uint64_t kIdBlock = 1u << 20;
  if (last + kIdBlock / 2 < id_mark_) return;
  id_mark_ = last + kIdBlock;
  journal_->append_ids(id_mark_);
}

void TaskIntake::wait_for_space(std::weak_ptr<SpaceWaiter> waiter) {
  if (closed_) return;
  waiters_.push_back(std::move(waiter));
}

// Oldest first. Those that still find the ring full queue themselves again
// in the order they are woken, which is the order they came in.
void TaskIntake::on_space_freed() {
  auto waking = std::move(waiters_);
  waiters_.clear();
  for (auto& weak : waking) {
    if (auto waiter = weak.lock()) waiter->on_ring_space();
  }
}

}  // namespace tasq::server
