#include "server.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include "admin_port.h"
#include "cron_runner.h"
#include "delayed_tasks.h"
#include "listener.h"
#include "logging.h"
#include "metrics_http.h"
#include "reload_watch.h"
#include "service_notify.h"
#include "session.h"
#include "task_ends.h"
#include "task_metrics.h"
#include "task_results.h"

namespace tasq::server {
namespace {

taskpool::PoolConfig pool_config(const config::Config& config,
                                 std::vector<std::string> worker_args) {
  taskpool::PoolConfig pool;
  pool.worker_exe = worker_args.empty() ? std::string() : worker_args.front();
  if (!worker_args.empty()) worker_args.erase(worker_args.begin());
  pool.worker_args = std::move(worker_args);
  pool.worker_count = config.task_worker_num;
  pool.ring_bytes = config.ring_size_bytes;
  pool.max_payload_bytes = config.package_max_length_bytes;
  pool.handler = config.handler;
  pool.max_request = config.max_request;
  pool.max_wait = config.max_wait_time;
  pool.task_timeout = config.task_timeout;
  pool.pipe_start_timeout = config.pipe_start_timeout;
  pool.task_retry = config.task_retry;
  pool.user = config.user;
  pool.group = config.group;
  pool.chroot = config.chroot;
  pool.log_level = std::string(to_string(config.log_level));
  pool.log_file = config.log_file;
  pool.dispatch_mode = config.dispatch_mode == config::DispatchMode::key
                           ? taskpool::DispatchMode::key
                           : taskpool::DispatchMode::preemptive;
  pool.sched_batch = config.worker_sched_policy == config::WorkerSchedPolicy::batch;
  return pool;
}

results::Streams::Limits results_limits(const config::Config& config) {
  return {.results = {.ttl_ms = static_cast<std::int64_t>(config.result_ttl.count()) * 1000,
                      .max_bytes = config.result_max_memory_bytes},
          .finished_max = config.finished_events_max,
          .dead_max = config.dead_letter_max};
}

}  // namespace

Server::Server(boost::asio::io_context& io, config::Config config,
               std::vector<std::string> worker_args)
    : io_(io),
      config_(std::move(config)),
      requirepass_(config_.requirepass.empty() ? access::Secret()
                                               : access::Secret(config_.requirepass)),
      configured_admin_token_(config_.admin_token.empty() ? access::Secret()
                                                          : access::Secret(config_.admin_token)),
      intake_(std::make_unique<TaskIntake>(io, pool_config(config_, std::move(worker_args)))),
      results_(std::make_unique<TaskResults>(io, results_limits(config_),
                                             config_.package_max_length_bytes)),
      signals_(io),
      heartbeat_timer_(io),
      started_(Clock::now()) {
  notify_ = std::make_unique<ServiceNotify>(io_, [this] { return service_status(); });
  task_metrics_ = std::make_unique<TaskMetrics>(io_, [this] {
    const auto tasks = snapshot().tasks;
    metrics::Totals totals;
    totals.enqueued = tasks.enqueued;
    totals.completed = tasks.completed;
    totals.failed = tasks.failed;
    totals.dead = tasks.dead;
    return totals;
  });
  ends_ = std::make_unique<TaskEnds>(*intake_, *results_, *task_metrics_);
  intake_->on_accepted([&metrics = *task_metrics_](std::string_view queue, std::uint64_t tasks) {
    metrics.on_accepted(queue, tasks);
  });
  intake_->on_task_end([&ends = *ends_](const taskpool::TaskEnd& end) { ends.on_end(end); });
  results_->on_release([&intake = *intake_](std::uint64_t id, bool result, bool letter) {
    intake.release_outcome(id, result, letter);
  });
  delayed_ = std::make_shared<DelayedTasks>(io_, *intake_, config_.ring_size_bytes);
}

Server::~Server() = default;

void Server::start() {
  for (const auto& endpoint : config_.listen) {
    listeners_.push_back(std::make_unique<Listener>(*this, endpoint));
  }
  if (config_.admin) admin_ = std::make_unique<AdminPort>(*this, *config_.admin);
  if (config_.metrics) metrics_http_ = std::make_unique<MetricsHttp>(*this, *config_.metrics);
  // Locked before anything is served, so a second tasqd on the same journal
  // stops here with the reason.
  if (config_.journal_enabled()) open_journal();
  // Before the pool: a watch limit reached stops tasqd before any worker runs.
  if (!config_.reload_watch.empty()) {
    watch_ = std::make_unique<ReloadWatch>(io_, config_.reload_watch, config_.reload_watch_delay_ms,
                                           [this](std::string_view why) {
                                             bool started = reload(why, false);
                                             if (started) ++stats_.reload_watch_reloads;
                                             return started;
                                           });
    watch_->start();
  }
  intake_->start();
  delayed_->start();
  for (auto& listener : listeners_) listener->start();
  if (admin_) admin_->start();
  task_metrics_->start();
  if (metrics_http_) metrics_http_->start();
  cron_ = std::make_shared<CronRunner>(io_, *intake_, config_.cron);
  cron_->start();
  arm_signals();
  arm_heartbeat();
  notify_->start();
  if (!loading_) notify_->ready();
}

const access::Secret& Server::admin_token() const {
  return admin_ ? admin_->token() : configured_admin_token_;
}

std::string Server::service_status() const {
  const StatsSnapshot s = snapshot();
  const auto& t = s.tasks;
  if (s.loading) {
    return "loading the journal " + config_.journal + ": " +
           std::to_string(t.pending + t.in_flight) + " task(s) put back so far";
  }
  return std::to_string(t.workers_alive) + "/" + std::to_string(s.task_worker_num) + " workers, " +
         std::to_string(t.pending) + " pending, " + std::to_string(t.in_flight) + " running, " +
         std::to_string(t.completed) + " completed, " + std::to_string(t.dead) + " dead";
}

std::uint16_t Server::first_tcp_port() const {
  for (const auto& listener : listeners_) {
    if (listener->endpoint().kind == config::Endpoint::Kind::tcp) return listener->bound_port();
  }
  return 0;
}

void Server::arm_signals() {
  for (int signo : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP}) signals_.add(signo);
  signals_.async_wait(
      [this](const boost::system::error_code& ec, int signo) { on_signal(ec, signo); });
}

void Server::on_signal(const boost::system::error_code& ec, int signo) {
  if (ec) return;
  switch (signo) {
    case SIGTERM:
    case SIGINT:
      shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
      break;
    case SIGUSR1:
    case SIGUSR2:
      reload(signo == SIGUSR1 ? "SIGUSR1" : "SIGUSR2");
      break;
    case SIGHUP:
      reopen_log();
      spdlog::info("SIGHUP: log file reopened");
      break;
    default:
      break;
  }
  signals_.async_wait(
      [this](const boost::system::error_code& next_ec, int next) { on_signal(next_ec, next); });
}

bool Server::reload(std::string_view why, bool log_if_busy) {
  if (shutting_down_) return false;
  bool started = intake_->reload_workers();
  if (started) {
    spdlog::info("{}: reloading the task workers one by one", why);
  } else if (log_if_busy) {
    spdlog::info("{}: a reload is already running; ignored", why);
  }
  return started;
}

void Server::shutdown(std::string_view why) {
  if (shutting_down_) {
    spdlog::info("{}: shutdown already in progress", why);
    return;
  }
  shutting_down_ = true;
  notify_->stopping(why);
  spdlog::info("{}: shutting down: no new connections, draining tasks (up to {} s)", why,
               config_.max_wait_time.count());
  for (auto& listener : listeners_) listener->stop();
  heartbeat_timer_.cancel();
  if (cron_) cron_->stop();
  delayed_->stop();
  if (watch_) watch_->stop();
  if (metrics_http_) metrics_http_->stop();
  task_metrics_->stop();
  sessions_.close_all();
  intake_->shutdown([this] {
    spdlog::info("all tasks drained and workers stopped; bye");
    signals_.cancel();
    io_.stop();
  });
}

void Server::open_journal() {
  auto policy = config_.journal_fsync == config::JournalFsync::always ? journal::FsyncPolicy::always
                : config_.journal_fsync == config::JournalFsync::everysec
                    ? journal::FsyncPolicy::everysec
                    : journal::FsyncPolicy::no;
  loading_ = true;
  TaskIntake::Replay replay{
      .restore_scheduled = [this](const journal::Task& task) { delayed_->restore(task); },
      .restore_outcome = [this](const journal::Outcome& outcome) { results_->restore(outcome); },
      .done =
          [this] {
            loading_ = false;
            notify_->ready();
          }};
  intake_->open_journal(config_.journal, policy, config_.journal_rewrite_min_size_bytes,
                        std::move(replay));
}

bool Server::forget_result(std::uint64_t task_id) {
  if (!results_->forget(task_id)) return false;
  intake_->forget_result(task_id);
  return true;
}

bool Server::retry_dead_letter(std::uint64_t task_id) {
  const results::DeadLetter* letter = results_->streams().dead().find(task_id);
  if (letter == nullptr) return false;
  // A fresh attempt count, journaled: the task record replaces the dead
  // letter's in the journal.
  if (!intake_->accept_known(task_id, 1, letter->queue, letter->payload, Journaled::no)) {
    return false;
  }
  spdlog::info("task {} of queue '{}' sent back from the dead letters", task_id, letter->queue);
  results_->take_dead_letter(task_id);
  return true;
}

void Server::arm_heartbeat() {
  auto interval = config_.heartbeat_check_interval;
  if (interval.count() == 0 || shutting_down_) return;
  heartbeat_timer_.expires_after(interval);
  heartbeat_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    auto closed = sessions_.close_idle(Clock::now() - config_.heartbeat_idle_time);
    if (closed > 0) spdlog::debug("heartbeat: closed {} idle connection(s)", closed);
    arm_heartbeat();
  });
}

}  // namespace tasq::server
