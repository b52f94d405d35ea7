// The admin port's JSON replies: the figures of INFO, from the same snapshot.

#include <nlohmann/json.hpp>

#include "admin_port.h"
#include "stats_object.h"

namespace tasq::server {
namespace {

using json = nlohmann::ordered_json;

json worker_entry(const WorkerFigures& w) {
  return json{{"id", w.id},
              {"pid", w.pid},
              {"state", std::string(w.state)},
              {"tasks", w.tasks},
              {"uptime_in_seconds", w.uptime_in_seconds},
              {"restarts", w.restarts}};
}

json journal_entry(const StatsSnapshot& s) {
  if (!s.journal) return json{{"enabled", false}};
  const journal::Stats& st = s.journal->stats;
  return json{{"enabled", true},
              {"fsync", std::string(s.journal->fsync)},
              {"size", st.size_bytes},
              {"live_tasks", st.live_tasks},
              {"last_write_status", st.last_write_status},
              {"rewrites", st.rewrites},
              {"rewrite_in_progress", st.rewrite_in_progress}};
}

json latency_entry(const LatencyFigures& l) {
  return json{{"ends_last_minute", l.ends}, {"wait_p50", l.wait_p50}, {"wait_p95", l.wait_p95},
              {"wait_p99", l.wait_p99},     {"run_p50", l.run_p50},   {"run_p95", l.run_p95},
              {"run_p99", l.run_p99}};
}

json queue_entry(const QueueFigures& q) {
  return json{{"name", q.name},           {"waiting", q.waiting},   {"running", q.running},
              {"scheduled", q.scheduled}, {"enqueued", q.enqueued}, {"completed", q.completed},
              {"failed", q.failed},       {"dead", q.dead},         {"wait_p95", q.wait_p95},
              {"run_p95", q.run_p95}};
}

}  // namespace

nlohmann::ordered_json stats_object(const StatsSnapshot& s) {
  json workers = json::array();
  for (const auto& w : s.workers) workers.push_back(worker_entry(w));
  json out{
      {"tasks",
       {{"enqueued", s.tasks.enqueued},
        {"completed", s.tasks.completed},
        {"failed", s.tasks.failed},
        {"retried", s.tasks.retried},
        {"dead", s.tasks.dead},
        {"pending", s.tasks.pending},
        {"in_flight", s.tasks.in_flight},
        {"scheduled", s.tasks_scheduled},
        {"results_kept", s.results.results_kept},
        {"results_evicted", s.results.results_evicted},
        {"results_expired", s.results.results_expired},
        {"results_bytes", s.results.results_bytes},
        {"finished_events", s.results.finished_events},
        {"dead_letters", s.results.dead_letters},
        {"dead_letters_retried", s.results.dead_letters_retried}}},
      {"workers", workers},
      {"task_worker_num", s.task_worker_num},
      {"workers_alive", s.tasks.workers_alive},
      {"worker_restarts", s.tasks.worker_restarts},
      {"ring", {{"size", s.tasks.ring_bytes}, {"used", s.tasks.ring_used}}},
      {"connected_clients", s.connected_clients},
      {"blocked_clients", s.results.blocked_clients},
      {"total_connections_received", s.server.total_connections_received},
      {"total_commands_processed", s.server.total_commands_processed},
      {"rejected_connections", s.server.rejected_connections},
      {"uptime_in_seconds", s.uptime_in_seconds},
      {"loading", s.loading},
      {"journal", journal_entry(s)},
      {"latency", latency_entry(s.latency)},
      {"queue_series_max", s.queue_series_max},
  };
  json queues = json::array();
  for (const auto& q : s.queues) queues.push_back(queue_entry(q));
  out["queues"] = std::move(queues);
  return out;
}

std::string stats_json(const StatsSnapshot& s) {
  json out = stats_object(s);
  auto text = out.dump();
  if (text.size() > 8192) {
    // Hundreds of workers: keep every figure, cut the per-worker list.
    out["workers"] = json::array();
    out["workers_truncated"] = true;
    text = out.dump();
  }
  if (text.size() > 8192) {
    // And long queue names: keep the rest of the figures.
    out["queues"] = json::array();
    out["queues_truncated"] = true;
    text = out.dump();
  }
  return text;
}

std::string workers_json(const StatsSnapshot& s, std::size_t limit) {
  json workers = json::array();
  json out{{"task_worker_num", s.task_worker_num},
           {"workers_alive", s.tasks.workers_alive},
           {"workers", json::array()}};
  std::size_t budget = out.dump().size() + 64;  // room for the truncation note
  bool truncated = false;
  for (const auto& w : s.workers) {
    auto entry = worker_entry(w);
    auto size = entry.dump().size() + 1;
    if (budget + size > limit) {
      truncated = true;
      break;
    }
    budget += size;
    workers.push_back(std::move(entry));
  }
  out["workers"] = std::move(workers);
  if (truncated) {
    out["truncated"] = true;
    out["workers_total"] = s.workers.size();
  }
  return out.dump();
}

}  // namespace tasq::server
