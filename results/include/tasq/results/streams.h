#pragma once
// The three kinds of stream tasq answers for, as views over what it keeps:
// `tasq:result:<ID>` (the result store), `tasq:finished` and `tasq:dead`.
// One id generator serves them all: a task's end gets one entry id, the same
// in its result stream, in tasq:finished and in tasq:dead.
//
// Times are unix milliseconds, passed in (`now_ms`) so that tests drive the
// clock. Not thread-safe: the master's reactor thread owns it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tasq/resp/reply_writer.h"
#include "tasq/results/dead_letters.h"
#include "tasq/results/finished_events.h"
#include "tasq/results/result_store.h"
#include "tasq/results/stream_key.h"

namespace tasq::results {

/// A task that ended for good, as the server hands it over.
struct TaskOutcome {
  std::uint64_t task_id = 0;
  Status status = Status::completed;
  std::uint32_t attempts = 0;
  std::int64_t enqueued_ms = 0;
  std::int64_t started_ms = 0;
  std::string_view queue;
  std::string_view result;   ///< completed
  std::string_view error;    ///< dead: the last failure's reason
  std::string_view payload;  ///< dead: what a retry runs again
};

class Streams {
 public:
  struct Limits {
    ResultStore::Limits results;       ///< result_ttl, result_max_memory
    std::size_t finished_max = 10000;  ///< finished_events_max
    std::size_t dead_max = 10000;      ///< dead_letter_max
  };

  explicit Streams(Limits limits);

  /// What record() and restore() changed besides adding.
  struct Changes {
    bool result_kept = false;
    std::vector<std::uint64_t> dead_dropped;  ///< letters pushed out by dead_max
  };

  /// A task ended for good at `now_ms`: gives the end the next entry id (the
  /// returned one; its ms is the end's ended_ms) and adds its result, its
  /// tasq:finished event and, when dead, its dead letter. A result that is
  /// not kept (result_ttl 0, or over result_max_memory alone) still reads as
  /// kept until end_of_turn(), so that the clients already waiting on it
  /// get it.
  StreamId record(const TaskOutcome& outcome, std::int64_t now_ms, Changes& changes);
  /// The clients waiting on the last end were answered: a result that is not
  /// kept reads as gone from now on.
  void end_of_turn() { unkept_.reset(); }
  /// An end read back from the journal at start, with the entry id it had:
  /// its result unless `with_result` is false (forgotten by DEL) or it has
  /// expired, and its dead letter when `with_dead_letter`. No tasq:finished
  /// event: that stream starts empty. Ids given later stay above `id`.
  void restore(const TaskOutcome& outcome, StreamId id, bool with_result, bool with_dead_letter,
               std::int64_t now_ms, Changes& changes);

  /// DEL tasq:result:<ID>: false when no result was kept.
  bool forget_result(std::uint64_t task_id, std::int64_t now_ms) {
    return results_.forget(task_id, now_ms);
  }
  /// A retry takes the task's dead letter out of tasq:dead and drops its
  /// `dead` result, so that whoever waits on it gets the next outcome.
  std::optional<DeadLetter> take_dead_letter(std::uint64_t task_id);

  // ----- reads, as Redis answers them on a stream

  /// Whether the key holds a stream: tasq:finished and tasq:dead always do
  /// (possibly empty); a result stream while its result is kept.
  [[nodiscard]] bool exists(const StreamKey& key, std::int64_t now_ms) const;
  [[nodiscard]] std::size_t length(const StreamKey& key, std::int64_t now_ms) const;
  /// What `$` means in XREAD: the last id the stream ever had; 0-0 for a key
  /// without a stream.
  [[nodiscard]] StreamId last_id(const StreamKey& key, std::int64_t now_ms) const;
  /// Whether the stream has an entry with an id greater than `after`.
  [[nodiscard]] bool has_after(const StreamKey& key, StreamId after, std::int64_t now_ms) const;
  /// Writes the array of entries with ids in [start, end] (from the end
  /// backwards when `reverse`), at most `count` (0: all).
  void write_range(resp::ReplyWriter& reply, const StreamKey& key, StreamId start, StreamId end,
                   std::size_t count, bool reverse, std::int64_t now_ms) const;

  [[nodiscard]] ResultStore& results() { return results_; }
  [[nodiscard]] const ResultStore& results() const { return results_; }
  [[nodiscard]] const FinishedEvents& finished() const { return finished_; }
  [[nodiscard]] const DeadLetters& dead() const { return dead_; }

 private:
  StreamId next_entry_id(std::int64_t now_ms);
  /// The task's result: kept, or the one record() could not keep.
  [[nodiscard]] std::optional<Outcome> find_result(std::uint64_t task_id,
                                                   std::int64_t now_ms) const;

  /// A copy of the last result record() did not keep, with its bytes.
  struct Unkept {
    Outcome outcome;
    std::string bytes;  // queue, result, error; outcome's views point here
  };

  ResultStore results_;
  std::optional<Unkept> unkept_;
  FinishedEvents finished_;
  DeadLetters dead_;
  StreamId last_given_;
};

}  // namespace tasq::results
