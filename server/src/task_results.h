#pragma once
// The results side of task ends: the streams (results, tasq:finished,
// tasq:dead) and the clients blocked in XREAD on them. Every task that ends
// for good comes through on_end(), from the server's one door for task ends;
// the entry is recorded, journaled with the end, and the clients waiting on
// it are answered in the same reactor turn.
//
// Lives on the reactor thread only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tasq/journal/journal.h"
#include "tasq/results/streams.h"
#include "tasq/results/wait_list.h"

namespace tasq::server {

/// One client blocked in XREAD BLOCK: what it reads, and from where. Owned
/// by its session; TaskResults only lists it.
class BlockedRead : public results::WaitList::Waiter {
 public:
  BlockedRead(std::vector<std::string> keys, std::vector<results::StreamId> after,
              std::uint64_t count)
      : keys_(std::move(keys)), after_(std::move(after)), count_(count) {}
  virtual ~BlockedRead() = default;

  /// An entry may have arrived on one of its keys: the owner tries the read
  /// again (TaskResults::try_read) and answers if it yields.
  virtual void on_stream_ready() = 0;

  [[nodiscard]] const std::vector<std::string>& keys() const { return keys_; }
  [[nodiscard]] const std::vector<results::StreamId>& after() const { return after_; }
  [[nodiscard]] std::uint64_t count() const { return count_; }

 private:
  std::vector<std::string> keys_;
  std::vector<results::StreamId> after_;
  std::uint64_t count_;
};

class TaskResults {
 public:
  /// `max_result_bytes` (package_max_length) bounds what is kept of a
  /// handler's result, whatever a worker reports.
  TaskResults(boost::asio::io_context& io, results::Streams::Limits limits,
              std::size_t max_result_bytes);
  ~TaskResults();
  TaskResults(const TaskResults&) = delete;
  TaskResults& operator=(const TaskResults&) = delete;

  /// Called for every result (`result`) or dead letter (`letter`) dropped
  /// here other than by DEL or a retry: expired, evicted, pushed out of
  /// tasq:dead. The journal then keeps its record no longer.
  void on_release(std::function<void(std::uint64_t task_id, bool result, bool letter)> release) {
    release_ = std::move(release);
  }

  /// What a task that ended for good left, as the door for task ends hands
  /// it over (times in unix ms).
  struct End {
    std::uint64_t task_id = 0;
    bool dead = false;
    std::uint32_t attempts = 0;
    std::int64_t enqueued_ms = 0;
    std::int64_t started_ms = 0;
    std::int64_t ended_ms = 0;  ///< the time its stream entries are written at
    std::string_view queue;
    std::string_view result;   ///< completed
    std::string_view error;    ///< dead
    std::string_view payload;  ///< dead
  };
  /// Records the end in the streams and, when `journaled`, returns the
  /// outcome record to journal as the task's end, or nullopt when nothing of
  /// it is kept (then a plain end record). Wakes the clients waiting on it.
  std::optional<journal::Outcome> on_end(const End& end, bool journaled);
  /// At start: an outcome read back from the journal (before any end).
  void restore(const journal::Outcome& outcome);

  /// DEL tasq:result:<ID>: true when a result was forgotten (the caller
  /// journals that).
  bool forget(std::uint64_t task_id);
  /// A retry takes the task's dead letter (and its `dead` result); counted.
  std::optional<results::DeadLetter> take_dead_letter(std::uint64_t task_id);
  /// Dead letters sent back by a retry.
  [[nodiscard]] std::uint64_t retried() const { return retried_; }

  [[nodiscard]] const results::Streams& streams() const { return streams_; }
  /// Unix time in ms, as the streams count it.
  [[nodiscard]] static std::int64_t now_ms();

  /// Writes the XREAD answer of `read` now, or returns false (nothing yet).
  bool try_read(const BlockedRead& read, resp::ReplyWriter& reply) const;
  /// `read` waits until an entry comes on one of its keys.
  void block(BlockedRead& read);
  /// `read` waits no more (answered, timed out, or its client left).
  void unblock(BlockedRead& read);
  /// Clients blocked in XREAD (INFO blocked_clients).
  [[nodiscard]] std::size_t blocked() const { return waiting_.size(); }

 private:
  void wake(const results::StreamKey* keys, std::size_t count);
  /// Expires what is due at `now` (unix ms) and arms the timer for the next.
  void arm_expiry(std::int64_t now);
  void released(std::uint64_t task_id, bool result, bool letter);

  results::Streams streams_;
  results::WaitList waiting_;
  std::function<void(std::uint64_t, bool, bool)> release_;
  std::size_t max_result_bytes_;
  std::uint64_t retried_ = 0;
  boost::asio::steady_timer expiry_timer_;
  std::optional<std::int64_t> expiry_armed_for_;  ///< unix ms the timer is set for
  std::vector<results::WaitList::Waiter*> to_wake_;
};

}  // namespace tasq::server
