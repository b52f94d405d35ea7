// Server::snapshot(): the one place the reported figures are gathered.

#include "stats_snapshot.h"

#include <unistd.h>

#include <fstream>

#include "cron_runner.h"
#include "delayed_tasks.h"
#include "listener.h"
#include "server.h"
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
