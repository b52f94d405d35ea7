#pragma once
// `tasq:dead`: the dead-lettered tasks, the last `max` kept, each with what
// it takes to run it again (queue and payload). A retried one leaves the
// stream.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tasq/results/stream_id.h"

namespace tasq::results {

struct DeadLetter {
  StreamId id;  ///< its entry id; id.ms is when it was dead-lettered (ended_ms)
  std::uint64_t task_id = 0;
  std::string queue;
  std::string payload;
  std::uint32_t attempts = 0;
  std::string error;
};

class DeadLetters {
 public:
  explicit DeadLetters(std::size_t max) : max_(max) {}

  /// Adds `letter`, replacing one of the same task; drops the oldest past
  /// `max` and appends their task ids to `dropped` (when given).
  void add(DeadLetter letter, std::vector<std::uint64_t>* dropped = nullptr);
  /// Removes the task's letter and returns it (retry); nullopt when none.
  std::optional<DeadLetter> take(std::uint64_t task_id);
  [[nodiscard]] const DeadLetter* find(std::uint64_t task_id) const;

  /// In entry id order.
  [[nodiscard]] const std::map<StreamId, DeadLetter>& letters() const { return letters_; }
  [[nodiscard]] StreamId last_id() const { return last_id_; }
  [[nodiscard]] std::size_t max() const { return max_; }

 private:
  std::size_t max_;
  std::map<StreamId, DeadLetter> letters_;
  std::unordered_map<std::uint64_t, StreamId> by_task_;
  StreamId last_id_;
};

}  // namespace tasq::results
