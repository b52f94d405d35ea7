#include "tasq/access/refusal_log.h"

namespace tasq::access {

std::optional<RefusalLog::Line> RefusalLog::refused(std::string_view from, Clock::time_point now) {
  ++held_;
  held_from_.assign(from);
  if (logged_any_ && now - last_line_ < kInterval) return std::nullopt;
  return emit(now);
}

RefusalLog::Clock::time_point RefusalLog::next_due() const {
  return held_ == 0 ? Clock::time_point::max() : last_line_ + kInterval;
}

std::optional<RefusalLog::Line> RefusalLog::due(Clock::time_point now) {
  if (held_ == 0 || now < next_due()) return std::nullopt;
  return emit(now);
}

std::optional<RefusalLog::Line> RefusalLog::emit(Clock::time_point now) {
  Line line{held_, std::move(held_from_)};
  held_ = 0;
  held_from_.clear();
  last_line_ = now;
  logged_any_ = true;
  return line;
}

}  // namespace tasq::access
