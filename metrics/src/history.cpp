#include "tasq/metrics/history.h"

#include <algorithm>

namespace tasq::metrics {
namespace {

double rate(std::uint64_t now, std::uint64_t before, double seconds) {
  return now >= before ? static_cast<double>(now - before) / seconds : 0;
}

}  // namespace

History::History(std::size_t seconds, std::size_t window)
    : capacity_(std::max<std::size_t>(seconds, 2) + 1), window_(std::max<std::size_t>(window, 1)) {}

void History::record(std::int64_t unix_seconds, const Totals& totals) {
  if (!records_.empty() && unix_seconds <= records_.back().unix_seconds) {
    records_.back().totals = totals;
    return;
  }
  records_.push_back(Record{unix_seconds, totals});
  while (records_.size() > capacity_) records_.pop_front();
}

const Totals* History::at_or_before(std::int64_t unix_seconds) const {
  if (records_.empty()) return nullptr;
  const Totals* found = &records_.front().totals;
  for (const Record& record : records_) {
    if (record.unix_seconds > unix_seconds) break;
    found = &record.totals;
  }
  return found;
}

std::vector<HistoryPoint> History::points(std::int64_t since) const {
  std::vector<HistoryPoint> out;
  for (std::size_t i = 1; i < records_.size(); ++i) {
    const Record& now = records_[i];
    if (now.unix_seconds <= since) continue;
    const Record& before = records_[i - 1];
    const double seconds = static_cast<double>(now.unix_seconds - before.unix_seconds);
    HistoryPoint point;
    point.unix_seconds = now.unix_seconds;
    point.enqueued_per_second = rate(now.totals.enqueued, before.totals.enqueued, seconds);
    point.completed_per_second = rate(now.totals.completed, before.totals.completed, seconds);
    point.failed_per_second = rate(now.totals.failed, before.totals.failed, seconds);
    point.dead_per_second = rate(now.totals.dead, before.totals.dead, seconds);
    const Record& window_start = records_[i >= window_ ? i - window_ : 0];
    const Histogram wait = now.totals.wait.since(window_start.totals.wait);
    const Histogram run = now.totals.run.since(window_start.totals.run);
    point.ends = run.count();
    point.wait_p50 = wait.quantile(0.5);
    point.wait_p95 = wait.quantile(0.95);
    point.wait_p99 = wait.quantile(0.99);
    point.run_p50 = run.quantile(0.5);
    point.run_p95 = run.quantile(0.95);
    point.run_p99 = run.quantile(0.99);
    out.push_back(point);
  }
  return out;
}

}  // namespace tasq::metrics
