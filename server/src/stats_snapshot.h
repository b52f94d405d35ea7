#pragma once
// Every figure the server reports, read at one moment into one plain struct.
// INFO and the admin port's `stats` JSON render it, each with its own names;
// a figure added here is added for every renderer.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "server_stats.h"
#include "tasq/journal/journal.h"
#include "tasq/taskpool/pool.h"

namespace tasq::server {

struct WorkerFigures {
  std::uint32_t id;
  int pid;                         ///< 0 while not running
  std::string_view state;          ///< "idle", "busy", ...
  std::uint64_t tasks;             ///< tasks this process has ended
  std::int64_t uptime_in_seconds;  ///< of this process; 0 while not running
  std::uint64_t restarts;          ///< respawns of this slot after a crash
};

struct JournalFigures {
  std::string_view fsync;  ///< "always", "everysec" or "no"
  journal::Stats stats;
};

/// The results side: kept results, the two streams, blocked clients.
struct ResultsFigures {
  std::size_t blocked_clients = 0;     ///< waiting in XREAD BLOCK
  std::size_t results_kept = 0;
  std::size_t results_bytes = 0;       ///< what they are charged against result_max_memory
  std::uint64_t results_evicted = 0;   ///< dropped for result_max_memory, oldest first
  std::uint64_t results_expired = 0;   ///< dropped after result_ttl
  std::size_t finished_events = 0;     ///< entries in tasq:finished
  std::size_t dead_letters = 0;        ///< entries in tasq:dead
  std::uint64_t dead_letters_retried = 0;
};

struct StatsSnapshot {
  // Server
  int process_id = 0;
  std::uint16_t tcp_port = 0;  ///< the first TCP listener's bound port; 0 without one
  std::int64_t uptime_in_seconds = 0;
  // Clients
  std::size_t connected_clients = 0;
  std::uint64_t maxclients = 0;
  // The RESP side's counters
  ServerStats server;
  // Tasks, the ring and the worker counts, as the pool keeps them
  taskpool::PoolStats tasks;
  std::uint64_t cron_fired = 0;     ///< cron firings that became tasks
  std::size_t tasks_scheduled = 0;  ///< delayed tasks not yet due
  ResultsFigures results;           ///< kept results, the streams, blocked clients
  // Workers
  std::uint32_t task_worker_num = 0;  ///< configured
  std::vector<WorkerFigures> workers;
  // Memory
  std::size_t used_memory_rss = 0;
  // Persistence
  bool loading = false;                   ///< the journal is being replayed
  std::optional<JournalFigures> journal;  ///< none with `journal none`
};

/// Resident set size of this process in bytes, from /proc/self/statm.
std::size_t resident_bytes();

}  // namespace tasq::server
