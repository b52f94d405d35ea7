// Server::snapshot(): the one place the reported figures are gathered.

#include "stats_snapshot.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "cron_runner.h"
#include "delayed_tasks.h"
#include "listener.h"
#include "server.h"
#include "task_metrics.h"
#include "task_results.h"

namespace tasq::server {
namespace {

std::vector<WorkerFigures> worker_figures(const taskpool::Pool& pool) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<WorkerFigures> figures;
  for (const auto& w : pool.workers()) {
    const auto uptime =
        w.pid > 0 ? std::chrono::duration_cast<std::chrono::seconds>(now - w.started).count() : 0;
    figures.push_back({.id = w.id,
                       .pid = w.pid,
                       .state = taskpool::to_string(w.state),
                       .tasks = w.tasks,
                       .uptime_in_seconds = uptime,
                       .restarts = w.restarts});
  }
  return figures;
}

QueueFigures counted(std::string name, const metrics::QueueCounters& c) {
  QueueFigures q;
  q.name = std::move(name);
  q.enqueued = c.enqueued;
  q.completed = c.completed;
  q.failed = c.failed;
  q.dead = c.dead;
  q.wait_p95 = c.wait.quantile(0.95);
  q.run_p95 = c.run.quantile(0.95);
  return q;
}

// The queues with a series of their own, then the rest together: what is
// not in a named queue's gauges is in (other)'s.
std::vector<QueueFigures> queue_figures(const TaskMetrics& metrics, const taskpool::Pool& pool,
                                        const DelayedTasks& delayed, const StatsSnapshot& s) {
  std::vector<QueueFigures> out;
  QueueFigures other = counted(std::string(metrics::QueueTable::kOther), metrics.queues().other());
  other.waiting = s.tasks.pending;
  other.running = s.tasks.in_flight;
  other.scheduled = s.tasks_scheduled;
  for (const auto& [name, counters] : metrics.queues().named()) {
    QueueFigures q = counted(name, counters);
    q.waiting = std::min<std::uint64_t>(pool.pending(name), other.waiting);
    q.running = std::min<std::uint64_t>(pool.in_flight(name), other.running);
    q.scheduled = std::min<std::uint64_t>(delayed.count(name), other.scheduled);
    other.waiting -= q.waiting;
    other.running -= q.running;
    other.scheduled -= q.scheduled;
    out.push_back(std::move(q));
  }
  out.push_back(std::move(other));
  return out;
}

std::string_view fsync_name(journal::FsyncPolicy policy) {
  switch (policy) {
    case journal::FsyncPolicy::always:
      return "always";
    case journal::FsyncPolicy::everysec:
      return "everysec";
    case journal::FsyncPolicy::no:
      break;
  }
  return "no";
}

}  // namespace

StatsSnapshot Server::snapshot() const {
  const taskpool::Pool& pool = intake_->pool();
  StatsSnapshot s;
  s.process_id = ::getpid();
  s.tcp_port = first_tcp_port();
  s.uptime_in_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_).count();
  s.connected_clients = sessions_.size();
  s.maxclients = config_.max_connections;
  s.server = stats_;
  s.tasks = pool.stats();
  s.cron_fired = cron_ ? cron_->fired() : 0;
  s.tasks_scheduled = delayed_->size();
  const results::Streams& streams = results_->streams();
  s.results = {.blocked_clients = results_->blocked(),
               .results_kept = streams.results().size(),
               .results_bytes = streams.results().bytes(),
               .results_evicted = streams.results().evicted(),
               .results_expired = streams.results().expired(),
               .finished_events = streams.finished().events().size(),
               .dead_letters = streams.dead().letters().size(),
               .dead_letters_retried = results_->retried()};
  s.task_worker_num = config_.task_worker_num;
  s.workers = worker_figures(pool);
  s.used_memory_rss = resident_bytes();
  s.latency = task_metrics_->last_minute();
  s.queue_series_max = task_metrics_->queues().limits().named;
  s.queues = queue_figures(*task_metrics_, pool, *delayed_, s);
  s.loading = loading_;
  if (const journal::Journal* journal = intake_->journal()) {
    s.journal = JournalFigures{.fsync = fsync_name(journal->policy()), .stats = journal->stats()};
  }
  return s;
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages_total = 0;
  std::size_t pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace tasq::server
