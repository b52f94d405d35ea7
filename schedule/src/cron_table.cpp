#include "tasq/schedule/cron_table.h"

#include <algorithm>

namespace tasq::schedule {

CronTable::CronTable(std::vector<CronLine> lines, Clock::time_point now) : latest_(now) {
  entries_.reserve(lines.size());
  for (auto& line : lines) {
    Entry entry{std::move(line), std::nullopt, std::nullopt};
    entry.next = next_due(entry.line.schedule, now);
    entries_.push_back(std::move(entry));
  }
}

std::size_t CronTable::fire_due(Clock::time_point now, const Fire& fire) {
  std::size_t fired = 0;
  // Judged against the latest time seen, so that small steps back cannot
  // add up to a long silence.
  const bool corrected = latest_ && now + kClockCorrection < *latest_;
  latest_ = corrected || !latest_ ? now : std::max(*latest_, now);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& entry = entries_[i];
    const CronSchedule& schedule = entry.line.schedule;

    if (schedule.is_interval()) {
      if (entry.last_fired && now < *entry.last_fired) {
        // The clock stepped back: keep the rhythm from the new time rather
        // than wait for the old one to come round again.
        entry.last_fired.reset();
        entry.next = now + schedule.every;
        continue;
      }
      if (!entry.next || now < *entry.next) continue;
      entry.last_fired = now;
      entry.next = *entry.next + schedule.every;
      if (*entry.next <= now) entry.next = now + schedule.every;
      fire(entry, i);
      ++fired;
      continue;
    }

    if (corrected) {
      entry.last_fired.reset();
      entry.next = next_due(schedule, now);
      continue;
    }
    if (!entry.next || now < *entry.next) continue;
    entry.last_fired = *entry.next;
    entry.next = next_due(schedule, now);
    fire(entry, i);
    ++fired;
  }
  return fired;
}

std::optional<Clock::time_point> CronTable::next_wake() const {
  std::optional<Clock::time_point> earliest;
  for (const auto& entry : entries_) {
    if (entry.next && (!earliest || *entry.next < *earliest)) earliest = entry.next;
  }
  return earliest;
}

}  // namespace tasq::schedule
