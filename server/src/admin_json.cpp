// The admin port's JSON replies: the figures of INFO, from the same snapshot.

#include <nlohmann/json.hpp>

#include "admin_port.h"

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

}  // namespace

std::string stats_json(const StatsSnapshot& s) {
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
  };
  auto text = out.dump();
  if (text.size() > 8192) {
    // Hundreds of workers: keep every figure, cut the per-worker list.
    out["workers"] = json::array();
    out["workers_truncated"] = true;
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
