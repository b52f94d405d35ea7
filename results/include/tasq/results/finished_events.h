#pragma once
// `tasq:finished`: one event per task end, the last `max` kept, ids
// increasing. Events carry no result body: they say who ended and how.

#include <boost/circular_buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "tasq/results/result_store.h"
#include "tasq/results/stream_id.h"

namespace tasq::results {

struct FinishedEvent {
  StreamId id;
  std::uint64_t task_id = 0;
  Status status = Status::completed;
  std::string queue;
  std::string error;  ///< when dead
};

class FinishedEvents {
 public:
  explicit FinishedEvents(std::size_t max) : events_(max) {}

  /// Appends (ids must grow) and drops the oldest past `max`; with max 0
  /// nothing is kept.
  void add(FinishedEvent event);

  /// The ring grows as events come, up to `max`; from then on each event
  /// takes the oldest one's place, with no allocation of the ring's own.
  using Events = boost::circular_buffer_space_optimized<FinishedEvent>;

  [[nodiscard]] const Events& events() const { return events_; }
  /// The id of the last event ever added (kept or not), as Redis keeps a
  /// stream's last id; 0-0 before the first.
  [[nodiscard]] StreamId last_id() const { return last_id_; }

 private:
  Events events_;
  StreamId last_id_;
};

}  // namespace tasq::results
