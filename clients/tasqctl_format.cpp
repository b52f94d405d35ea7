#include "tasqctl_format.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

namespace tasq::clients {
namespace {

using json = nlohmann::json;

// What the dashboard shows besides: latency, the queues, the journal.
std::string format_monitoring(const json& doc) {
  std::string out;
  if (doc.contains("latency")) {
    const auto& l = doc.at("latency");
    out += fmt::format("latency, last minute ({} ends)\n", l.value("ends_last_minute", 0ULL));
    out +=
        fmt::format("  {:<12} p50 {:.6f}  p95 {:.6f}  p99 {:.6f} s\n", "wait",
                    l.value("wait_p50", 0.0), l.value("wait_p95", 0.0), l.value("wait_p99", 0.0));
    out += fmt::format("  {:<12} p50 {:.6f}  p95 {:.6f}  p99 {:.6f} s\n", "run",
                       l.value("run_p50", 0.0), l.value("run_p95", 0.0), l.value("run_p99", 0.0));
  }
  if (doc.contains("queues")) {
    out += fmt::format("queues (the busiest {} by name, the rest as (other))\n",
                       doc.value("queue_series_max", 0ULL));
    out += fmt::format("  {:<24} {:>9} {:>9} {:>9} {:>10} {:>8} {:>8}\n", "QUEUE", "WAITING",
                       "RUNNING", "SCHEDULED", "COMPLETED", "FAILED", "DEAD");
    for (const auto& q : doc.at("queues")) {
      out += fmt::format(
          "  {:<24} {:>9} {:>9} {:>9} {:>10} {:>8} {:>8}\n", q.value("name", std::string("?")),
          q.value("waiting", 0ULL), q.value("running", 0ULL), q.value("scheduled", 0ULL),
          q.value("completed", 0ULL), q.value("failed", 0ULL), q.value("dead", 0ULL));
    }
  }
  if (doc.contains("journal")) {
    const auto& j = doc.at("journal");
    if (!j.value("enabled", false)) {
      out += "journal\n  off\n";
    } else {
      out += fmt::format("journal\n  {:<12} {}\n  {:<12} {} bytes\n  {:<12} {}\n  {:<12} {}\n",
                         "fsync", j.value("fsync", std::string("?")), "size", j.value("size", 0ULL),
                         "live tasks", j.value("live_tasks", 0ULL), "last write",
                         j.value("last_write_status", std::string("?")));
    }
  }
  if (doc.value("loading", false)) out += "loading the journal\n";
  return out;
}

std::string workers_table(const json& workers) {
  std::string out = fmt::format("{:<4} {:<8} {:<9} {:>10} {:>12} {:>9}\n", "ID", "PID", "STATE",
                                "TASKS", "UPTIME", "RESTARTS");
  for (const auto& w : workers) {
    out += fmt::format("{:<4} {:<8} {:<9} {:>10} {:>12} {:>9}\n", w.value("id", 0LL),
                       w.value("pid", 0LL), w.value("state", std::string("?")),
                       w.value("tasks", 0ULL), format_duration(w.value("uptime_in_seconds", 0LL)),
                       w.value("restarts", 0ULL));
  }
  return out;
}

}  // namespace

std::string format_duration(long long seconds) {
  long long days = seconds / 86400;
  seconds %= 86400;
  auto clock = fmt::format("{:02}:{:02}:{:02}", seconds / 3600, (seconds / 60) % 60, seconds % 60);
  return days > 0 ? std::to_string(days) + "d " + clock : clock;
}

std::string format_workers(const std::string& json_text) {
  auto doc = json::parse(json_text);
  std::string out = workers_table(doc.at("workers"));
  out += fmt::format("{} of {} workers alive\n", doc.value("workers_alive", 0LL),
                     doc.value("task_worker_num", 0LL));
  if (doc.value("truncated", false)) {
    out += fmt::format("(list cut to fit one datagram: {} workers in all)\n",
                       doc.value("workers_total", 0LL));
  }
  return out;
}

std::string format_stats(const std::string& json_text) {
  auto doc = json::parse(json_text);
  std::string out;
  const auto& tasks = doc.at("tasks");
  out += "tasks\n";
  for (const char* name : {"enqueued", "completed", "failed", "retried", "dead", "pending", "in_flight",
                           "scheduled"}) {
    out += fmt::format("  {:<12} {}\n", name, tasks.value(name, 0ULL));
  }
  const auto& ring = doc.at("ring");
  out += fmt::format("ring\n  {:<12} {} bytes\n  {:<12} {} bytes\n", "size",
                     ring.value("size", 0ULL), "used", ring.value("used", 0ULL));
  out += fmt::format("clients\n  {:<12} {}\n", "connected", doc.value("connected_clients", 0ULL));
  out += fmt::format("uptime\n  {}\n", format_duration(doc.value("uptime_in_seconds", 0LL)));
  out += fmt::format("workers ({} alive, {} restarts)\n", doc.value("workers_alive", 0ULL),
                     doc.value("worker_restarts", 0ULL));
  out += workers_table(doc.at("workers"));
  out += format_monitoring(doc);
  return out;
}

namespace {

// Bytes that would break the table (control characters, a line end) are
// shown as '?', and long texts are cut with an ellipsis.
std::string cell(const std::string& text, std::size_t width) {
  std::string out;
  for (char ch : text) {
    if (out.size() + 1 > width) {
      out.resize(width - 3);
      out += "...";
      break;
    }
    out += static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f ? '?' : ch;
  }
  return out;
}

}  // namespace

std::string format_dead(const std::string& json_text) {
  auto doc = json::parse(json_text);
  std::string out = fmt::format("{:<12} {:<16} {:>8} {:>12}  {:<32}  {}\n", "ID", "QUEUE",
                                "ATTEMPTS", "DEAD FOR", "ERROR", "PAYLOAD");
  const long long now_ms = doc.value("now_ms", 0LL);
  for (const auto& letter : doc.at("dead")) {
    const long long ended = letter.value("ended_ms", 0LL);
    out += fmt::format("{:<12} {:<16} {:>8} {:>12}  {:<32}  {}\n", letter.value("id", 0ULL),
                       cell(letter.value("queue", std::string()), 16),
                       letter.value("attempts", 0ULL),
                       format_duration(now_ms > ended ? (now_ms - ended) / 1000 : 0),
                       cell(letter.value("error", std::string()), 32),
                       cell(letter.value("payload", std::string()), 40));
  }
  out += fmt::format("{} shown, {} dead letter(s) kept{}\n", doc.at("dead").size(),
                     doc.value("total", 0ULL),
                     doc.value("truncated", false) ? " (list cut to fit one datagram)" : "");
  return out;
}

}  // namespace tasq::clients
