#include "tasq/results/finished_events.h"

namespace tasq::results {

void FinishedEvents::add(FinishedEvent event) {
  last_id_ = event.id;
  if (max_ == 0) return;
  if (events_.size() == max_) events_.pop_front();
  events_.push_back(std::move(event));
}

}  // namespace tasq::results
