#include "task_metrics.h"

#include <chrono>

namespace tasq::server {

TaskMetrics::TaskMetrics(boost::asio::io_context& io, std::function<metrics::Totals()> counters)
    : timer_(io), counters_(std::move(counters)) {}

void TaskMetrics::start() {
  stopped_ = false;
  tick();
}

void TaskMetrics::stop() {
  stopped_ = true;
  timer_.cancel();
}

void TaskMetrics::on_accepted(std::string_view queue, std::uint64_t tasks) {
  queues_.on_enqueued(queue, tasks);
}

void TaskMetrics::on_end(const taskpool::TaskEnd& end) {
  using seconds = std::chrono::duration<double>;
  const double wait = std::chrono::duration_cast<seconds>(end.started - end.enqueued).count();
  const double run = std::chrono::duration_cast<seconds>(end.ended - end.started).count();
  const auto kind = end.outcome == TASQ_COMPLETED ? metrics::EndKind::completed
                    : end.outcome == TASQ_FAILED  ? metrics::EndKind::failed
                                                  : metrics::EndKind::dead;
  wait_.observe(wait);
  run_.observe(run);
  queues_.on_end(end.queue, kind, wait, run);
}

LatencyFigures TaskMetrics::last_minute() const {
  using namespace std::chrono;
  const auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  metrics::Histogram wait = wait_;
  metrics::Histogram run = run_;
  if (const metrics::Totals* before = history_.at_or_before(now - 60)) {
    wait = wait_.since(before->wait);
    run = run_.since(before->run);
  }
  LatencyFigures f;
  f.ends = run.count();
  f.wait_p50 = wait.quantile(0.5);
  f.wait_p95 = wait.quantile(0.95);
  f.wait_p99 = wait.quantile(0.99);
  f.run_p50 = run.quantile(0.5);
  f.run_p95 = run.quantile(0.95);
  f.run_p99 = run.quantile(0.99);
  return f;
}

void TaskMetrics::tick() {
  if (stopped_) return;
  metrics::Totals totals = counters_();
  totals.wait = wait_;
  totals.run = run_;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  history_.record(std::chrono::duration_cast<std::chrono::seconds>(now).count(), totals);
  queues_.rerank();
  arm();
}

// On the second boundary, so that the history's points are whole seconds
// apart whatever the reactor's delays.
void TaskMetrics::arm() {
  using namespace std::chrono;
  const auto now = system_clock::now().time_since_epoch();
  const auto to_next = seconds(1) - (now - duration_cast<seconds>(now));
  timer_.expires_after(duration_cast<steady_clock::duration>(to_next) + milliseconds(1));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

}  // namespace tasq::server
