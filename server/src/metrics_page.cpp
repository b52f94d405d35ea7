#include "metrics_page.h"

#include "task_metrics.h"
#include "tasq/metrics/text_writer.h"
#include "tasq/server/version.h"

namespace tasq::server {
namespace {

using metrics::Type;

void process_families(metrics::TextWriter& w, const metrics::ProcessFigures& p) {
  w.single("process_cpu_seconds_total", Type::counter,
           "Total user and system CPU time spent in seconds.", p.cpu_seconds);
  w.single("process_resident_memory_bytes", Type::gauge, "Resident memory size in bytes.",
           p.resident_bytes);
  w.single("process_virtual_memory_bytes", Type::gauge, "Virtual memory size in bytes.",
           p.virtual_bytes);
  w.single("process_open_fds", Type::gauge, "Number of open file descriptors.", p.open_fds);
  w.single("process_max_fds", Type::gauge, "Maximum number of open file descriptors.", p.max_fds);
  w.single("process_start_time_seconds", Type::gauge,
           "Start time of the process since unix epoch in seconds.", p.start_time_seconds);
}

// The INFO figures: counters as `tasq_<name>_total`, gauges as they are
// (with the unit in the name where there is one).
void info_families(metrics::TextWriter& w, const StatsSnapshot& s) {
  w.family("tasq_info", Type::gauge, "Always 1; the labels say which tasqd this is.");
  w.sample({{"version", kVersion}, {"redis_version", kRedisCompatVersion}}, std::uint64_t{1});
  w.single("tasq_uptime_seconds", Type::gauge, "Seconds since tasqd started.",
           static_cast<std::int64_t>(s.uptime_in_seconds));
  w.single("tasq_connected_clients", Type::gauge, "Client connections open (RESP).",
           static_cast<std::uint64_t>(s.connected_clients));
  w.single("tasq_max_clients", Type::gauge, "max_connections.", s.maxclients);
  w.single("tasq_connections_received_total", Type::counter, "Client connections accepted.",
           s.server.total_connections_received);
  w.single("tasq_commands_processed_total", Type::counter, "Commands run.",
           s.server.total_commands_processed);
  w.single("tasq_rejected_connections_total", Type::counter,
           "Connections refused past max_connections.", s.server.rejected_connections);
  w.single("tasq_reload_watch_reloads_total", Type::counter,
           "Reloads started by a reload_watch change.", s.server.reload_watch_reloads);

  const auto& t = s.tasks;
  w.single("tasq_tasks_enqueued_total", Type::counter, "Tasks accepted (ids handed out).",
           t.enqueued);
  w.single("tasq_tasks_completed_total", Type::counter, "Tasks that ended successfully.",
           t.completed);
  w.single("tasq_tasks_failed_total", Type::counter, "Attempts that failed (each retry counts).",
           t.failed);
  w.single("tasq_tasks_retried_total", Type::counter,
           "Attempts requeued after a failure or a worker's death.", t.retried);
  w.single("tasq_tasks_dead_total", Type::counter, "Tasks dead-lettered.", t.dead);
  w.single("tasq_cron_fired_total", Type::counter, "Cron firings that became tasks.", s.cron_fired);
  w.single("tasq_tasks_pending", Type::gauge, "Tasks in the ring, not started.", t.pending);
  w.single("tasq_tasks_in_flight", Type::gauge, "Tasks started, not ended.", t.in_flight);
  w.single("tasq_tasks_scheduled", Type::gauge, "Delayed tasks not yet due.",
           static_cast<std::uint64_t>(s.tasks_scheduled));

  const ResultsFigures& r = s.results;
  w.single("tasq_blocked_clients", Type::gauge, "Clients blocked in XREAD BLOCK.",
           static_cast<std::uint64_t>(r.blocked_clients));
  w.single("tasq_results_kept", Type::gauge, "Task results kept (tasq:result:<ID>).",
           static_cast<std::uint64_t>(r.results_kept));
  w.single("tasq_results_bytes", Type::gauge,
           "What the kept results are charged against result_max_memory.",
           static_cast<std::uint64_t>(r.results_bytes));
  w.single("tasq_results_evicted_total", Type::counter,
           "Results dropped, oldest first, for result_max_memory.", r.results_evicted);
  w.single("tasq_results_expired_total", Type::counter, "Results dropped after result_ttl.",
           r.results_expired);
  w.single("tasq_finished_events", Type::gauge, "Entries kept in tasq:finished.",
           static_cast<std::uint64_t>(r.finished_events));
  w.single("tasq_dead_letters", Type::gauge, "Dead-lettered tasks kept in tasq:dead.",
           static_cast<std::uint64_t>(r.dead_letters));
  w.single("tasq_dead_letters_retried_total", Type::counter,
           "Dead letters sent back to their queues by a retry.", r.dead_letters_retried);

  w.single("tasq_task_worker_num", Type::gauge, "Task workers configured.",
           static_cast<std::uint64_t>(s.task_worker_num));
  w.single("tasq_workers_alive", Type::gauge, "Task worker processes running.",
           static_cast<std::uint64_t>(t.workers_alive));
  w.single("tasq_worker_restarts_total", Type::counter, "Workers respawned after a crash.",
           t.worker_restarts);
  // By state, from a fixed set: one series per state, never per worker.
  static constexpr std::string_view kStates[] = {"starting", "idle", "busy", "stopping", "dead"};
  w.family("tasq_workers", Type::gauge, "Task workers by state.");
  for (auto state : kStates) {
    std::uint64_t n = 0;
    for (const auto& worker : s.workers) n += worker.state == state ? 1 : 0;
    w.sample({{"state", state}}, n);
  }

  w.single("tasq_ring_size_bytes", Type::gauge, "Shared-memory ring capacity (ring_size).",
           static_cast<std::uint64_t>(t.ring_bytes));
  w.single("tasq_ring_used_bytes", Type::gauge, "Ring bytes held by live tasks.",
           static_cast<std::uint64_t>(t.ring_used));

  w.single("tasq_loading", Type::gauge, "1 while the journal is replayed at start.",
           std::uint64_t{s.loading ? 1u : 0u});
  w.single("tasq_journal_enabled", Type::gauge, "1 when the journal is on.",
           std::uint64_t{s.journal ? 1u : 0u});
  if (s.journal) {
    const journal::Stats& j = s.journal->stats;
    w.single("tasq_journal_size_bytes", Type::gauge, "The journal file's size.", j.size_bytes);
    w.single("tasq_journal_live_tasks", Type::gauge, "Journaled tasks without an end.",
             j.live_tasks);
    w.single("tasq_journal_last_write_ok", Type::gauge,
             "1 when the last journal write and fsync succeeded (INFO "
             "journal_last_write_status says why not).",
             std::uint64_t{j.last_write_status == "ok" ? 1u : 0u});
    w.single("tasq_journal_rewrites_total", Type::counter, "Journal compactions completed.",
             j.rewrites);
    w.single("tasq_journal_rewrite_in_progress", Type::gauge, "1 while a compaction runs.",
             std::uint64_t{j.rewrite_in_progress ? 1u : 0u});
    w.single("tasq_journal_fsyncs_total", Type::counter, "fdatasync calls on the journal.",
             j.fsyncs);
  }
}

void queue_figures(metrics::TextWriter& w, const StatsSnapshot& s) {
  struct Figure {
    std::string_view name;
    Type type;
    std::string_view help;
    std::uint64_t QueueFigures::*field;
  };
  static constexpr Figure kFigures[] = {
      {"tasq_queue_enqueued_total", Type::counter,
       "Tasks that entered the ring (pushed, fallen due, replayed, sent back), by queue.",
       &QueueFigures::enqueued},
      {"tasq_queue_completed_total", Type::counter, "Tasks that ended successfully, by queue.",
       &QueueFigures::completed},
      {"tasq_queue_failed_total", Type::counter,
       "Attempts that failed (each retry counts), by queue.", &QueueFigures::failed},
      {"tasq_queue_dead_total", Type::counter, "Tasks dead-lettered, by queue.",
       &QueueFigures::dead},
      {"tasq_queue_waiting_tasks", Type::gauge, "Tasks in the ring, not started, by queue.",
       &QueueFigures::waiting},
      {"tasq_queue_running_tasks", Type::gauge, "Tasks started, not ended, by queue.",
       &QueueFigures::running},
      {"tasq_queue_scheduled_tasks", Type::gauge, "Delayed tasks not yet due, by queue.",
       &QueueFigures::scheduled},
  };
  for (const auto& figure : kFigures) {
    w.family(figure.name, figure.type, figure.help);
    for (const auto& q : s.queues) w.sample({{"queue", q.name}}, q.*figure.field);
  }
}

// Histograms have no place in the snapshot: their buckets are the task
// metrics' own.
void queue_histograms(metrics::TextWriter& w, const metrics::QueueTable& table) {
  const auto each = [&](auto&& emit) {
    for (const auto& [name, counters] : table.named()) emit(std::string_view(name), counters);
    emit(metrics::QueueTable::kOther, table.other());
  };
  w.family("tasq_queue_wait_seconds", Type::histogram,
           "Seconds from entering the ring to the start of an attempt, by queue.");
  each([&](std::string_view queue, const metrics::QueueCounters& c) {
    w.histogram({{"queue", queue}}, c.wait);
  });
  w.family("tasq_queue_run_seconds", Type::histogram,
           "Seconds from the start of an attempt to its end, by queue.");
  each([&](std::string_view queue, const metrics::QueueCounters& c) {
    w.histogram({{"queue", queue}}, c.run);
  });
}

}  // namespace

std::string render_metrics(const StatsSnapshot& snapshot, const TaskMetrics& tasks,
                           const metrics::ProcessFigures& process) {
  std::string out;
  out.reserve(64 * 1024);
  metrics::TextWriter w(out);
  info_families(w, snapshot);
  w.family("tasq_task_wait_seconds", Type::histogram,
           "Seconds from entering the ring (push, retry, due) to the start of an attempt.");
  w.histogram({}, tasks.wait());
  w.family("tasq_task_run_seconds", Type::histogram,
           "Seconds from the start of an attempt to its end.");
  w.histogram({}, tasks.run());
  queue_figures(w, snapshot);
  queue_histograms(w, tasks.queues());
  process_families(w, process);
  return out;
}

}  // namespace tasq::server
