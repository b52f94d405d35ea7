#include "info.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "tasq/server/version.h"

namespace tasq::server {
namespace {

void section_server(const StatsSnapshot& s, std::string& out) {
  out += "# Server\r\n";
  out += fmt::format("tasq_version:{}\r\n", kVersion);
  out += fmt::format("redis_version:{}\r\n", kRedisCompatVersion);
  out += fmt::format("process_id:{}\r\n", s.process_id);
  out += fmt::format("tcp_port:{}\r\n", s.tcp_port);
  out += fmt::format("uptime_in_seconds:{}\r\n", s.uptime_in_seconds);
  out += fmt::format("uptime_in_days:{}\r\n", s.uptime_in_seconds / 86400);
}

void section_clients(const StatsSnapshot& s, std::string& out) {
  out += "# Clients\r\n";
  out += fmt::format("connected_clients:{}\r\n", s.connected_clients);
  out += fmt::format("maxclients:{}\r\n", s.maxclients);
  out += fmt::format("blocked_clients:{}\r\n", s.results.blocked_clients);
}

void section_stats(const StatsSnapshot& s, std::string& out) {
  out += "# Stats\r\n";
  out += fmt::format("total_connections_received:{}\r\n", s.server.total_connections_received);
  out += fmt::format("total_commands_processed:{}\r\n", s.server.total_commands_processed);
  out += fmt::format("rejected_connections:{}\r\n", s.server.rejected_connections);
  out += fmt::format("reload_watch_reloads:{}\r\n", s.server.reload_watch_reloads);
}

void section_tasks(const StatsSnapshot& s, std::string& out) {
  out += "# Tasks\r\n";
  out += fmt::format("tasks_enqueued:{}\r\n", s.tasks.enqueued);
  out += fmt::format("tasks_completed:{}\r\n", s.tasks.completed);
  out += fmt::format("tasks_failed:{}\r\n", s.tasks.failed);
  out += fmt::format("tasks_retried:{}\r\n", s.tasks.retried);
  out += fmt::format("tasks_dead:{}\r\n", s.tasks.dead);
  out += fmt::format("tasks_pending:{}\r\n", s.tasks.pending);
  out += fmt::format("tasks_in_flight:{}\r\n", s.tasks.in_flight);
  out += fmt::format("cron_fired:{}\r\n", s.cron_fired);
  out += fmt::format("tasks_scheduled:{}\r\n", s.tasks_scheduled);
  out += fmt::format("results_kept:{}\r\n", s.results.results_kept);
  out += fmt::format("results_evicted:{}\r\n", s.results.results_evicted);
  out += fmt::format("results_expired:{}\r\n", s.results.results_expired);
  out += fmt::format("results_bytes:{}\r\n", s.results.results_bytes);
  out += fmt::format("finished_events:{}\r\n", s.results.finished_events);
  out += fmt::format("dead_letters:{}\r\n", s.results.dead_letters);
  out += fmt::format("dead_letters_retried:{}\r\n", s.results.dead_letters_retried);
}

void section_workers(const StatsSnapshot& s, std::string& out) {
  out += "# Workers\r\n";
  out += fmt::format("task_worker_num:{}\r\n", s.task_worker_num);
  out += fmt::format("workers_alive:{}\r\n", s.tasks.workers_alive);
  out += fmt::format("worker_restarts:{}\r\n", s.tasks.worker_restarts);
  for (const auto& w : s.workers) {
    out += fmt::format("worker{}:pid={},state={},tasks={},uptime={},restarts={}\r\n", w.id, w.pid,
                       w.state, w.tasks, w.uptime_in_seconds, w.restarts);
  }
}

void section_memory(const StatsSnapshot& s, std::string& out) {
  out += "# Memory\r\n";
  out += fmt::format("ring_size:{}\r\n", s.tasks.ring_bytes);
  out += fmt::format("ring_used:{}\r\n", s.tasks.ring_used);
  out += fmt::format("used_memory_rss:{}\r\n", s.used_memory_rss);
}

// Redis's `loading` and `aof_*` fields, named for the journal.
void section_persistence(const StatsSnapshot& s, std::string& out) {
  out += "# Persistence\r\n";
  out += fmt::format("loading:{}\r\n", s.loading ? 1 : 0);
  out += fmt::format("journal_enabled:{}\r\n", s.journal ? 1 : 0);
  if (!s.journal) return;
  const journal::Stats& st = s.journal->stats;
  out += fmt::format("journal_fsync:{}\r\n", s.journal->fsync);
  out += fmt::format("journal_size:{}\r\n", st.size_bytes);
  out += fmt::format("journal_live_tasks:{}\r\n", st.live_tasks);
  out += fmt::format("journal_last_write_status:{}\r\n", st.last_write_status);
  out += fmt::format("journal_rewrites:{}\r\n", st.rewrites);
  out += fmt::format("journal_rewrite_in_progress:{}\r\n", st.rewrite_in_progress ? 1 : 0);
  // Group commit made visible: acknowledged pushes per write, and per fsync.
  out += fmt::format("journal_writes:{}\r\n", st.writes);
  out += fmt::format("journal_fsyncs:{}\r\n", st.fsyncs);
}

// Over the last minute, as the dashboard shows them.
void section_latency(const StatsSnapshot& s, std::string& out) {
  const LatencyFigures& l = s.latency;
  out += "# Latency\r\n";
  out += fmt::format("latency_ends_last_minute:{}\r\n", l.ends);
  out += fmt::format("task_wait_p50_seconds:{:.6f}\r\n", l.wait_p50);
  out += fmt::format("task_wait_p95_seconds:{:.6f}\r\n", l.wait_p95);
  out += fmt::format("task_wait_p99_seconds:{:.6f}\r\n", l.wait_p99);
  out += fmt::format("task_run_p50_seconds:{:.6f}\r\n", l.run_p50);
  out += fmt::format("task_run_p95_seconds:{:.6f}\r\n", l.run_p95);
  out += fmt::format("task_run_p99_seconds:{:.6f}\r\n", l.run_p99);
}

// One line per queue series; the name comes last because it may hold
// commas: `queueN:waiting=..,...,name=NAME`.
void section_queues(const StatsSnapshot& s, std::string& out) {
  out += "# Queues\r\n";
  out += fmt::format("queue_series_max:{}\r\n", s.queue_series_max);
  for (std::size_t i = 0; i < s.queues.size(); ++i) {
    const QueueFigures& q = s.queues[i];
    out += fmt::format(
        "queue{}:waiting={},running={},scheduled={},enqueued={},completed={},failed={},dead={},"
        "wait_p95={:.6f},run_p95={:.6f},name={}\r\n",
        i, q.waiting, q.running, q.scheduled, q.enqueued, q.completed, q.failed, q.dead, q.wait_p95,
        q.run_p95, q.name);
  }
}

struct Section {
  std::string_view name;
  void (*render)(const StatsSnapshot&, std::string&);
};

constexpr std::array kSections{
    Section{"server", section_server},
    Section{"clients", section_clients},
    Section{"stats", section_stats},
    Section{"tasks", section_tasks},
    Section{"workers", section_workers},
    Section{"memory", section_memory},
    Section{"persistence", section_persistence},
    Section{"latency", section_latency},
    Section{"queues", section_queues},
};

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return result;
}

}  // namespace

std::string render_info(const StatsSnapshot& snapshot, std::span<const std::string_view> sections) {
  bool all = sections.empty();
  std::vector<std::string> wanted;
  for (auto name : sections) {
    auto l = lower(name);
    if (l == "all" || l == "default" || l == "everything") all = true;
    wanted.push_back(std::move(l));
  }
  std::string out;
  for (const auto& section : kSections) {
    if (!all && std::find(wanted.begin(), wanted.end(), section.name) == wanted.end()) continue;
    if (!out.empty()) out += "\r\n";
    section.render(snapshot, out);
  }
  return out;
}

}  // namespace tasq::server
