#pragma once
// The one door tasks come in by. Every producer (a client's LPUSH, a cron
// firing, a delayed task falling due, the journal's replay at start, and a
// dead letter sent back) hands its tasks to the TaskIntake. It owns what a
// task meets on the way in: the pool and its ring, the journal that records
// the task before anyone acknowledges it, the group commit of that journal,
// the id mark that keeps ids unique across a crash, and the one queue of
// producers waiting for ring space. Nothing else pushes into the pool or
// appends to the journal.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tasq/journal/journal.h"
#include "tasq/taskpool/pool.h"

namespace tasq::server {

class JournalCommit;
class JournalReplay;
class Session;

/// A producer that found the ring full and waits in the intake's queue.
class SpaceWaiter {
 public:
  virtual ~SpaceWaiter() = default;
  /// The ring may have room again: try once more; a producer that still
  /// finds it full calls wait_for_space() again.
  virtual void on_ring_space() = 0;
};

/// Whether the journal already holds a known task's record.
enum class Journaled : std::uint8_t {
  yes,  ///< replayed at start, or a delayed task falling due: its record is there
  no,   ///< a dead letter sent back: recorded now, with its fresh attempt count
};

class TaskIntake {
 public:
  TaskIntake(boost::asio::io_context& io, taskpool::PoolConfig pool);
  ~TaskIntake();
  TaskIntake(const TaskIntake&) = delete;
  TaskIntake& operator=(const TaskIntake&) = delete;

  // ----- life

  /// What the journal's replay hands back to the server.
  struct Replay {
    /// A journaled delayed task not yet due: back to the scheduler.
    std::function<void(const journal::Task&)> restore_scheduled;
    /// Every live task is back: the server may take pushes.
    std::function<void()> done;
  };
  /// Opens and locks the journal (throws journal::JournalError) and starts
  /// reading it; once read, its live tasks are put back (Replay), ids
  /// continue above the highest it holds, and the journal takes new records.
  /// Without this call (`journal none`) nothing is journaled.
  void open_journal(const std::string& path, journal::FsyncPolicy policy,
                    std::uint64_t rewrite_min_size, Replay replay);
  /// Starts the task workers.
  void start();
  /// Replaces the workers one by one; false when a reload is running already.
  bool reload_workers();
  /// Takes no more tasks, forgets the waiters, drains the pool within
  /// max_wait_time, closes the journal, then calls `done`.
  void shutdown(std::function<void()> done);
  /// Where every end of a task attempt goes (the TaskEnds door).
  void on_task_end(std::function<void(const taskpool::TaskEnd&)> handler);
  /// Told of the tasks that entered the ring, by queue (accept and
  /// accept_known): the per-queue metrics.
  void on_accepted(std::function<void(std::string_view queue, std::uint64_t tasks)> observer) {
    on_accepted_ = std::move(observer);
  }

  // ----- the door in

  /// New tasks to run now, all or none: ids handed out, into the ring, into
  /// the journal. Returns the id of the last, or 0 when the ring is full
  /// (nothing accepted: wait_for_space(), then try again).
  std::uint64_t accept(std::string_view queue, std::span<const std::string_view> payloads);
  /// A task whose id was handed out before goes into the ring with its
  /// attempt number. False when the ring is full.
  bool accept_known(std::uint64_t id, std::uint32_t attempt, std::string_view queue,
                    std::string_view payload, Journaled journaled);
  /// An id for a task that does not enter the ring yet (a delayed task).
  std::uint64_t reserve_id();
  /// Journals a delayed task under its id with the unix time (ms) it falls
  /// due; again when it moves (the latest record wins).
  void schedule(std::uint64_t id, std::int64_t due_ms, std::string_view queue,
                std::string_view payload);
  /// Journals the end of a task that leaves without running (cancelled).
  void end(std::uint64_t id);
  /// Journals an attempt's end: the next attempt's number after a failure
  /// that will be retried, else the task's end. For the TaskEnds door.
  void record_end(const taskpool::TaskEnd& end);

  /// `waiter` found the ring full: its on_ring_space() is called when there
  /// may be room. Waiters are woken in the order they came; one that is
  /// gone by then is skipped.
  void wait_for_space(std::weak_ptr<SpaceWaiter> waiter);

  // ----- acknowledgements

  /// Journal records appended for clients so far: a session whose command
  /// moved it holds that command's reply until hold_until_written().
  [[nodiscard]] std::uint64_t journal_appends() const { return journal_appends_; }
  /// `session` is told (Session::on_journal_commit) once the records its
  /// held replies acknowledge are written (and synced).
  void hold_until_written(const std::shared_ptr<Session>& session);

  // ----- reading

  /// The pool, for its figures and queue lengths; tasks go in through here.
  [[nodiscard]] const taskpool::Pool& pool() const { return *pool_; }
  /// nullptr with `journal none`.
  [[nodiscard]] const journal::Journal* journal() const { return journal_.get(); }

 private:
  void on_journal_loaded(const journal::LoadResult& result, Replay replay);
  void on_space_freed();
  /// `last` was handed out: keep the journal's id mark well ahead of it.
  void cover_id(std::uint64_t last);
  /// Records were appended for a client: write them in this turn.
  void appended_for_client();

  boost::asio::io_context& io_;
  /// package_max_length: a journaled task over it could never enter the ring.
  std::uint64_t max_payload_ = 0;
  std::unique_ptr<taskpool::Pool> pool_;
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<JournalCommit> commit_;
  std::shared_ptr<JournalReplay> replay_;
  std::uint64_t journal_appends_ = 0;
  std::uint64_t id_mark_ = 0;  ///< ids up to here are covered by an ids record
  std::deque<std::weak_ptr<SpaceWaiter>> waiters_;
  std::function<void(std::string_view, std::uint64_t)> on_accepted_;
  bool closed_ = false;
};

}  // namespace tasq::server
