#include "tasqctl_format.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace tasq::clients {
namespace {

using json = nlohmann::json;

std::string line(const char* format, auto... args) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

std::string workers_table(const json& workers) {
  std::string out = line("%-4s %-8s %-9s %10s %12s %9s\n", "ID", "PID", "STATE", "TASKS", "UPTIME",
                         "RESTARTS");
  for (const auto& w : workers) {
    out += line("%-4lld %-8lld %-9s %10llu %12s %9llu\n", w.value("id", 0LL), w.value("pid", 0LL),
                w.value("state", std::string("?")).c_str(), w.value("tasks", 0ULL),
                format_duration(w.value("uptime_in_seconds", 0LL)).c_str(),
                w.value("restarts", 0ULL));
  }
  return out;
}

}  // namespace

std::string format_duration(long long seconds) {
  long long days = seconds / 86400;
  seconds %= 86400;
  auto clock = line("%02lld:%02lld:%02lld", seconds / 3600, (seconds / 60) % 60, seconds % 60);
  return days > 0 ? std::to_string(days) + "d " + clock : clock;
}

std::string format_workers(const std::string& json_text) {
  auto doc = json::parse(json_text);
  std::string out = workers_table(doc.at("workers"));
  out += line("%lld of %lld workers alive\n", doc.value("workers_alive", 0LL),
              doc.value("task_worker_num", 0LL));
  if (doc.value("truncated", false)) {
    out += line("(list cut to fit one datagram: %lld workers in all)\n",
                doc.value("workers_total", 0LL));
  }
  return out;
}

std::string format_stats(const std::string& json_text) {
  auto doc = json::parse(json_text);
  std::string out;
  const auto& tasks = doc.at("tasks");
  out += "tasks\n";
  for (const char* name : {"enqueued", "completed", "failed", "retried", "dead", "pending", "in_flight"}) {
    out += line("  %-12s %llu\n", name, tasks.value(name, 0ULL));
  }
  const auto& ring = doc.at("ring");
  out += line("ring\n  %-12s %llu bytes\n  %-12s %llu bytes\n", "size", ring.value("size", 0ULL),
              "used", ring.value("used", 0ULL));
  out += line("clients\n  %-12s %llu\n", "connected", doc.value("connected_clients", 0ULL));
  out += line("uptime\n  %s\n", format_duration(doc.value("uptime_in_seconds", 0LL)).c_str());
  out += line("workers (%llu alive, %llu restarts)\n", doc.value("workers_alive", 0ULL),
              doc.value("worker_restarts", 0ULL));
  out += workers_table(doc.at("workers"));
  return out;
}

}  // namespace tasq::clients
