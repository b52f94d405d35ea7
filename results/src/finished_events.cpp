#include "tasq/results/finished_events.h"

namespace tasq::results {

void FinishedEvents::add(FinishedEvent event) {
  last_id_ = event.id;
  if (events_.capacity() == 0) return;
  events_.push_back(std::move(event));  // over the oldest, once full
}

}  // namespace tasq::results
