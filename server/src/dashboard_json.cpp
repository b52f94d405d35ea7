#include "dashboard_json.h"

#include <nlohmann/json.hpp>

#include "server.h"
#include "stats_object.h"
#include "task_metrics.h"
#include "task_results.h"
#include "tasq/server/version.h"

namespace tasq::server {
namespace {

using json = nlohmann::ordered_json;

// The page lists the latest dead letters; tasqctl dead has them all.
constexpr std::size_t kDeadShown = 50;
constexpr std::size_t kPayloadShown = 256;

json history(const TaskMetrics& metrics, std::int64_t since) {
  json points = json::array();
  for (const auto& p : metrics.history().points(since)) {
    points.push_back(json{{"t", p.unix_seconds},
                          {"enqueued", p.enqueued_per_second},
                          {"completed", p.completed_per_second},
                          {"failed", p.failed_per_second},
                          {"dead", p.dead_per_second},
                          {"ends", p.ends},
                          {"wait_p50", p.wait_p50},
                          {"wait_p95", p.wait_p95},
                          {"run_p50", p.run_p50},
                          {"run_p95", p.run_p95}});
  }
  return points;
}

// The newest of tasq:dead.
json dead_letters(const results::DeadLetters& dead) {
  json list = json::array();
  const auto& letters = dead.letters();
  for (auto it = letters.rbegin(); it != letters.rend() && list.size() < kDeadShown; ++it) {
    const results::DeadLetter& letter = it->second;
    list.push_back(json{{"id", letter.task_id},
                        {"queue", letter.queue},
                        {"attempts", letter.attempts},
                        {"error", letter.error},
                        {"payload", letter.payload.substr(0, kPayloadShown)}});
  }
  return list;
}

}  // namespace

std::string dashboard_json(Server& server, std::int64_t since) {
  const StatsSnapshot snapshot = server.snapshot();
  json out{{"version", kVersion},
           {"process_id", snapshot.process_id},
           {"stats", stats_object(snapshot)},
           {"history", history(server.task_metrics(), since)},
           {"dead", dead_letters(server.results().streams().dead())}};
  // Payloads, errors and queue names are bytes: bad UTF-8 is replaced, not
  // an exception.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace tasq::server
