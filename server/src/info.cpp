#include "info.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <functional>

#include <fmt/format.h>

#include "delayed_tasks.h"
#include "server.h"
#include "task_results.h"
#include "tasq/journal/journal.h"
#include "tasq/server/version.h"

namespace tasq::server {
namespace {

void section_server(Server& s, std::string& out) {
  out += "# Server\r\n";
  out += fmt::format("tasq_version:{}\r\n", kVersion);
  out += fmt::format("redis_version:{}\r\n", kRedisCompatVersion);
  out += fmt::format("process_id:{}\r\n", ::getpid());
  out += fmt::format("tcp_port:{}\r\n", s.first_tcp_port());
  out += fmt::format("uptime_in_seconds:{}\r\n", s.uptime().count());
  out += fmt::format("uptime_in_days:{}\r\n", s.uptime().count() / 86400);
}

void section_clients(Server& s, std::string& out) {
  out += "# Clients\r\n";
  out += fmt::format("connected_clients:{}\r\n", s.sessions().size());
  out += fmt::format("maxclients:{}\r\n", s.config().max_connections);
  out += fmt::format("blocked_clients:{}\r\n", s.results().blocked());
}

void section_stats(Server& s, std::string& out) {
  const auto& st = s.stats();
  out += "# Stats\r\n";
  out += fmt::format("total_connections_received:{}\r\n", st.total_connections_received);
  out += fmt::format("total_commands_processed:{}\r\n", st.total_commands_processed);
  out += fmt::format("rejected_connections:{}\r\n", st.rejected_connections);
  out += fmt::format("reload_watch_reloads:{}\r\n", st.reload_watch_reloads);
}

void section_tasks(Server& s, std::string& out) {
  auto st = s.pool().stats();
  out += "# Tasks\r\n";
  out += fmt::format("tasks_enqueued:{}\r\n", st.enqueued);
  out += fmt::format("tasks_completed:{}\r\n", st.completed);
  out += fmt::format("tasks_failed:{}\r\n", st.failed);
  out += fmt::format("tasks_retried:{}\r\n", st.retried);
  out += fmt::format("tasks_dead:{}\r\n", st.dead);
  out += fmt::format("tasks_pending:{}\r\n", st.pending);
  out += fmt::format("tasks_in_flight:{}\r\n", st.in_flight);
  out += fmt::format("cron_fired:{}\r\n", s.cron_fired());
  out += fmt::format("tasks_scheduled:{}\r\n", s.delayed().size());
  const auto& results = s.results().streams();
  out += fmt::format("results_kept:{}\r\n", results.results().size());
  out += fmt::format("results_evicted:{}\r\n", results.results().evicted());
  out += fmt::format("results_expired:{}\r\n", results.results().expired());
  out += fmt::format("results_bytes:{}\r\n", results.results().bytes());
  out += fmt::format("dead_letters:{}\r\n", results.dead().letters().size());
  out += fmt::format("dead_letters_retried:{}\r\n", s.dead_letters_retried());
}

void section_workers(Server& s, std::string& out) {
  auto st = s.pool().stats();
  out += "# Workers\r\n";
  out += fmt::format("task_worker_num:{}\r\n", s.config().task_worker_num);
  out += fmt::format("workers_alive:{}\r\n", st.workers_alive);
  out += fmt::format("worker_restarts:{}\r\n", st.worker_restarts);
  for (const auto& w : s.pool().workers()) {
    out += fmt::format("worker{}:pid={},state={},tasks={}\r\n", w.id, w.pid,
                       taskpool::to_string(w.state), w.tasks);
  }
}

void section_memory(Server& s, std::string& out) {
  auto st = s.pool().stats();
  out += "# Memory\r\n";
  out += fmt::format("ring_size:{}\r\n", st.ring_bytes);
  out += fmt::format("ring_used:{}\r\n", st.ring_used);
  out += fmt::format("used_memory_rss:{}\r\n", resident_bytes());
}

// Redis's `loading` and `aof_*` fields, named for the journal.
void section_persistence(Server& s, std::string& out) {
  out += "# Persistence\r\n";
  out += fmt::format("loading:{}\r\n", s.loading() ? 1 : 0);
  const journal::Journal* journal = s.journal();
  out += fmt::format("journal_enabled:{}\r\n", journal != nullptr ? 1 : 0);
  if (journal == nullptr) return;
  auto st = journal->stats();
  static constexpr std::string_view kPolicy[] = {"always", "everysec", "no"};
  out += fmt::format("journal_fsync:{}\r\n", kPolicy[static_cast<int>(journal->policy())]);
  out += fmt::format("journal_size:{}\r\n", st.size_bytes);
  out += fmt::format("journal_live_tasks:{}\r\n", st.live_tasks);
  out += fmt::format("journal_last_write_status:{}\r\n", st.last_write_status);
  out += fmt::format("journal_rewrites:{}\r\n", st.rewrites);
  out += fmt::format("journal_rewrite_in_progress:{}\r\n", st.rewrite_in_progress ? 1 : 0);
}

struct Section {
  std::string_view name;
  void (*render)(Server&, std::string&);
};

constexpr std::array kSections{
    Section{"server", section_server},   Section{"clients", section_clients},
    Section{"stats", section_stats},     Section{"tasks", section_tasks},
    Section{"workers", section_workers}, Section{"memory", section_memory},
    Section{"persistence", section_persistence},
};

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return result;
}

}  // namespace

std::string render_info(Server& server, std::span<const std::string_view> sections) {
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
    section.render(server, out);
  }
  return out;
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages_total = 0;
  std::size_t pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace tasq::server
