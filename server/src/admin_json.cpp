// The admin port's JSON replies: the figures of INFO, from the same sources.

#include <nlohmann/json.hpp>

#include "admin_port.h"
#include "delayed_tasks.h"
#include "server.h"

namespace tasq::server {
namespace {

using json = nlohmann::ordered_json;

json worker_entry(const taskpool::WorkerInfo& w) {
  auto uptime = w.pid > 0 ? std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::steady_clock::now() - w.started)
                                .count()
                          : 0;
  return json{{"id", w.id},
              {"pid", w.pid},
              {"state", std::string(taskpool::to_string(w.state))},
              {"tasks", w.tasks},
              {"uptime_in_seconds", uptime},
              {"restarts", w.restarts}};
}

}  // namespace

std::string stats_json(Server& server) {
  auto st = server.pool().stats();
  json workers = json::array();
  for (const auto& w : server.pool().workers()) workers.push_back(worker_entry(w));
  json out{
      {"tasks",
       {{"enqueued", st.enqueued},
        {"completed", st.completed},
        {"failed", st.failed},
        {"retried", st.retried},
        {"dead", st.dead},
        {"pending", st.pending},
        {"in_flight", st.in_flight},
        {"scheduled", server.delayed().size()}}},
      {"workers", workers},
      {"task_worker_num", server.config().task_worker_num},
      {"workers_alive", st.workers_alive},
      {"worker_restarts", st.worker_restarts},
      {"ring", {{"size", st.ring_bytes}, {"used", st.ring_used}}},
      {"connected_clients", server.sessions().size()},
      {"total_connections_received", server.stats().total_connections_received},
      {"total_commands_processed", server.stats().total_commands_processed},
      {"rejected_connections", server.stats().rejected_connections},
      {"uptime_in_seconds", server.uptime().count()},
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

std::string workers_json(Server& server, std::size_t limit) {
  auto list = server.pool().workers();
  json workers = json::array();
  json out{{"task_worker_num", server.config().task_worker_num},
           {"workers_alive", server.pool().stats().workers_alive},
           {"workers", json::array()}};
  std::size_t budget = out.dump().size() + 64;  // room for the truncation note
  bool truncated = false;
  for (const auto& w : list) {
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
    out["workers_total"] = list.size();
  }
  return out.dump();
}

}  // namespace tasq::server
