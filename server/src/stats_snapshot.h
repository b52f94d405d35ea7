#pragma once
// Every figure the server reports, read at one moment into one plain struct.
// INFO and the admin port's `stats` JSON render it, each with its own names;
// a figure added here is added for every renderer.

#include <cstdint>
#include <optional>
#include <string>
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

/// One series of the per-queue figures: a busy queue, or every other queue
/// together under metrics::QueueTable::kOther.
struct QueueFigures {
  std::string name;
  std::uint64_t waiting = 0;    ///< in the ring, not started
  std::uint64_t running = 0;    ///< started, not ended
  std::uint64_t scheduled = 0;  ///< delayed, not yet due
  // Since the queue got its series:
  std::uint64_t enqueued = 0;  ///< tasks that entered the ring
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;  ///< attempts
  std::uint64_t dead = 0;
  double wait_p95 = 0;  ///< seconds
  double run_p95 = 0;
};

/// Queue wait and run time quantiles (seconds) over the last minute.
struct LatencyFigures {
  std::uint64_t ends = 0;  ///< attempts that ended in that minute
  double wait_p50 = 0, wait_p95 = 0, wait_p99 = 0;
  double run_p50 = 0, run_p95 = 0, run_p99 = 0;
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
  // Latency and queues (the task metrics)
  LatencyFigures latency;
  std::size_t queue_series_max = 0;  ///< queues with a series of their own, at most
  std::vector<QueueFigures> queues;  ///< by name, then kOther
  // Persistence
  bool loading = false;                   ///< the journal is being replayed
  std::optional<JournalFigures> journal;  ///< none with `journal none`
};

/// Resident set size of this process in bytes, from /proc/self/statm.
std::size_t resident_bytes();

}  // namespace tasq::server
