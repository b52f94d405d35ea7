#include "server.h"

#include <signal.h>

#include <spdlog/spdlog.h>

#include "admin_port.h"
#include "cron_runner.h"
#include "delayed_tasks.h"
#include "listener.h"
#include "logging.h"
#include "reload_watch.h"
#include "session.h"
#include "task_results.h"
#include "tasq/journal/journal.h"

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
  pool.task_retry = config.task_retry;
  pool.user = config.user;
  pool.group = config.group;
  pool.chroot = config.chroot;
  pool.log_level = std::string(to_string(config.log_level));
  pool.log_file = config.log_file;
  pool.dispatch_mode = config.dispatch_mode == config::DispatchMode::key
                           ? taskpool::DispatchMode::key
                           : taskpool::DispatchMode::preemptive;
  return pool;
}

}  // namespace

Server::Server(boost::asio::io_context& io, config::Config config,
               std::vector<std::string> worker_args)
    : io_(io),
      config_(std::move(config)),
      pool_(std::make_unique<taskpool::Pool>(io, pool_config(config_, std::move(worker_args)))),
      signals_(io),
      heartbeat_timer_(io),
      started_(Clock::now()) {
  pool_->on_space_freed = [this] { on_space_freed(); };
  pool_->on_task_end = [this](const taskpool::TaskEnd& end) { on_task_end(end); };
  delayed_ = std::make_unique<DelayedTasks>(*this, config_.ring_size_bytes);
  results_ = std::make_unique<TaskResults>(
      io_,
      results::Streams::Limits{
          .results = {.ttl_ms = static_cast<std::int64_t>(config_.result_ttl.count()) * 1000,
                      .max_bytes = config_.result_max_memory_bytes},
          .finished_max = config_.finished_events_max,
          .dead_max = config_.dead_letter_max},
      config_.package_max_length_bytes);
}

Server::~Server() = default;

void Server::start() {
  for (const auto& endpoint : config_.listen) {
    listeners_.push_back(std::make_unique<Listener>(*this, endpoint));
  }
  if (config_.admin) admin_ = std::make_unique<AdminPort>(*this, *config_.admin);
  // Locked before anything is served, so a second tasqd on the same journal
  // stops here with the reason.
  if (config_.journal_enabled()) open_journal();
  // Before the pool: a watch limit reached stops tasqd before any worker runs.
  if (!config_.reload_watch.empty()) {
    watch_ = std::make_unique<ReloadWatch>(
        io_, config_.reload_watch, config_.reload_watch_delay_ms, [this](std::string_view why) {
          bool started = reload(why, false);
          if (started) ++stats_.reload_watch_reloads;
          return started;
        });
    watch_->start();
  }
  pool_->start();
  delayed_->start();
  for (auto& listener : listeners_) listener->start();
  if (admin_) admin_->start();
  cron_ = std::make_unique<CronRunner>(*this, config_.cron);
  cron_->start();
  arm_signals();
  arm_heartbeat();
}

std::chrono::seconds Server::uptime() const {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_);
}

std::uint64_t Server::cron_fired() const { return cron_ ? cron_->fired() : 0; }

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
  bool started = pool_->reload();
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
  spdlog::info("{}: shutting down: no new connections, draining tasks (up to {} s)", why,
               config_.max_wait_time.count());
  for (auto& listener : listeners_) listener->stop();
  heartbeat_timer_.cancel();
  if (cron_) cron_->stop();
  delayed_->stop();
  if (watch_) watch_->stop();
  sessions_.close_all();
  for (auto& weak : waiting_for_space_) {
    if (auto session = weak.lock()) session->stop();
  }
  waiting_for_space_.clear();
  pool_->shutdown([this] {
    if (journal_) journal_->close();
    spdlog::info("all tasks drained and workers stopped; bye");
    signals_.cancel();
    io_.stop();
  });
}

void Server::wait_for_space(const std::shared_ptr<Session>& session) {
  waiting_for_space_.push_back(session);
}

// Wakes the sessions whose pushes found the ring full, oldest first. A
// session that still finds no room queues itself again.
void Server::on_ring_space(std::function<void()> listener) {
  ring_space_listeners_.push_back(std::move(listener));
}

std::uint64_t Server::push_tasks(std::string_view queue,
                                 std::span<const std::string_view> payloads) {
  const std::uint64_t last = pool_->push(queue, payloads);
  if (last == 0 || !journal_) return last;
  cover_id(last);
  std::uint64_t id = last + 1 - payloads.size();
  for (std::string_view payload : payloads) journal_->append_task(id++, 1, 0, queue, payload);
  ++journal_appends_;
  journal_commit_->request();
  return last;
}

void Server::journal_task(std::uint64_t id, std::uint32_t attempt, std::int64_t due_ms,
                          std::string_view queue, std::string_view payload) {
  if (!journal_) return;
  cover_id(id);
  journal_->append_task(id, attempt, due_ms, queue, payload);
  ++journal_appends_;
  journal_commit_->request();
}

void Server::journal_end(std::uint64_t id) {
  if (!journal_) return;
  journal_->append_end(id);
  ++journal_appends_;
  journal_commit_->request();
}

bool Server::restore_scheduled(const journal::Task& task) {
  delayed_->restore(task.id, task.queue, task.due_ms, task.payload);
  return true;
}

void Server::open_journal() {
  auto policy = config_.journal_fsync == config::JournalFsync::always ? journal::FsyncPolicy::always
                : config_.journal_fsync == config::JournalFsync::everysec
                    ? journal::FsyncPolicy::everysec
                    : journal::FsyncPolicy::no;
  journal_ = std::make_unique<journal::Journal>(io_, config_.journal, policy,
                                                config_.journal_rewrite_min_size_bytes);
  journal_commit_ = std::make_unique<JournalCommit>(io_, *journal_);
  loading_ = true;
  spdlog::info("loading the journal {}", config_.journal);
  journal_->load([this](const journal::LoadResult& result) { on_journal_loaded(result); });
}

void Server::on_journal_loaded(const journal::LoadResult& result) {
  // Damage in the middle: starting would silently drop acknowledged tasks.
  if (!result.error.empty()) throw std::runtime_error(result.error);
  spdlog::info("journal {}: {} record(s), {} live task(s), highest id {}", config_.journal,
               result.records, result.live_tasks, result.highest_id);
  pool_->continue_ids_after(result.highest_id);
  // Written and synced before anything is pushed: from here on, ids a crash
  // leaves unrecorded stay below a mark that is already on disk.
  id_mark_ = result.highest_id;
  cover_id(result.highest_id + 1);
  std::error_code ec = journal_->write();
  if (!ec) ec = journal_->sync();
  if (ec) spdlog::warn("journal {}: writing the id mark: {} (kept for the next write)",
                       config_.journal, ec.message());
  // Before the outcomes come back: what their restore drops (expired while
  // tasqd was down, over a bound) is released in the journal too.
  results_->set_journal(journal_.get());
  journal::Outcome outcome;
  while (journal_->next_outcome(outcome)) results_->restore(outcome);
  replay_ = std::make_unique<JournalReplay>(*this, *journal_, [this] { loading_ = false; });
  replay_->start();
}

// A task becomes visible to the workers in the turn it is pushed, before the
// turn's journal write: if tasqd dies in between, the task may have run
// without a record. The ids record written ahead keeps such an id from being
// given to another task after the restart; one per kIdBlock ids.
void Server::cover_id(std::uint64_t last) {
  constexpr std::uint64_t kIdBlock = 1u << 20;
  if (last + kIdBlock / 2 < id_mark_) return;
  id_mark_ = last + kIdBlock;
  journal_->append_ids(id_mark_);
}

// Every end of an attempt reaches the journal: a failure that will be
// retried records the next attempt number, an end for good closes the task.
void Server::on_task_end(const taskpool::TaskEnd& end) {
  std::optional<journal::Outcome> outcome;
  if (end.outcome != TASQ_FAILED) {
    const std::int64_t now = TaskResults::now_ms();
    outcome = results_->on_end({.task_id = end.id,
                                .dead = end.outcome == TASQ_DEAD,
                                .attempts = end.attempt,
                                .enqueued_ms = now,
                                .started_ms = now,
                                .queue = end.queue,
                                .result = end.result,
                                .error = end.reason,
                                .payload = {}});
  }
  if (!journal_) return;
  if (end.outcome == TASQ_FAILED) {
    journal_->append_attempt(end.id, end.attempt + 1);
  } else if (outcome) {
    journal_->append_outcome(*outcome);
  } else {
    journal_->append_end(end.id);
  }
  journal_commit_->request();
}

bool Server::retry_dead_letter(std::uint64_t task_id) {
  const results::DeadLetter* letter = results_->streams().dead().find(task_id);
  if (letter == nullptr) return false;
  if (!pool_->push_known(letter->queue, task_id, 1, letter->payload)) return false;
  // The task record replaces the dead letter's in the journal.
  journal_task(task_id, 1, 0, letter->queue, letter->payload);
  spdlog::info("task {} of queue '{}' sent back from the dead letters", task_id, letter->queue);
  results_->take_dead_letter(task_id);
  ++dead_letters_retried_;
  return true;
}

bool Server::forget_result(std::uint64_t task_id) {
  if (!results_->forget(task_id)) return false;
  if (journal_) {
    journal_->append_forget(task_id);
    ++journal_appends_;
    journal_commit_->request();
  }
  return true;
}

void Server::on_space_freed() {
  if (replay_) replay_->on_ring_space();
  for (auto& listener : ring_space_listeners_) listener();
  auto waiting = std::move(waiting_for_space_);
  waiting_for_space_.clear();
  for (auto& weak : waiting) {
    if (auto session = weak.lock()) session->resume_push();
  }
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
