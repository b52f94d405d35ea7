#pragma once
// The master process: one io_context thread serving every listener, the
// task pool, signals and the timers. Owns everything the sessions share.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "journal_commit.h"
#include "journal_replay.h"
#include "server_stats.h"
#include "session_registry.h"
#include "tasq/config/config.h"
#include "tasq/taskpool/pool.h"

namespace tasq::server {

class Listener;
class AdminPort;
class CronRunner;
class DelayedTasks;
class ReloadWatch;
class TaskResults;

class Server {
 public:
  using Clock = std::chrono::steady_clock;

  Server(boost::asio::io_context& io, config::Config config, std::vector<std::string> worker_args);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Opens the listeners and starts the pool; throws std::runtime_error with a
  /// one-line reason when a listener cannot be opened.
  void start();
  /// Graceful shutdown: stop accepting, close clients once their replies are
  /// out, drain the pool within max_wait_time, then stop the io_context.
  void shutdown(std::string_view why);
  /// Replaces every worker one by one (SIGUSR1/SIGUSR2, admin `reload`,
  /// reload_watch). False when one is running already: that is logged unless
  /// `log_if_busy` is false (reload_watch tries again until it gets its own).
  bool reload(std::string_view why, bool log_if_busy = true);

  [[nodiscard]] const config::Config& config() const { return config_; }
  [[nodiscard]] taskpool::Pool& pool() { return *pool_; }
  [[nodiscard]] ServerStats& stats() { return stats_; }
  [[nodiscard]] SessionRegistry& sessions() { return sessions_; }
  /// Delayed tasks (ZADD): held until due, then put in the ring.
  [[nodiscard]] DelayedTasks& delayed() { return *delayed_; }
  /// Results, tasq:finished, tasq:dead and the clients blocked on them.
  [[nodiscard]] TaskResults& results() { return *results_; }
  /// DEL tasq:result:<ID>: forgets the result, journaled; false when none was kept.
  bool forget_result(std::uint64_t task_id);
  /// Admin `retry`: the dead letter of `task_id` goes back to its queue with
  /// its id and a fresh attempt count, journaled, and leaves tasq:dead (its
  /// `dead` result too). False when the ring is full (it stays dead).
  bool retry_dead_letter(std::uint64_t task_id);
  /// Dead letters sent back by `retry` (INFO `dead_letters_retried`).
  [[nodiscard]] std::uint64_t dead_letters_retried() const { return dead_letters_retried_; }
  [[nodiscard]] boost::asio::io_context& io() { return io_; }
  [[nodiscard]] std::chrono::seconds uptime() const;
  [[nodiscard]] std::uint16_t first_tcp_port() const;
  [[nodiscard]] bool shutting_down() const { return shutting_down_; }
  /// Cron firings that became tasks (INFO `cron_fired`).
  [[nodiscard]] std::uint64_t cron_fired() const;

  /// A push found the ring full: `session` is told when there may be room.
  void wait_for_space(const std::shared_ptr<Session>& session);
  /// Called (on the reactor) every time ring space comes back after a push
  /// found it full; for the server's own producers (delayed tasks, cron).
  void on_ring_space(std::function<void()> listener);

  /// Accepts tasks to run now, from any source (LPUSH, cron): into the ring
  /// and the journal. Returns the id of the last, or 0 when the ring is full
  /// (nothing accepted).
  std::uint64_t push_tasks(std::string_view queue, std::span<const std::string_view> payloads);
  /// Journals a task accepted outside push_tasks (a delayed task, with the
  /// unix time in ms when it falls due), and a task's end (cancelled).
  void journal_task(std::uint64_t id, std::uint32_t attempt, std::int64_t due_ms,
                    std::string_view queue, std::string_view payload);
  void journal_end(std::uint64_t id);
  /// Counts journal appends made for clients: a session whose command moved
  /// it holds that command's reply until the journal commits.
  [[nodiscard]] std::uint64_t journal_appends() const { return journal_appends_; }
  [[nodiscard]] JournalCommit& journal_commit() { return *journal_commit_; }
  /// nullptr when `journal none`.
  [[nodiscard]] journal::Journal* journal() { return journal_.get(); }
  /// True while the journal is replayed at start: only commands flagged
  /// `loading` run; the rest get -LOADING.
  [[nodiscard]] bool loading() const { return loading_; }
  /// A journaled delayed task not yet due, found by the replay: back to the
  /// scheduler. False when nothing schedules (then it runs now).
  bool restore_scheduled(const journal::Task& task);

 private:
  void on_signal(const boost::system::error_code& ec, int signo);
  void arm_signals();
  void on_space_freed();
  void arm_heartbeat();
  void open_journal();
  void on_journal_loaded(const journal::LoadResult& result);
  void on_task_end(const taskpool::TaskEnd& end);
  /// `last` was handed out: keep the journal's id mark well ahead of it.
  void cover_id(std::uint64_t last);

  boost::asio::io_context& io_;
  config::Config config_;
  ServerStats stats_;
  SessionRegistry sessions_;
  std::unique_ptr<taskpool::Pool> pool_;
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<JournalCommit> journal_commit_;
  std::unique_ptr<JournalReplay> replay_;
  std::uint64_t journal_appends_ = 0;
  std::uint64_t id_mark_ = 0;  ///< ids up to here are covered by an ids record
  bool loading_ = false;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unique_ptr<AdminPort> admin_;
  std::unique_ptr<CronRunner> cron_;
  std::unique_ptr<DelayedTasks> delayed_;
  std::unique_ptr<TaskResults> results_;
  std::uint64_t dead_letters_retried_ = 0;
  std::unique_ptr<ReloadWatch> watch_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer heartbeat_timer_;
  std::deque<std::weak_ptr<Session>> waiting_for_space_;
  std::vector<std::function<void()>> ring_space_listeners_;
  Clock::time_point started_;
  bool shutting_down_ = false;
};

}  // namespace tasq::server
