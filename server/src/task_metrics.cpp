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

void TaskMetrics::on_end(std::string_view queue, metrics::EndKind kind, double wait_seconds,
                         double run_seconds) {
  wait_.observe(wait_seconds);
  run_.observe(run_seconds);
  queues_.on_end(queue, kind, wait_seconds, run_seconds);
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
