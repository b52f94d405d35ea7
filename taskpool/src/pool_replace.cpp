// Graceful replacement, one worker at a time (reload, max_request), and the
// shutdown that drains the queue before it stops the workers.
//
// A replaced worker finishes the task in hand, claims no more and exits; its
// replacement starts at once, and the next worker is asked to stop only when
// the new one is ready. So at most one worker is missing at any time, and no
// task is dropped or run twice: the old worker never gives a claimed task back.

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

#include "pool_impl.h"

namespace tasq::taskpool {
namespace {

/// How long stopped workers get at shutdown, once the queue is drained or
/// max_wait has passed, before they are killed.
constexpr std::chrono::milliseconds kStopGrace{1000};

}  // namespace

bool Pool::Impl::reload() {
  if (!started_ || phase_ != Phase::running || reloading_) return false;
  reloading_ = true;
  for (const auto& slot : slots_) {
    // A slot stopping for a recycle gets a fresh process anyway.
    if (replacing_ == slot->id && !replacement_spawned_) continue;
    if (std::find(replace_queue_.begin(), replace_queue_.end(), slot->id) == replace_queue_.end()) {
      replace_queue_.push_back(slot->id);
    }
  }
  pump_replacer();
  return true;
}

void Pool::Impl::recycle_retired() {
  for (const auto& slot : slots_) {
    // The worker's word: one that lies here only gets itself replaced.
    if (slot->pid > 0 && !slot->stopping && readable(*slot) &&
        slot->region.state().retiring.load(std::memory_order_acquire) != 0) {
      request_recycle(slot->id);
    }
  }
}

void Pool::Impl::request_recycle(std::uint32_t worker) {
  // While draining for shutdown too: a retired worker runs no more tasks.
  const bool wanted = phase_ == Phase::running || phase_ == Phase::draining;
  // A replacement that retires before it was seen ready is queued like any
  // other; only a process already on its way out is not.
  const bool leaving = replacing_ == worker && !replacement_spawned_;
  if (!wanted || leaving ||
      std::find(replace_queue_.begin(), replace_queue_.end(), worker) != replace_queue_.end()) {
    return;
  }
  spdlog::debug("task worker {} reached max_request ({}): recycling it", worker,
                config_.max_request);
  replace_queue_.push_back(worker);
  pump_replacer();
}

void Pool::Impl::pump_replacer() {
  while (!replacing_ && !replace_queue_.empty()) {
    const std::uint32_t worker = replace_queue_.front();
    replace_queue_.pop_front();
    const WorkerSlot& slot = *slots_[worker];
    // A slot with no process (waiting out a back-off) starts the new code anyway.
    if (slot.pid <= 0 || slot.stopping) continue;
    replacing_ = worker;
    replacement_spawned_ = false;
    request_stop(worker, config_.max_wait, reloading_ ? "reload" : "max_request");
  }
  if (!replacing_ && replace_queue_.empty() && reloading_) {
    reloading_ = false;
    spdlog::info("reload done: every task worker was replaced");
  }
}

void Pool::Impl::request_stop(std::uint32_t worker, std::chrono::milliseconds grace,
                              std::string_view why) {
  WorkerSlot& slot = *slots_[worker];
  if (slot.pid <= 0) return;
  slot.stopping = true;
  block(worker).stop.store(1, std::memory_order_release);
  wake(slot);
  // What it has not taken goes to the others (the next flush), and it takes
  // nothing new: no longer eligible.
  schedule_flush();
  const pid_t pid = slot.pid;
  slot.stop_timer.expires_after(grace);
  slot.stop_timer.async_wait(
      [this, worker, pid, grace, why = std::string(why)](const boost::system::error_code& ec) {
        if (ec || slots_[worker]->pid != pid) return;
        kill_worker(worker, fmt::format("still running {} ms after it was asked to stop ({})",
                                        grace.count(), why));
      });
}

bool Pool::Impl::on_replaced_exit(WorkerSlot& slot, bool clean) {
  if (replacing_ != slot.id) return false;
  if (!replacement_spawned_) {
    if (!clean) spdlog::warn("task worker {} did not stop cleanly; replacing it", slot.id);
    replacement_spawned_ = true;
    spawn(slot.id);
    if (slot.pid <= 0) {  // fork failed: spawn() retries with back-off; move on
      replacing_.reset();
      pump_replacer();
    }
    return true;
  }
  // The new process died before it was ready: new code that does not start.
  // Stop here rather than take the remaining old workers down one by one.
  spdlog::error(
      "reload stopped: the new task worker {} exited before it was ready; the other "
      "workers keep running their current code",
      slot.id);
  replace_queue_.clear();
  replacing_.reset();
  reloading_ = false;
  return false;
}

void Pool::Impl::check_replacement_ready() {
  if (!replacing_ || !replacement_spawned_) return;
  const WorkerSlot& slot = *slots_[*replacing_];
  if (slot.pid <= 0 || !readable(slot) ||
      slot.region.state().ready.load(std::memory_order_acquire) == 0) {
    return;
  }
  replacing_.reset();
  pump_replacer();
}

void Pool::Impl::shutdown(std::function<void()> done) {
  if (phase_ != Phase::running) return;
  on_shutdown_done_ = std::move(done);
  replace_queue_.clear();
  reloading_ = false;
  if (!started_) {
    finish_shutdown();
    return;
  }
  phase_ = Phase::draining;
  shutdown_timer_.expires_after(config_.max_wait);
  shutdown_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || phase_ != Phase::draining) return;
    observe_claims();
    spdlog::warn(
        "shutdown: {} task(s) waiting and {} running after max_wait_time; stopping the "
        "task workers",
        counters_.pending, counters_.in_flight);
    begin_stop();
  });
  post([this] { check_drained(); });
}

void Pool::Impl::check_drained() {
  if (phase_ != Phase::draining) return;
  observe_claims();
  if (counters_.pending + counters_.in_flight == 0) begin_stop();
}

void Pool::Impl::begin_stop() {
  phase_ = Phase::stopping;
  shutdown_timer_.cancel();
  bool any_alive = false;
  for (const auto& slot : slots_) {
    slot->respawn_timer.cancel();
    if (slot->pid <= 0) continue;
    any_alive = true;
    request_stop(slot->id, kStopGrace, "shutdown");
  }
  if (!any_alive) finish_shutdown();
}

void Pool::Impl::finish_shutdown() {
  if (phase_ == Phase::done) return;
  phase_ = Phase::done;
  boost::system::error_code ignored;
  timeout_timer_.cancel();
  shutdown_timer_.cancel();
  revoke_timer_.cancel();
  sigchld_.cancel(ignored);
  for (auto& slot : slots_) slot->notify.cancel(ignored);
  const std::uint64_t unfinished = counters_.pending + counters_.in_flight;
  if (unfinished > 0) {
    spdlog::warn("task pool stopped with {} task(s) unfinished", unfinished);
  } else {
    spdlog::info("task pool stopped: every task ended");
  }
  if (on_shutdown_done_) post(std::move(on_shutdown_done_));
}

}  // namespace tasq::taskpool
