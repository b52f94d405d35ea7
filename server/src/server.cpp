#include "server.h"

#include <signal.h>

#include <spdlog/spdlog.h>

#include "admin_port.h"
#include "listener.h"
#include "logging.h"
#include "reload_watch.h"
#include "session.h"

namespace tasq::server {
namespace {

taskpool::PoolConfig pool_config(const Config& config, std::vector<std::string> worker_args) {
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
  return pool;
}

}  // namespace

Server::Server(boost::asio::io_context& io, Config config, std::vector<std::string> worker_args)
    : io_(io),
      config_(std::move(config)),
      pool_(std::make_unique<taskpool::Pool>(io, pool_config(config_, std::move(worker_args)))),
      signals_(io),
      heartbeat_timer_(io),
      started_(Clock::now()) {
  pool_->on_space_freed = [this] { on_space_freed(); };
}

Server::~Server() = default;

void Server::start() {
  for (const auto& endpoint : config_.listen) {
    listeners_.push_back(std::make_unique<Listener>(*this, endpoint));
  }
  if (config_.admin) admin_ = std::make_unique<AdminPort>(*this, *config_.admin);
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
  for (auto& listener : listeners_) listener->start();
  if (admin_) admin_->start();
  arm_signals();
  arm_heartbeat();
}

std::chrono::seconds Server::uptime() const {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_);
}

std::uint16_t Server::first_tcp_port() const {
  for (const auto& listener : listeners_) {
    if (listener->endpoint().kind == Endpoint::Kind::tcp) return listener->bound_port();
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
  if (watch_) watch_->stop();
  sessions_.close_all();
  for (auto& weak : waiting_for_space_) {
    if (auto session = weak.lock()) session->stop();
  }
  waiting_for_space_.clear();
  pool_->shutdown([this] {
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
  return pool_->push(queue, payloads);
}

// The journal lands with issue 9; until then these are the places it hooks.
void Server::journal_task(std::uint64_t, std::uint32_t, std::int64_t, std::string_view,
                          std::string_view) {}

void Server::journal_end(std::uint64_t) {}

void Server::on_space_freed() {
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
