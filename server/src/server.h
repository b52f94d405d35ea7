#pragma once
// The master process: one io_context thread serving every listener, the
// task intake (and the pool behind it), signals and the timers. Owns
// everything the sessions share.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server_stats.h"
#include "session_registry.h"
#include "stats_snapshot.h"
#include "task_intake.h"
#include "tasq/access/secret.h"
#include "tasq/config/config.h"

namespace tasq::server {

class Listener;
class AdminPort;
class CronRunner;
class DelayedTasks;
class ReloadWatch;
class MetricsHttp;
class ServiceNotify;
class TaskEnds;
class TaskMetrics;

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
  /// requirepass as a digest, for AUTH's constant-time check.
  [[nodiscard]] const access::Secret& requirepass() const { return requirepass_; }
  /// The admin token: admin_token, or the one the admin port made at start
  /// (in its token file). The metrics listener's bearer token too. Empty
  /// (matching nothing) with `admin none` and no admin_token.
  [[nodiscard]] const access::Secret& admin_token() const;
  [[nodiscard]] boost::asio::io_context& io() { return io_; }
  /// The one door tasks come in by (and the pool and journal behind it).
  [[nodiscard]] TaskIntake& intake() { return *intake_; }
  /// Delayed tasks (ZADD): held until due, then accepted into the ring.
  [[nodiscard]] DelayedTasks& delayed() { return *delayed_; }
  [[nodiscard]] SessionRegistry& sessions() { return sessions_; }
  /// The RESP side's counters, moved by listeners and sessions.
  [[nodiscard]] ServerStats& stats() { return stats_; }
  /// Every figure INFO and the admin `stats` show, read now.
  [[nodiscard]] StatsSnapshot snapshot() const;
  /// Runs an admin verb ("retry 12") as the admin port would, without its
  /// token check (the caller did its own); "ERR ..." when the port is off.
  std::string admin_command(std::string_view command);
  /// Queue wait and run time histograms, per-queue series, recent history.
  [[nodiscard]] TaskMetrics& task_metrics() { return *task_metrics_; }
  [[nodiscard]] bool shutting_down() const { return shutting_down_; }
  /// True while the journal is replayed at start: only commands flagged
  /// `loading` run; the rest get -LOADING.
  [[nodiscard]] bool loading() const { return loading_; }

 private:
  void on_signal(const boost::system::error_code& ec, int signo);
  void arm_signals();
  void arm_heartbeat();
  void open_journal();
  [[nodiscard]] std::uint16_t first_tcp_port() const;
  /// The service manager's STATUS= line for now.
  [[nodiscard]] std::string service_status() const;

  boost::asio::io_context& io_;
  config::Config config_;
  access::Secret requirepass_;
  access::Secret configured_admin_token_;  // for admin_token() with `admin none`
  ServerStats stats_;
  SessionRegistry sessions_;
  std::unique_ptr<TaskIntake> intake_;
  std::unique_ptr<TaskEnds> ends_;
  bool loading_ = false;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unique_ptr<AdminPort> admin_;
  std::shared_ptr<CronRunner> cron_;
  std::shared_ptr<DelayedTasks> delayed_;
  std::unique_ptr<ReloadWatch> watch_;
  std::unique_ptr<TaskMetrics> task_metrics_;
  std::unique_ptr<MetricsHttp> metrics_http_;
  std::unique_ptr<ServiceNotify> notify_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer heartbeat_timer_;
  Clock::time_point started_;
  bool shutting_down_ = false;
};

}  // namespace tasq::server
